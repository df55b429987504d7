"""Candidates for the Win of the Week found in the data, so the ritual never starts empty.

For an ISO week (in the organisation's time zone), among workflows shared with the whole
organisation (the ritual is organisation-wide, so nothing narrower is put on its stage):

- **biggest time saved**: the completed run with the largest ``baseline - spent``;
- **best-rated newly shared**: of the workflows published that week (``workflow.published``
  events), the one whose runs have the best average rating (stars break ties);
- **most reused**: the workflow with the most runs that week by people other than its owner.

People an opt-out check excludes (``spotlight.opted_out``) are not suggested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Q

from huddle.accounts.models import Visibility
from huddle.core.models import Event
from huddle.library.models import Status, Workflow
from huddle.rituals import weeks
from huddle.rituals.spotlight import opted_out
from huddle.runs.models import Run, RunStatus

if TYPE_CHECKING:
    from huddle.accounts.models import Organization

TIME_SAVED = "Biggest time saved this week"
BEST_RATED = "Best-rated newly shared workflow"
MOST_REUSED = "Most reused by others this week"


@dataclass(frozen=True)
class Suggestion:
    reason: str
    run: Run | None = None
    workflow: Workflow | None = None


def _shared(prefix: str = "") -> Q:
    return Q(**{f"{prefix}visibility": Visibility.ORG}) & ~Q(**{f"{prefix}status": Status.ARCHIVED})


def suggest(organization: Organization, week: str, tz: str = "UTC") -> list[Suggestion]:
    start, end = weeks.bounds(week, tz)
    found: list[Suggestion] = []
    runs = Run.objects.filter(
        organization=organization,
        status=RunStatus.COMPLETED,
        started_at__gte=start,
        started_at__lt=end,
    )
    saved = ExpressionWrapper(F("baseline_minutes") - F("minutes_spent"), output_field=FloatField())
    biggest = (
        runs.filter(_shared("workflow__"), minutes_spent__isnull=False, baseline_minutes__gt=0)
        .annotate(saved=saved)
        .filter(saved__gt=0)
        .select_related("user", "workflow")
        .order_by("-saved", "started_at", "id")
    )
    for run in biggest[:10]:
        if not opted_out(organization, run.user):
            found.append(Suggestion(TIME_SAVED, run=run))
            break

    published_ids = Event.objects.filter(
        organization=organization,
        kind="workflow.published",
        created_at__gte=start,
        created_at__lt=end,
    ).values_list("object_id", flat=True)
    best = (
        Workflow.objects.filter(
            _shared(), organization=organization, public_id__in=list(published_ids)
        )
        .annotate(avg_rating=Avg("runs__rating"))
        .filter(avg_rating__isnull=False)
        .order_by("-avg_rating", "-star_count", "id")
        .select_related("owner")
        .first()
    )
    if best is not None and not opted_out(organization, best.owner):
        found.append(Suggestion(BEST_RATED, workflow=best))

    reused = (
        Workflow.objects.filter(_shared(), organization=organization)
        .annotate(
            reuses=Count(
                "runs",
                filter=Q(
                    runs__started_at__gte=start,
                    runs__started_at__lt=end,
                    runs__status=RunStatus.COMPLETED,
                )
                & ~Q(runs__user=F("owner")),
            )
        )
        .filter(reuses__gt=0)
        .order_by("-reuses", "id")
        .select_related("owner")
    )
    for workflow in reused[:10]:
        if best is not None and workflow.pk == best.pk:
            continue
        if not opted_out(organization, workflow.owner):
            found.append(Suggestion(MOST_REUSED, workflow=workflow))
            break
    return found
