"""The owner's single sign-on page: the SCIM token (shown once) and the roles groups grant."""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.core.errors import HuddleError, NotFound
from huddle.core.forms import cleaned, errors_onto
from huddle.sso import queries, services
from huddle.sso.forms import DomainForm, GroupRoleForm, OidcForm, SamlForm
from huddle.sso.models import GROUP_ROLES

# Which of the page's forms a refused post came from (its template variables' prefix).
_NAMES: dict[type[Form], str] = {OidcForm: "oidc", SamlForm: "saml", DomainForm: "domain"}


def _page(
    request: HttpRequest,
    actor: Actor,
    *,
    new_token: str | None = None,
    refused: tuple[Form, HuddleError] | None = None,
) -> HttpResponse:
    """The page; with ``refused``, the form that was posted shows the error next to its fields
    and the values typed (422)."""
    context = {
        "scim_url": request.build_absolute_uri("/scim/v2"),
        "token": queries.active_scim_token(actor.organization),
        "new_token": new_token,
        "groups": queries.scim_groups(actor.organization),
        "people": queries.scim_people_counts(actor.organization),
        "group_roles": GROUP_ROLES,
        "config": queries.sso_config(actor.organization),
        "domains": queries.sso_domains(actor.organization),
        "own_domain": actor.user.email.rsplit("@", 1)[-1],
        "callback_url": request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": actor.organization.slug})
        ),
        "saml_entity_id": request.build_absolute_uri(
            reverse("saml_metadata", kwargs={"organization_slug": actor.organization.slug})
        ),
        "saml_acs_url": request.build_absolute_uri(
            reverse("saml_acs", kwargs={"organization_slug": actor.organization.slug})
        ),
    }
    if refused is not None:
        form, error = refused
        errors_onto(form, error)
        name = _NAMES[type(form)]
        context[f"{name}_form"] = form
        context[f"{name}_error"] = error
    status = 422 if refused else 200
    response = render(request, "sso/settings.html", context, status=status)
    # The page may show a secret: never let a proxy or the browser's back button keep it.
    response["Cache-Control"] = "no-store"
    return response


@org_view(Action.MANAGE_ORGANIZATION)
@require_GET
def sso_settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def scim_token_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    _token, raw = services.scim_token_create(actor=actor)
    return _page(request, actor, new_token=raw)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def scim_token_revoke(request: HttpRequest, actor: Actor, token_id: str) -> HttpResponse:
    token = queries.scim_token(actor.organization, token_id)
    services.scim_token_revoke(actor=actor, token=token)
    messages.success(request, "SCIM token revoked: provisioning stops until you create a new one.")
    return redirect("sso_settings", org_slug=actor.organization.slug)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def group_role(request: HttpRequest, actor: Actor, group_id: str) -> HttpResponse:
    group = queries.scim_group(actor.organization, group_id)
    try:
        role = cleaned(GroupRoleForm(request.POST), "That is not a role a group can grant.")["role"]
        services.scim_group_set_role(actor=actor, group=group, role=role)
    except NotFound:
        raise
    except HuddleError as error:
        messages.error(request, error.message)
    else:
        granted = group.get_role_display() if group.role else "no role"
        messages.success(request, f"Members of {group.display_name} now get {granted}.")
    return redirect("sso_settings", org_slug=actor.organization.slug)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def oidc_save(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = OidcForm(request.POST)
    try:
        values = cleaned(form, "Check the sign-in settings.")
        services.sso_config_save(
            actor=actor,
            discovery_url=values["discovery_url"],
            client_id=values["client_id"],
            client_secret=values["client_secret"] or None,
            sso_required=values["sso_required"],
            private_network=values["private_network"],
        )
    except HuddleError as error:
        return _page(request, actor, refused=(form, error))
    messages.success(request, "Single sign-on settings saved.")
    return redirect("sso_settings", org_slug=actor.organization.slug)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def domain_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = DomainForm(request.POST)
    try:
        domain = cleaned(form, "Name the domain to map.")["domain"]
        mapped = services.sso_domain_add(actor=actor, domain=domain)
    except HuddleError as error:
        return _page(request, actor, refused=(form, error))
    messages.success(request, f"{mapped.domain} now signs in to {actor.organization.name}.")
    return redirect("sso_settings", org_slug=actor.organization.slug)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def domain_remove(request: HttpRequest, actor: Actor, domain_id: str) -> HttpResponse:
    domain = queries.sso_domain(actor.organization, domain_id)
    services.sso_domain_remove(actor=actor, domain=domain)
    messages.success(request, f"{domain.domain} is no longer mapped.")
    return redirect("sso_settings", org_slug=actor.organization.slug)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def saml_save(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = SamlForm(request.POST)
    try:
        metadata = cleaned(form, "Check the SAML metadata.")["saml_metadata"]
        services.sso_saml_save(actor=actor, metadata_xml=metadata)
    except HuddleError as error:
        return _page(request, actor, refused=(form, error))
    messages.success(request, "SAML settings saved.")
    return redirect("sso_settings", org_slug=actor.organization.slug)
