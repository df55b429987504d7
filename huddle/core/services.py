"""Writes that belong to no domain: recording events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.db import models
from django.utils import timezone

from huddle.core.models import Event

if TYPE_CHECKING:
    from huddle.accounts.models import Organization, User


class Acting(Protocol):
    """Who an event is recorded for: an organisation and the person acting in it, if any.

    ``accounts.policy.Actor`` (a member, by their membership) is one; ``System`` is the other.
    """

    @property
    def organization(self) -> Organization: ...

    @property
    def user(self) -> User | None: ...


@dataclass(frozen=True)
class System:
    """The actor of a write no member makes: SCIM provisioning, the scheduler and the worker,
    the operator's CLI, a restore, a refused SSO sign-in, an anonymous ask. The event belongs to
    ``organization`` and names no person."""

    organization: Organization
    user: None = None


def event_record(
    actor: Acting, kind: str, target: models.Model | None = None, /, *, label: str = "", **data: Any
) -> Event:
    """Append one event of ``actor.organization``: ``kind`` happened to ``target``.

    ``actor`` is the member who acts (a ``policy.Actor``) or ``System(organization)`` when no
    member does. ``target`` is any model with a ``public_id`` (or a primary key); its ``str()``
    is the label unless ``label`` is given. Every other keyword is stored in the event's
    ``data``; a key that is a Python keyword or clashes with ``label`` takes a trailing
    underscore, which is dropped (``from_=old`` stores ``"from"``, ``label_=…`` stores
    ``"label"``). The first three arguments are positional-only, so ``kind`` or ``target`` may
    also be data keys. This is the only place an ``Event`` is created
    (``tests/architecture/test_events.py``).
    """
    object_type = object_id = ""
    if target is not None:
        object_type = target._meta.model_name or ""
        object_id = str(getattr(target, "public_id", None) or target.pk)
        label = label or str(target)
    user = actor.user
    return Event.objects.create(
        organization=actor.organization,
        actor=user if user is not None and user.is_authenticated else None,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        object_label=label[:200],
        data={key.removesuffix("_"): value for key, value in data.items()},
        created_at=timezone.now(),
    )
