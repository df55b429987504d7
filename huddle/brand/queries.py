"""Reads of stored brand checks, for run pages and insights' quality factor."""

from __future__ import annotations

from django.db.models import Avg, QuerySet

from huddle.brand.models import RunBrandCheck
from huddle.runs.models import Run


def brand_score_for(run: Run) -> int | None:
    """The on-brand score stored when the run was saved, or None when it was never checked."""
    return RunBrandCheck.objects.filter(run=run).values_list("score", flat=True).first()


def brand_scores(runs: QuerySet[Run]) -> dict[int, int]:
    """Run pk → score for the checked runs among ``runs`` (one query)."""
    return dict(RunBrandCheck.objects.filter(run__in=runs).values_list("run_id", "score"))


def average_brand_score(runs: QuerySet[Run]) -> float | None:
    """The mean score over the checked runs among ``runs`` (None when none was checked).

    ``runs`` should already be scoped (``runs.queries.visible_runs`` or an organisation's runs
    for aggregates); this adds no access rule of its own."""
    value = RunBrandCheck.objects.filter(run__in=runs).aggregate(avg=Avg("score"))["avg"]
    return round(value, 1) if value is not None else None
