"""The weekly roll-up: ``MemberWeek`` rows are SQL aggregates of runs per person, workflow, week.

Design (see docs/design-notes.md, "Insights"):
- Complete weeks are rolled up (and the week in progress up to today, below). A week is fresh when
  a ``RolledWeek`` marker exists; saving or deleting a run deletes the marker of its week (a
  signal), and bulk writers that bypass signals call ``invalidate``. Reads call ``ensure`` first,
  which rebuilds the stale weeks of the period (one ``INSERT … SELECT … GROUP BY`` statement per
  week over the covering ``run_rollup`` index, so no run travels through Python), and the cost of
  a page is the handful of weeks that changed, never every run.
- The worker keeps the roll-up current ahead of any view (``catch_up``, every few minutes from
  ``insights.tasks``; ``huddle rollup`` by hand): weeks as they end, the week in progress once a
  day, and the whole history of an organisation that never had one (after an upgrade or a bulk
  load). A view that finds a week stale still rolls it up itself, so figures are never wrong,
  only slower, when no worker runs.
- The week holding ``as_of`` is aggregated live from ``Run`` with the ``as_of`` cut-off, which
  is what makes any ``as_of`` reproducible. When ``as_of`` is today, that week's earlier days are
  rolled up too (``ensure_partial``, a marker with ``until`` = today, rebuilt once a day) and only
  today's runs are read from ``Run``; a run of today leaves that marker alone.
- ``FIELDS`` below are the one definition of each figure, used both to build the roll-up from runs
  and to aggregate the live week, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.aggregates import Aggregate

from huddle.accounts.models import Organization
from huddle.insights.metrics.window import LEAD_WEEKS, MAX_WEEKS, day_start, monday, today
from huddle.insights.models import MemberWeek, RolledWeek
from huddle.runs.models import Run, RunStatus

TIMED = Q(status=RunStatus.COMPLETED, minutes_spent__isnull=False, baseline_minutes__isnull=False)
EDITED = Q(edit_ratio__isnull=False)
HEAVY_EDIT = 0.5

# name -> aggregate over Run rows. MemberWeek has a column of each name holding that aggregate.
# Queries annotate them as ``t_<name>`` (``PREFIX``) so they never clash with model fields.
PREFIX = "t_"
_FIELDS: dict[str, Aggregate] = {
    "runs": Count("id"),
    "failed_runs": Count("id", filter=Q(status=RunStatus.FAILED)),
    "timed_runs": Count("id", filter=TIMED),
    "minutes_saved": Sum(F("baseline_minutes") - F("minutes_spent"), filter=TIMED),
    "baseline_sum": Sum("baseline_minutes", filter=TIMED),
    "spent_sum": Sum("minutes_spent", filter=TIMED),
    **{f"rating_{k}": Count("id", filter=Q(rating=k)) for k in range(1, 6)},
    "edited_runs": Count("id", filter=EDITED),
    "edit_ratio_sum": Sum("edit_ratio", filter=EDITED),
    "heavy_edits": Count("id", filter=Q(edit_ratio__gte=HEAVY_EDIT)),
}
NAMES = list(_FIELDS)
FIELDS: dict[str, Aggregate] = {PREFIX + name: agg for name, agg in _FIELDS.items()}


def rollup_aggregates() -> dict[str, Aggregate]:
    """The same figures summed over ``MemberWeek`` rows."""
    return {PREFIX + name: Sum(name) for name in NAMES}


def week_runs(organization: Organization, week_start: date, until: datetime | None = None):
    """Runs of the organisation started in the week (and before ``until`` when given)."""
    end = day_start(week_start + timedelta(days=7))
    if until is not None:
        end = min(end, until)
    return Run.objects.filter(
        organization=organization, started_at__gte=day_start(week_start), started_at__lt=end
    )


def _insert_sql(
    organization: Organization, week_start: date, until: date | None = None
) -> tuple[str, list[Any]]:
    """``INSERT … SELECT … GROUP BY``: the week's roll-up rows computed and written by the
    database in one statement (no row travels through Python); only runs before ``until`` when
    given (the week in progress)."""
    grouped = (
        week_runs(organization, week_start, day_start(until) if until is not None else None)
        .order_by()
        .values("user_id", "workflow_id")
        .annotate(**FIELDS)
    )
    select, params = grouped.query.sql_with_params()
    q = connection.ops.quote_name
    columns = ["organization_id", "week_start", "user_id", "workflow_id", *NAMES]
    values = ["%s", "%s", "g.user_id", "g.workflow_id"] + [
        f"COALESCE(g.{q(PREFIX + name)}, 0)" for name in NAMES
    ]
    sql = (
        f"INSERT INTO {q(MemberWeek._meta.db_table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(values)} FROM ({select}) g"
    )
    return sql, [organization.pk, connection.ops.adapt_datefield_value(week_start), *params]


def _refresh_week(organization: Organization, week_start: date, until: date | None = None) -> None:
    sql, params = _insert_sql(organization, week_start, until)
    try:
        with transaction.atomic():
            # A marker of another extent (yesterday's partial roll-up of a week that is now over,
            # or of today) goes; then the new marker first: a concurrent refresher of the same
            # week fails on it and leaves the work to this one instead of inserting rows twice.
            RolledWeek.objects.filter(organization=organization, week_start=week_start).delete()
            RolledWeek.objects.create(organization=organization, week_start=week_start, until=until)
            MemberWeek.objects.filter(organization=organization, week_start=week_start).delete()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
    except IntegrityError:
        return


def complete(week_start: date) -> bool:
    """A week is over (and may be rolled up) once its Sunday is past."""
    return week_start + timedelta(days=7) <= today()


def stale(organization: Organization, week_starts: Iterable[date]) -> list[date]:
    """The complete weeks among ``week_starts`` whose roll-up is missing or out of date."""
    wanted = {w for w in week_starts if complete(w)}
    if not wanted:
        return []
    fresh = set(
        RolledWeek.objects.filter(
            organization=organization, week_start__in=wanted, until__isnull=True
        ).values_list("week_start", flat=True)
    )
    return sorted(wanted - fresh)


def ensure(
    organization: Organization,
    week_starts: Iterable[date],
    *,
    on_week: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild the stale complete weeks among ``week_starts``; return how many were rebuilt.
    ``on_week(done, total)`` is called after each (a progress bar)."""
    weeks = stale(organization, week_starts)
    for done, week_start in enumerate(weeks, start=1):
        _refresh_week(organization, week_start)
        if on_week:
            on_week(done, len(weeks))
    return len(weeks)


def _partial(organization: Organization, week_start: date, day: date) -> QuerySet[RolledWeek]:
    """The marker of the week in progress rolled up to ``day``."""
    return RolledWeek.objects.filter(organization=organization, week_start=week_start, until=day)


def ensure_partial(organization: Organization, week_start: date, day: date) -> bool:
    """Roll up the week in progress up to the start of ``day`` (today): once a day, or again
    when a run of an earlier day of the week changes. False when there is nothing to roll up
    (``day`` is the week's Monday), so the caller reads the whole week from runs."""
    if day <= week_start:
        return False
    fresh = _partial(organization, week_start, day)
    if fresh.exists():
        return True
    _refresh_week(organization, week_start, until=day)
    # A concurrent rebuild that has not committed yet leaves no marker in sight: then this one
    # view reads the whole week from runs rather than yesterday's roll-up.
    return fresh.exists()


def catch_up(
    organization: Organization,
    *,
    weeks: int = MAX_WEEKS + LEAD_WEEKS,
    on_week: Callable[[int, int], None] | None = None,
) -> int:
    """Roll up what a view would otherwise roll up first: the stale complete weeks among the
    last ``weeks`` (by default every week the longest report reads, its lead-in included) and
    the week in progress up to today. An organisation without runs is left alone.

    The worker calls it for every organisation every few minutes (``insights.tasks``), and
    ``huddle rollup`` on demand, so a page view finds the roll-up current instead of paying for
    a backfill (a year of 1M runs from nothing: 2.7 s on SQLite, docs/performance.md).
    ``on_week(done, total)`` follows the stale weeks (a progress bar). Returns how many weeks
    were rebuilt, the week in progress included.
    """
    if not Run.objects.filter(organization=organization).exists():
        return 0
    day = today()
    this_week = monday(day)
    history = [this_week - timedelta(weeks=n) for n in range(weeks, 0, -1)]
    rebuilt = ensure(organization, history, on_week=on_week)
    if day > this_week and not _partial(organization, this_week, day).exists():
        ensure_partial(organization, this_week, day)
        rebuilt += 1
    return rebuilt


def invalidate(organization: Organization, week_starts: Iterable[date] | None = None) -> None:
    """Mark weeks (all when None) as stale, after writes that bypass ``Run`` signals."""
    markers = RolledWeek.objects.filter(organization=organization)
    if week_starts is not None:
        markers = markers.filter(week_start__in=list(week_starts))
    markers.delete()


def on_run_changed(sender: type, instance: Run, **kwargs: Any) -> None:
    """Signal receiver: the run's week is stale — unless only the week in progress is rolled up
    and the run is of a day it does not cover (today's runs are read live)."""
    if instance.started_at is None or instance.organization_id is None:
        return
    now = today()
    day = instance.started_at.astimezone(day_start(now).tzinfo).date()
    if day >= now:
        # No marker covers today: a partial one stops at the start of today and the week in
        # progress has no complete one. Skipping the statement keeps a run's write short.
        return
    RolledWeek.objects.filter(
        Q(until__isnull=True) | Q(until__gt=day),
        organization_id=instance.organization_id,
        week_start=monday(day),
    ).delete()


def on_brand_check_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """Signal receiver: a brand check's run's week is stale (its scores are history too)."""
    run = Run.objects.filter(pk=instance.run_id).only("organization_id", "started_at").first()
    if run is not None:
        on_run_changed(Run, run)
