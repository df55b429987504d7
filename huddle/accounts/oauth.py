"""OAuth access tokens: an AI assistant (ChatGPT's or claude.ai's connector) acting as a member.

django-oauth-toolkit is the authorization server (``huddle/mcp/oauth.py`` mounts it, with the
consent page). Its tokens know the user, not the organisation, so the organisation the member
chose on the consent page travels in the token's scope as ``org:<public id>`` (set on the
authorization code, carried by oauthlib to the access and refresh tokens, which can't widen it).
Like an API token, an OAuth token works only while its user is an active member of that
organisation, with the role they hold now; the member sees and revokes it on the API tokens page.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.settings import oauth2_settings

from huddle.accounts import policy
from huddle.accounts.models import Membership, Organization
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import NotFound
from huddle.core.services import event_record

SCOPE = "mcp"  # what an assistant's token may do: use /mcp as the member
ORG_SCOPE = "org:"  # + the organisation's public id


def organization_scope(organization_public_id: UUID | str) -> str:
    return f"{ORG_SCOPE}{organization_public_id}"


def organization_of(scope: str) -> UUID | None:
    """The organisation named in a token's scope, or None."""
    for part in scope.split():
        if part.startswith(ORG_SCOPE):
            try:
                return UUID(part.removeprefix(ORG_SCOPE))
            except ValueError:
                return None
    return None


def oauth_authenticate(request: HttpRequest) -> Actor | None:
    """The member an OAuth bearer token of scope ``mcp`` acts as, or None when the token is
    unknown, expired, revoked, or its user is no longer an active member of its organisation."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[SCOPE])
    if not valid:
        return None
    token = oauth_request.access_token
    organization = organization_of(token.scope)
    if organization is None:
        return None
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization__public_id=organization, user=token.user, user__is_active=True)
        .first()
    )
    return Actor(membership) if membership is not None else None


def live_connections(
    organization: Organization, *, user: object | None = None
) -> QuerySet[AccessToken]:
    """The OAuth tokens of ``organization``'s active members (of ``user`` only, when given) that
    still work or can still be renewed (their refresh token is live), newest first."""
    live = Q(expires__gt=timezone.now()) | Q(
        refresh_token__isnull=False, refresh_token__revoked__isnull=True
    )
    tokens = AccessToken.objects.filter(
        live,
        scope__contains=organization_scope(organization.public_id),
        user__is_active=True,
        user__memberships__organization=organization,
    )
    if user is not None:
        tokens = tokens.filter(user=user)
    return tokens.select_related("application", "user").order_by("-created")


def my_connections(actor: Actor) -> QuerySet[AccessToken]:
    """The actor's own live OAuth connections in their current organisation, newest first."""
    return live_connections(actor.organization, user=actor.user)


def organization_connections(actor: Actor) -> QuerySet[AccessToken]:
    """Every member's live OAuth connections in the organisation, for those who manage members."""
    policy.require(actor, Action.MANAGE_MEMBERS)
    return live_connections(actor.organization)


@transaction.atomic
def connection_revoke(*, actor: Actor, token: AccessToken) -> None:
    """Stop ``token`` and the refresh token that would renew it, at once. A member disconnects
    their own apps; those who manage members, anyone's in the organisation."""
    if organization_of(token.scope or "") != actor.organization.public_id:
        raise NotFound()
    if token.user_id != actor.user.pk:
        policy.require(actor, Action.MANAGE_MEMBERS)
    refresh = getattr(token, "refresh_token", None)
    name = token.application.name if token.application else "an app"
    if refresh is not None:
        refresh.revoke()  # revokes the refresh token and deletes its access token
    else:
        token.revoke()
    # Someone else's connection: the event names whose it was.
    whose = {"member": token.user.email} if token.user_id != actor.user.pk else {}
    event_record(
        actor,
        "oauth.revoked",
        label=name,
        client_id=token.application.client_id if token.application else "",
        **whose,
    )


def organizations_for_consent(user: object) -> list[Organization]:
    """The organisations a signed-in user may connect an assistant to (those where their role
    may use API tokens), by name."""
    memberships = (
        Membership.objects.select_related("user", "organization")
        .filter(user=user, user__is_active=True)
        .order_by("organization__name")
    )
    return [m.organization for m in memberships if Actor(m).can(Action.USE_API_TOKENS)]


# A registration nobody connected within this long is abandoned (a connector registers again).
UNUSED_REGISTRATION = timedelta(days=1)


def registrations_prune(older_than: timedelta = UNUSED_REGISTRATION) -> int:
    """Delete the expired authorization codes, and the clients registered through dynamic
    registration more than ``older_than`` ago that never got a code or a token (registration is
    open, so anything can register); how many clients went. Refresh tokens stay: a revoked one
    is what lets a replay revoke its family."""
    now = timezone.now()
    Grant.objects.filter(expires__lt=now).delete()
    # Registering also issues a token of the registration scope (to manage the registration):
    # only a token of any other scope means someone connected.
    used = AccessToken.objects.filter(application=OuterRef("pk")).exclude(
        scope=oauth2_settings.DCR_REGISTRATION_SCOPE
    )
    unused = Application.objects.filter(
        ~Exists(used),
        registration_source=Application.RegistrationSource.DCR,
        created__lt=now - older_than,
        refreshtoken__isnull=True,
        grant__isnull=True,
    )
    deleted = Application.objects.filter(pk__in=list(unused.values_list("pk", flat=True)))
    count = deleted.count()
    deleted.delete()
    return count
