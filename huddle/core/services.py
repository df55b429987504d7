"""Writes that belong to no domain: recording events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from huddle.core.models import Event

if TYPE_CHECKING:
    from huddle.accounts.models import Organization, User


def event_record(
    *,
    organization: Organization,
    actor: User | None,
    kind: str,
    target: models.Model | None = None,
    label: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event. ``target`` is any model with a ``public_id`` (or a primary key)."""
    object_type = object_id = ""
    if target is not None:
        object_type = target._meta.model_name or ""
        object_id = str(getattr(target, "public_id", None) or target.pk)
        label = label or str(target)
    return Event.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        object_label=label[:200],
        data=data or {},
        created_at=timezone.now(),
    )
