"""Reads of captures, always through ``policy.visible_q``: lists are filtered in SQL."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from huddle.accounts import policy
from huddle.accounts import queries as accounts_queries
from huddle.accounts.models import Organization
from huddle.accounts.policy import Actor
from huddle.capture.importers.models import ImportSignals, Prompt
from huddle.capture.models import Capture
from huddle.core.errors import NotFound


def visible_captures(actor: Actor) -> QuerySet[Capture]:
    """The actor's own captures and those shared with them (team or organisation)."""
    return Capture.objects.filter(policy.visible_q(actor)).select_related(
        "owner", "team", "promoted_to"
    )


def organization_captures(organization: Organization) -> QuerySet[Capture]:
    """Every capture of the organisation: the operator's view (the CLI on the host)."""
    return Capture.objects.filter(organization=organization).select_related(
        "owner", "team", "promoted_to"
    )


def import_signals(actor: Actor) -> ImportSignals | None:
    """What the actor's imports noticed (the patterns page shows it), or None before any."""
    return ImportSignals.objects.filter(organization=actor.organization, owner=actor.user).first()


def prompt_authors(organization: Organization) -> list[Actor]:
    """Every member with imported prompts, by email: whom the operator mines patterns for."""
    owners = Prompt.objects.committed(organization).values("owner")
    members = accounts_queries.memberships_of(organization).filter(user__in=owners)
    return [Actor(m) for m in members.order_by("user__email")]


def get_capture(actor: Actor, public_id: str | UUID) -> Capture:
    """One capture the actor may see; ``NotFound`` when missing, invisible or a bad id."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    capture = visible_captures(actor).filter(public_id=key).first()
    if capture is None:
        raise NotFound()
    return capture
