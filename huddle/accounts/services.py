"""Every write about organisations, teams, members, invitations and API tokens.

Each function is keyword-only and transactional, checks the actor's rights through
``accounts.policy`` and records an ``Event``. ``actor=None`` means the server's operator (the
``huddle`` CLI on the host), who is trusted.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from huddle.accounts import policy

# API tokens live in api_tokens.py; they are part of the accounts services all the same.
from huddle.accounts.api_tokens import token_authenticate as token_authenticate
from huddle.accounts.api_tokens import token_create as token_create
from huddle.accounts.api_tokens import token_revoke as token_revoke
from huddle.accounts.forms import PasswordLinkForm
from huddle.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
    User,
    slug_validator,
)
from huddle.accounts.policy import Action, Actor
from huddle.accounts.tokens import hash_secret, new_secret
from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from huddle.core.services import System, event_record

# --- people ----------------------------------------------------------------------------------


def user_create(*, email: str, password: str | None, name: str = "") -> User:
    """Create a person who can sign in. Raises ``ValidationFailed`` for a bad email or password."""
    email = _clean_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            f"There is already an account for {email}.", fields={"email": ["Already registered."]}
        )
    if password is not None:
        _check_password(password, User(email=email, name=name))
    return User.objects.create_user(email=email, password=password, name=name.strip())


def password_link_mail(*, user: User, request: HttpRequest) -> None:
    """Mail ``user`` a link to choose a password, as "Forgot your password?" does (the same
    form, so the same rate limit per address and the same silence past it)."""
    form = PasswordLinkForm({"email": user.email})
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure())


def password_link_path(user: User) -> str:
    """The path of a link for ``user`` to choose a new password: Django's password reset link,
    valid for ``PASSWORD_RESET_TIMEOUT`` and until the password changes. Only ever mail it to
    the user's own address."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            f"{email or 'An empty value'} is not a valid email address.",
            fields={"email": ["Enter a valid email address."]},
        ) from None
    return email


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed(
            " ".join(error.messages), fields={"password": list(error.messages)}
        ) from None


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(Role.values)
        raise ValidationFailed(
            f"{value!r} is not a role; use one of {choices}.", fields={"role": ["Unknown role."]}
        ) from None


# --- organisations ---------------------------------------------------------------------------


@transaction.atomic
def organization_create(*, creator: User | None, slug: str, name: str) -> Organization:
    """Create an organisation; its creator (if any) becomes its first owner."""
    slug = slug.strip().lower()
    name = name.strip()
    try:
        slug_validator(slug)
    except ValidationError as error:
        raise ValidationFailed(
            f"{slug!r} is not a valid slug. {error.messages[0]}", fields={"slug": error.messages}
        ) from None
    if not name:
        raise ValidationFailed("An organisation needs a name.", fields={"name": ["Required."]})
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationFailed(
            f"The slug {slug!r} is taken.", fields={"slug": ["Already taken; choose another."]}
        )
    organization = Organization.objects.create(slug=slug, name=name)
    acting: Actor | System = System(organization)
    if creator is not None:
        acting = Actor(
            Membership.objects.create(organization=organization, user=creator, role=Role.OWNER)
        )
    event_record(acting, "organization.created", organization)
    return organization


@transaction.atomic
def organization_rename(*, actor: Actor, name: str) -> Organization:
    policy.require(actor, Action.MANAGE_ORGANIZATION)
    name = name.strip()
    if not name:
        raise ValidationFailed("An organisation needs a name.", fields={"name": ["Required."]})
    organization = actor.organization
    old = organization.name
    organization.name = name
    organization.save(update_fields=["name"])
    event_record(actor, "organization.renamed", organization, from_=old, to=name)
    return organization


# --- teams -----------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *, actor: Actor | None, organization: Organization, name: str, description: str = ""
) -> Team:
    if actor is not None:
        policy.require(actor, Action.MANAGE_TEAMS)
    name = name.strip()
    if not name:
        raise ValidationFailed("A team needs a name.", fields={"name": ["Required."]})
    slug = slugify(name)[:50].strip("-") or "team"
    if Team.objects.filter(organization=organization, slug=slug).exists():
        raise ValidationFailed(
            f"There is already a team called {name!r}.", fields={"name": ["Already exists."]}
        )
    team = Team.objects.create(
        organization=organization, name=name, slug=slug, description=description.strip()
    )
    event_record(actor or System(organization), "team.created", team)
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    policy.require(actor, Action.MANAGE_TEAMS)
    _same_org(actor, team.organization_id)
    event_record(actor, "team.deleted", team)
    team.delete()


@transaction.atomic
def team_set_members(*, actor: Actor, team: Team, memberships: list[Membership]) -> Team:
    """Make the team's members exactly ``memberships`` (all of the team's organisation)."""
    policy.require(actor, Action.MANAGE_TEAMS)
    _same_org(actor, team.organization_id)
    for membership in memberships:
        _same_org(actor, membership.organization_id)
    before = set(team.memberships.values_list("pk", flat=True))
    team.memberships.set(memberships)
    after = {m.pk for m in memberships}
    event_record(
        actor, "team.members_changed", team, added=len(after - before), removed=len(before - after)
    )
    return team


# --- memberships -----------------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *, actor: Actor | None, organization: Organization, user: User, role: str
) -> Membership:
    """Add an existing person to the organisation, or change their role if already there."""
    role = _role(role)
    if actor is not None:
        policy.require(actor, Action.MANAGE_MEMBERS)
        if role not in policy.assignable_roles(actor):
            raise PermissionDenied("Only an owner can make or change owners.")
    membership, created = Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        return membership_set_role(actor=actor, membership=membership, role=role)
    if created:
        event_record(
            actor or System(organization), "member.added", user, label=user.email, role=role
        )
    return membership


@transaction.atomic
def membership_set_role(*, actor: Actor | None, membership: Membership, role: str) -> Membership:
    role = _role(role)
    if actor is not None:
        policy.require_can_manage_member(actor, membership, role)
    old = membership.role
    if old == role:
        return membership
    if old == Role.OWNER:
        _keep_an_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    event_record(
        actor or System(membership.organization),
        "member.role_changed",
        membership.user,
        label=membership.user.email,
        from_=old,
        to=role,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor | None, membership: Membership) -> None:
    """Remove someone from the organisation; their API tokens for it stop working at once."""
    if actor is not None and actor.membership.pk != membership.pk:
        policy.require_can_manage_member(actor, membership, None)
    if membership.role == Role.OWNER:
        _keep_an_owner(membership)
    organization = membership.organization
    user = membership.user
    ApiToken.objects.filter(organization=organization, user=user, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    membership.delete()
    event_record(actor or System(organization), "member.removed", user, label=user.email)


def _keep_an_owner(membership: Membership) -> None:
    # Lock the owner rows so two concurrent demotions can't both see "another owner exists".
    owners = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if owners == [membership.pk]:
        raise HuddleError(
            "last_owner",
            "An organisation needs at least one owner: make someone else an owner first.",
            status=409,
        )


# --- invitations -----------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    actor: Actor | None,
    organization: Organization,
    email: str,
    role: str,
    team: Team | None = None,
    base_url: str | None = None,
    allow_existing_member: bool = False,
) -> tuple[Invitation, str]:
    """Invite ``email`` by link; the link goes out by email once the transaction commits.

    Returns the invitation and the link's URL (shown to the inviter so it can be shared directly).
    A pending invitation for the same address is replaced. ``allow_existing_member`` is for
    members created without a password (usage import): their email carries a link to choose one.
    """
    role = _role(role)
    email = _clean_email(email)
    if actor is not None:
        policy.require(actor, Action.MANAGE_MEMBERS)
        if role not in policy.assignable_roles(actor):
            raise PermissionDenied("Only an owner can invite owners.")
    if team is not None and team.organization_id != organization.pk:
        raise NotFound("No such team.")
    already = Membership.objects.filter(organization=organization, user__email__iexact=email)
    if not allow_existing_member and already.exists():
        raise ValidationFailed(
            f"{email} is already a member of {organization.name}.",
            fields={"email": ["Already a member."]},
        )
    now = timezone.now()
    Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    raw, _prefix = new_secret("inv")
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        team=team,
        invited_by=_user(actor),
        token_hash=hash_secret(raw),
        expires_at=now + timedelta(days=settings.HUDDLE_INVITATION_DAYS),
    )
    base = (base_url or settings.SITE_URL).rstrip("/")
    url = f"{base}/invite/{raw}/"
    inviter = actor.user.display_name if actor is not None else "An administrator"
    transaction.on_commit(
        lambda: _send_invitation_email(invitation=invitation, base=base, url=url, inviter=inviter)
    )
    event_record(
        actor or System(organization), "invitation.created", invitation, label=email, role=role
    )
    return invitation, url


def _send_invitation_email(*, invitation: Invitation, base: str, url: str, inviter: str) -> None:
    # The link signs up a new person only. Someone who already has an account signs in to
    # accept; if they have no password yet (added by a usage import or a restore), this mail,
    # which only their address receives, carries a link to choose one, made now.
    account = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    password_url = None
    if account is not None and not account.has_usable_password():
        password_url = base + password_link_path(account)
    context = {
        "invitation": invitation,
        "url": url,
        "inviter": inviter,
        "account": account,
        "password_url": password_url,
    }
    send_mail(
        subject=f"{inviter} invited you to {invitation.organization.name} on Huddle",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> None:
    policy.require(actor, Action.MANAGE_MEMBERS)
    _same_org(actor, invitation.organization_id)
    if invitation.accepted_at is not None:
        raise HuddleError("already_accepted", "This invitation has already been accepted.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    event_record(actor, "invitation.revoked", invitation, label=invitation.email)


def invitation_lookup(raw_token: str) -> Invitation:
    """The pending invitation behind a link; ``NotFound`` for unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("organization", "team")
        .filter(token_hash=hash_secret(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, raw_token: str, user: User) -> Membership:
    """Join the organisation. The signed-in person's email must be the invited address."""
    invitation = invitation_lookup(raw_token)
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    if invitation.team is not None:
        membership.teams.add(invitation.team)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    event_record(
        Actor(membership),
        "invitation.accepted",
        invitation,
        label=user.email,
        role=membership.role,
        new_member=created,
    )
    return membership


# --- helpers ---------------------------------------------------------------------------------


def _user(actor: Actor | None) -> User | None:
    return actor.user if actor is not None else None


def _same_org(actor: Actor, organization_id: int) -> None:
    if organization_id != actor.organization.pk:
        raise NotFound()
