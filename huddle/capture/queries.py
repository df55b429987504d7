"""Reads of captures, always through ``policy.visible_q``: lists are filtered in SQL."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from huddle.accounts import policy
from huddle.accounts.policy import Actor
from huddle.capture.models import Capture
from huddle.core.errors import NotFound


def visible_captures(actor: Actor) -> QuerySet[Capture]:
    """The actor's own captures and those shared with them (team or organisation)."""
    return Capture.objects.filter(policy.visible_q(actor)).select_related(
        "owner", "team", "promoted_to"
    )


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
