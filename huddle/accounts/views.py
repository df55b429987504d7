"""Pages for organisations, members, teams, invitations and API tokens: thin adapters."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huddle.accounts import oauth, policy, queries, services
from huddle.accounts.assistants import assistant_configs
from huddle.accounts.forms import (
    InvitationActionForm,
    InviteForm,
    OrganizationForm,
    RenameOrganizationForm,
    RoleForm,
    SignUpForm,
    TeamForm,
    TeamMembersForm,
    TokenForm,
)
from huddle.accounts.models import User
from huddle.accounts.policy import Action, Actor
from huddle.accounts.queries import EventFilter
from huddle.accounts.web import LAST_ORG_SESSION_KEY, org_view
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.forms import cleaned, errors_onto
from huddle.core.paging import CappedPaginator

# --- home, organisations ---------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Go to the organisation used last, else the first one, else offer to create one."""
    organizations = policy.organizations_for(request.user)
    last = request.session.get(LAST_ORG_SESSION_KEY)
    target = organizations.filter(slug=last).first() if last else None
    target = target or organizations.first()
    if target is None:
        return redirect("organization_new")
    return redirect("organization_home", org_slug=target.slug)


@login_required
@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                creator=request.user, slug=form.cleaned_data["slug"], name=form.cleaned_data["name"]
            )
        except ValidationFailed as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"{organization.name} is ready. Invite your team next.")
            return redirect("members", org_slug=organization.slug)
    has_orgs = policy.organizations_for(request.user).exists()
    return render(request, "accounts/organization_new.html", {"form": form, "has_orgs": has_orgs})


@org_view()
@require_http_methods(["GET", "POST"])
def organization_settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    can_rename = actor.can(Action.MANAGE_ORGANIZATION)
    form = RenameOrganizationForm(request.POST or None, initial={"name": actor.organization.name})
    if request.method == "POST":
        policy.require(actor, Action.MANAGE_ORGANIZATION)
        if form.is_valid():
            services.organization_rename(actor=actor, name=form.cleaned_data["name"])
            messages.success(request, "Organisation renamed.")
            return redirect("organization_settings", org_slug=actor.organization.slug)
    return render(
        request, "accounts/organization_settings.html", {"form": form, "can_rename": can_rename}
    )


# --- members and invitations -----------------------------------------------------------------


@org_view()
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, actor: Actor) -> HttpResponse:
    can_manage = actor.can(Action.MANAGE_MEMBERS)
    roles = policy.assignable_roles(actor)
    form = InviteForm(request.POST or None, roles=roles, teams=queries.teams(actor))
    invite_url = None
    if request.method == "POST":
        policy.require(actor, Action.MANAGE_MEMBERS)
        if form.is_valid():
            try:
                invitation, invite_url = services.invitation_create(
                    actor=actor,
                    organization=actor.organization,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    team=form.cleaned_data["team"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationFailed as error:
                errors_onto(form, error)
            else:
                messages.success(
                    request,
                    f"Invitation sent to {invitation.email}. You can also share the link below.",
                )
                form = InviteForm(roles=roles, teams=queries.teams(actor))
    context = {
        "members": queries.members(actor),
        "invitations": queries.pending_invitations(actor) if can_manage else [],
        "form": form,
        "invite_url": invite_url,
        "can_manage": can_manage,
        "assignable_roles": roles,
        "invitation_days": settings.HUDDLE_INVITATION_DAYS,
    }
    return render(request, "accounts/members.html", context)


@org_view(Action.MANAGE_MEMBERS)
@require_POST
def member_role(request: HttpRequest, actor: Actor, member_id: str) -> HttpResponse:
    membership = policy.get_membership(actor, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Choose a role.")
    services.membership_set_role(actor=actor, membership=membership, role=form.cleaned_data["role"])
    if request.htmx:
        return render(
            request,
            "accounts/_member_row.html",
            {
                "m": membership,
                "can_manage": True,
                "assignable_roles": policy.assignable_roles(actor),
                "saved": True,
            },
        )
    messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("members", org_slug=actor.organization.slug)


@org_view()
@require_POST
def member_remove(request: HttpRequest, actor: Actor, member_id: str) -> HttpResponse:
    membership = policy.get_membership(actor, member_id)
    leaving = membership.pk == actor.membership.pk
    services.membership_remove(actor=actor, membership=membership)
    if leaving:
        messages.success(request, f"You left {actor.organization.name}.")
        request.session.pop(LAST_ORG_SESSION_KEY, None)
        return redirect("home")
    messages.success(request, f"{membership.user} was removed from {actor.organization.name}.")
    return redirect("members", org_slug=actor.organization.slug)


@org_view(Action.MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request: HttpRequest, actor: Actor, invitation_id: str) -> HttpResponse:
    invitation = policy.get_invitation(actor, invitation_id)
    services.invitation_revoke(actor=actor, invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("members", org_slug=actor.organization.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email: join if signed in as the invited address; a new address
    signs up here. An existing account (with a password or not) signs in first: holding the
    link proves nothing about owning the address, so it never sets an account's password."""
    try:
        invitation = services.invitation_lookup(token)
    except NotFound as error:
        return render(
            request, "accounts/invitation_invalid.html", {"message": error.message}, status=404
        )
    user = request.user if request.user.is_authenticated else None
    account = queries.user_by_email(invitation.email)
    form = SignUpForm(request.POST or None) if user is None and account is None else None
    status = 200
    if request.method == "POST":
        if user is not None:
            membership = services.invitation_accept(raw_token=token, user=user)
            messages.success(request, f"Welcome to {membership.organization.name}!")
            return redirect("organization_home", org_slug=membership.organization.slug)
        if account is not None:
            action = cleaned(InvitationActionForm(request.POST), "Choose what to do.")["action"]
            if action == "password_link" and not account.has_usable_password():
                return _mail_password_link(request, account)
            status = 403  # a sign-up or a password for an account that exists: refused
        elif form is not None and form.is_valid():
            try:
                user = services.user_create(
                    email=invitation.email,
                    password=form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                )
            except ValidationFailed as error:
                errors_onto(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                membership = services.invitation_accept(raw_token=token, user=user)
                messages.success(request, f"Welcome to {membership.organization.name}!")
                return redirect("organization_home", org_slug=membership.organization.slug)
    context = {
        "invitation": invitation,
        "form": form,
        "existing": account is not None,
        "needs_password": account is not None and not account.has_usable_password(),
        "refused": status == 403,
        "login_url": f"{reverse('login')}?next={request.path}",
        "email_mismatch": user is not None and user.email.lower() != invitation.email.lower(),
    }
    return render(request, "accounts/invitation_accept.html", context, status=status)


def _mail_password_link(request: HttpRequest, account: User) -> HttpResponse:
    """Mail a link to choose a password to the account's own address, as "Forgot your
    password?" does; the page never shows it."""
    services.password_link_mail(user=account, request=request)
    messages.success(
        request,
        f"We sent a link to {account.email} to choose your password. Then sign in and "
        "open this invitation again to join.",
    )
    return redirect(request.path)


# --- teams -----------------------------------------------------------------------------------


@org_view()
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest, actor: Actor) -> HttpResponse:
    can_manage = actor.can(Action.MANAGE_TEAMS)
    form = TeamForm(request.POST or None)
    if request.method == "POST":
        policy.require(actor, Action.MANAGE_TEAMS)
        if form.is_valid():
            try:
                team = services.team_create(
                    actor=actor,
                    organization=actor.organization,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except ValidationFailed as error:
                errors_onto(form, error)
            else:
                messages.success(request, f"Team {team.name} created. Add its members below.")
                return redirect("team", org_slug=actor.organization.slug, team_id=team.public_id)
    return render(
        request,
        "accounts/teams.html",
        {"teams": queries.teams(actor), "form": form, "can_manage": can_manage},
    )


@org_view()
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, actor: Actor, team_id: str) -> HttpResponse:
    team = policy.get_team(actor, team_id)
    all_members = queries.members(actor)
    if request.method == "POST":
        policy.require(actor, Action.MANAGE_TEAMS)
        form = TeamMembersForm(request.POST, memberships=all_members)
        selected = cleaned(form, "Choose members of the organisation.")["members"]
        services.team_set_members(actor=actor, team=team, memberships=list(selected))
        messages.success(request, f"Members of {team.name} saved.")
        return redirect("team", org_slug=actor.organization.slug, team_id=team.public_id)
    in_team = queries.team_member_ids(team)
    return render(
        request,
        "accounts/team.html",
        {
            "team": team,
            "rows": [(m, m.pk in in_team) for m in all_members],
            "can_manage": actor.can(Action.MANAGE_TEAMS),
        },
    )


@org_view(Action.MANAGE_TEAMS)
@require_POST
def team_delete(request: HttpRequest, actor: Actor, team_id: str) -> HttpResponse:
    team = policy.get_team(actor, team_id)
    services.team_delete(actor=actor, team=team)
    messages.success(request, f"Team {team.name} deleted. Its members stay in the organisation.")
    return redirect("teams", org_slug=actor.organization.slug)


# --- API tokens ------------------------------------------------------------------------------


@org_view(Action.USE_API_TOKENS)
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.token_create(actor=actor, name=form.cleaned_data["name"])
        form = TokenForm()
    mcp_url = request.build_absolute_uri(reverse("mcp"))
    response = render(
        request,
        "accounts/tokens.html",
        {
            "tokens": queries.my_tokens(actor),
            "connections": oauth.my_connections(actor),
            "form": form,
            "new_token": new_token,
            "mcp_url": mcp_url,
            "assistants": assistant_configs(mcp_url, new_token),
        },
    )
    # The page may show a secret: never let a proxy or the browser's back button keep it.
    response["Cache-Control"] = "no-store"
    return response


@org_view(Action.USE_API_TOKENS)
@require_POST
def token_revoke(
    request: HttpRequest, actor: Actor, token_id: str, back: str = "tokens"
) -> HttpResponse:
    token = policy.get_api_token(actor, token_id)
    services.token_revoke(actor=actor, token=token)
    messages.success(request, f"Token {token.name} revoked; it stops working immediately.")
    return redirect(back, org_slug=actor.organization.slug)


@org_view(Action.USE_API_TOKENS)
@require_POST
def connection_revoke(
    request: HttpRequest, actor: Actor, token_id: int, back: str = "tokens"
) -> HttpResponse:
    token = policy.get_oauth_connection(actor, token_id)
    oauth.connection_revoke(actor=actor, token=token)
    name = token.application.name if token.application else "The app"
    messages.success(request, f"{name} disconnected; its access stops working immediately.")
    return redirect(back, org_slug=actor.organization.slug)


@org_view(Action.MANAGE_MEMBERS)
@require_GET
def access(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What reaches the organisation from outside: every member's API tokens and connected AI
    apps, each revocable here."""
    return render(
        request,
        "accounts/access.html",
        {
            "tokens": queries.organization_tokens(actor),
            "connections": oauth.organization_connections(actor),
        },
    )


# --- activity log ----------------------------------------------------------------------------


@org_view(Action.VIEW_EVENTS)
@require_GET
def activity(request: HttpRequest, actor: Actor) -> HttpResponse:
    errors = []

    def _date(name: str) -> date | None:
        raw = request.GET.get(name, "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors.append(f"{raw!r} is not a date (use YYYY-MM-DD); the filter was ignored.")
            return None

    member = request.GET.get("member", "").strip()
    if member:
        try:
            member = str(UUID(member))
        except ValueError:
            errors.append("Unknown member; the filter was ignored.")
            member = ""
    filters = EventFilter(
        actor_public_id=member,
        kind=request.GET.get("kind", "").strip(),
        since=_date("since"),
        until=_date("until"),
    )
    events = queries.events(actor, filters)
    page = CappedPaginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/activity.html",
        {
            "page": page,
            "filters": filters,
            "kinds": queries.event_kinds(actor),
            "members": queries.members(actor),
            "errors": errors,
            "query": query.urlencode(),
        },
    )
