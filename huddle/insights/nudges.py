"""The owner's side of a share nudge: a notice on their private workflow's page."""

from __future__ import annotations

from typing import Any

from huddle.accounts.models import Visibility
from huddle.accounts.policy import Actor
from huddle.core.models import Event
from huddle.library.models import Workflow


def pending_nudges(actor: Actor) -> list[Event]:
    """Nudges about the actor's workflows that are still private (latest per workflow)."""
    private = Workflow.objects.filter(
        organization=actor.organization, owner=actor.user, visibility=Visibility.PRIVATE
    ).values_list("public_id", flat=True)
    ids = {str(pk) for pk in private}
    latest: dict[str, Event] = {}
    events = Event.objects.filter(
        organization=actor.organization, kind="insights.share_nudged", object_type="workflow"
    ).select_related("actor")
    for event in events.filter(object_id__in=ids).order_by("-created_at")[:50]:
        latest.setdefault(event.object_id, event)
    return list(latest.values())


def nudge_panel(actor: Actor, workflow: Workflow) -> dict[str, Any] | None:
    """Shown to the owner of a private workflow someone asked them to share."""
    if workflow.owner_id != actor.user.pk or workflow.visibility != Visibility.PRIVATE:
        return None
    event = (
        Event.objects.filter(
            organization=actor.organization,
            kind="insights.share_nudged",
            object_type="workflow",
            object_id=str(workflow.public_id),
        )
        .select_related("actor")
        .order_by("-created_at")
        .first()
    )
    if event is None:
        return None
    return {"event": event, "workflow": workflow}
