"""Reads of provider configurations, always within the actor's organisation."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from huddle.accounts import policy
from huddle.accounts.models import Organization
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import NotFound
from huddle.runs.providers.models import ProviderConfig


def providers(actor: Actor) -> QuerySet[ProviderConfig]:
    """Every configuration of the organisation (the settings page; admins only)."""
    policy.require(actor, Action.MANAGE_PROVIDERS)
    return ProviderConfig.objects.filter(organization=actor.organization)


def enabled_providers(organization: Organization) -> QuerySet[ProviderConfig]:
    """What a member may run through: switched-on configurations, the default first."""
    return ProviderConfig.objects.filter(organization=organization, enabled=True).order_by(
        "-is_default", "name", "id"
    )


def default_provider(organization: Organization) -> ProviderConfig | None:
    """The default configuration if it is on, else the first one switched on, else None."""
    return enabled_providers(organization).first()


def get_provider(actor: Actor, public_id: object, *, manage: bool = False) -> ProviderConfig:
    """One configuration of the actor's organisation; another organisation's is not found.

    ``manage=True`` (editing, testing, deleting) needs ``Action.MANAGE_PROVIDERS``.
    """
    if manage:
        policy.require(actor, Action.MANAGE_PROVIDERS)
    try:
        return ProviderConfig.objects.get(organization=actor.organization, public_id=public_id)
    except (ProviderConfig.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound() from None


def choose_provider(organization: Organization, key: str | None) -> ProviderConfig:
    """An enabled provider by id or name, or the default one; ``NotFound`` with a readable
    message when there is none."""
    providers = enabled_providers(organization)
    if key:
        try:
            found = providers.filter(public_id=UUID(key)).first()
        except ValueError:
            found = providers.filter(name=key).first()
        if found is None:
            raise NotFound(f"No enabled provider {key!r} in this organisation.")
        return found
    chosen = default_provider(organization) or providers.first()
    if chosen is None:
        raise NotFound("No AI provider is set up; an admin can add one in Settings.")
    return chosen
