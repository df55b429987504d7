"""Insights' few writes: privacy switches and the "please share" nudge, each with an Event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from huddle.accounts import policy
from huddle.accounts.models import Visibility
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.services import event_record
from huddle.insights.models import InsightsSettings, SpotlightOptOut
from huddle.library.models import Workflow


@transaction.atomic
def settings_update(*, actor: Actor, aggregate_only: bool) -> InsightsSettings:
    """Owners switch aggregate-only mode: no individual figures for anyone but oneself."""
    policy.require(actor, Action.MANAGE_ORGANIZATION)
    row, _ = InsightsSettings.objects.select_for_update().get_or_create(
        organization=actor.organization
    )
    if row.aggregate_only != aggregate_only:
        row.aggregate_only = aggregate_only
        row.save()
        event_record(actor, "insights.settings_changed", aggregate_only=aggregate_only)
    return row


@transaction.atomic
def spotlight_set(*, actor: Actor, allowed: bool) -> None:
    """A member opts out of (or back into) being spotlighted."""
    if allowed:
        SpotlightOptOut.objects.filter(membership=actor.membership).delete()
    else:
        SpotlightOptOut.objects.get_or_create(membership=actor.membership)
    event_record(actor, "insights.spotlight_changed", allowed=allowed)


@transaction.atomic
def share_nudge(*, actor: Actor, workflow_id: object) -> Workflow:
    """Ask the owner of a private workflow to share it (shown to them on the workflow page).

    Only those who may see individual figures can nudge (they are the ones who see know-how at
    risk); the workflow must be a private one of the organisation, not the actor's own.
    """
    from huddle.insights.privacy import aggregate_only

    if not policy.can_view_individuals(actor, aggregate_only=aggregate_only(actor.organization)):
        policy.require(actor, Action.VIEW_MEMBER_FIGURES)
        raise NotFound()
    try:
        workflow = Workflow.objects.select_related("owner").get(
            organization=actor.organization, public_id=workflow_id
        )
    except (Workflow.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound() from None
    if workflow.visibility != Visibility.PRIVATE:
        raise ValidationFailed("This workflow is already shared.")
    if workflow.owner_id == actor.user.pk:
        raise ValidationFailed("This is your own workflow: share it from its page.")
    event_record(actor, "insights.share_nudged", workflow, owner=workflow.owner.email)
    return workflow
