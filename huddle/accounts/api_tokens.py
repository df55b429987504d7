"""Personal API tokens: create (shown once), revoke, and resolve a bearer token to its member."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import ApiToken, Membership
from huddle.accounts.policy import Action, Actor
from huddle.accounts.tokens import hash_secret, stored_secret
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.services import event_record


def _same_org(actor: Actor, organization_id: int) -> None:
    if organization_id != actor.organization.pk:
        raise NotFound()


@transaction.atomic
def token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a personal token for the actor in the actor's organisation.

    Returns the row and the raw token, which exists nowhere else: show it once.
    """
    policy.require(actor, Action.USE_API_TOKENS)
    name = name.strip()[:100]
    if not name:
        raise ValidationFailed("Give the token a name.", fields={"name": ["Required."]})
    token, raw = stored_secret(
        ApiToken, "hud", organization=actor.organization, user=actor.user, name=name
    )
    event_record(actor, "token.created", token)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> None:
    """Revoke one of the actor's own tokens (admins may revoke anyone's in their organisation)."""
    _same_org(actor, token.organization_id)
    if token.user_id != actor.user.pk:
        policy.require(actor, Action.MANAGE_MEMBERS)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    event_record(actor, "token.revoked", token)


def token_authenticate(raw_token: str, *, touch: bool = True) -> Actor | None:
    """Resolve a bearer token to its actor, or None when it is unknown, revoked or orphaned.

    A token works only while its owner is still an active member of the token's organisation,
    with whatever role they hold now. ``touch=False`` leaves its last-used time alone (asking
    anonymously: that time would name the asker). One query finds the member through the token
    (every API and MCP request pays for it), plus one write a minute at most.
    """
    if not raw_token.startswith("hud_") or len(raw_token) > 200:
        return None
    # One filter() call: every condition is on the same token row, and the token's organisation
    # is the membership's. No ORDER BY (not even the membership's by name): a hash names one
    # token, of one member.
    found = (
        Membership.objects.select_related("user", "organization")
        .filter(
            user__is_active=True,
            user__api_tokens__token_hash=hash_secret(raw_token),
            user__api_tokens__revoked_at=None,
            user__api_tokens__organization_id=F("organization_id"),
        )
        .annotate(
            token_pk=F("user__api_tokens__pk"),
            token_last_used_at=F("user__api_tokens__last_used_at"),
        )
        .order_by()[:1]
    )
    membership = next(iter(found), None)
    if membership is None:
        return None
    now = timezone.now()
    stale = now - timedelta(seconds=settings.HUDDLE_TOKEN_TOUCH_SECONDS)
    last_used = membership.token_last_used_at  # type: ignore[attr-defined]
    if touch and (last_used is None or last_used < stale):
        # One write a minute at most, not one per request.
        ApiToken.objects.filter(pk=membership.token_pk).update(last_used_at=now)  # type: ignore[attr-defined]
    return Actor(membership)
