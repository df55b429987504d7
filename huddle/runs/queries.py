"""Reads of runs: lists scoped by ``policy.runs_q``, and time-saved figures."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Count, QuerySet

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import NotFound
from huddle.library.models import Workflow
from huddle.runs.models import Run, RunStatus, RunStep


def visible_runs(actor: Actor) -> QuerySet[Run]:
    return Run.objects.filter(policy.runs_q(actor)).select_related("workflow", "user")


def get_run(actor: Actor, public_id: str | UUID) -> Run:
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    run = visible_runs(actor).filter(public_id=key).first()
    if run is None:
        raise NotFound()
    return run


@dataclass(frozen=True)
class TimeSaved:
    runs: int  # runs with both figures
    minutes_saved: float
    median_speedup: float | None  # baseline / spent: "6 h to 30 min = 12x"
    median_minutes_saved: float | None


def steps_of(run: Run) -> list[RunStep]:
    """The run's steps, in order."""
    return list(run.steps.all())


def time_saved(runs: QuerySet[Run]) -> TimeSaved:
    """Time saved over runs that have both minutes spent and the baseline."""
    pairs = list(
        runs.filter(
            status=RunStatus.COMPLETED, minutes_spent__isnull=False, baseline_minutes__isnull=False
        ).values_list("baseline_minutes", "minutes_spent")
    )
    saved = [baseline - spent for baseline, spent in pairs]
    speedups = [baseline / spent for baseline, spent in pairs if spent > 0 and baseline > 0]
    return TimeSaved(
        runs=len(pairs),
        minutes_saved=round(sum(saved), 1),
        median_speedup=round(statistics.median(speedups), 1) if speedups else None,
        median_minutes_saved=round(statistics.median(saved), 1) if saved else None,
    )


def workflow_time_saved(workflow: Workflow) -> TimeSaved:
    """Aggregate figures of a workflow over everyone's runs (no texts are read)."""
    return time_saved(Run.objects.filter(workflow=workflow))


@dataclass(frozen=True)
class OrgUsage:
    runs: int
    people: int
    minutes_saved: float
    time_saved: TimeSaved


def organization_usage(actor: Actor, since: datetime | None = None) -> OrgUsage:
    """Organisation-wide figures, for admins."""
    policy.require(actor, Action.VIEW_AGGREGATES)
    runs = Run.objects.filter(organization=actor.organization)
    if since is not None:
        runs = runs.filter(started_at__gte=since)
    totals = runs.aggregate(n=Count("id"), people=Count("user", distinct=True))
    saved = time_saved(runs)
    return OrgUsage(
        runs=totals["n"],
        people=totals["people"],
        minutes_saved=saved.minutes_saved,
        time_saved=saved,
    )


def workflow_panel(actor: Actor, workflow: Workflow) -> dict[str, object] | None:
    """The "Time saved" panel of a workflow page: aggregate figures only, never texts."""
    from huddle.runs.providers.queries import enabled_providers

    return {
        "saved": workflow_time_saved(workflow),
        "workflow": workflow,
        "can_run": actor.can(Action.CREATE_CONTENT),
        # Default first: the one-click "Run it with AI" uses it (issue 19).
        "providers": list(
            enabled_providers(actor.organization).order_by("-is_default", "name")[:5]
        ),
    }
