"""Which weeks are read from the roll-up and which runs live, and the cache of the history.

Each grouping is read in one query on ``MemberWeek`` (the rolled-up weeks: complete weeks, and
the week in progress up to today when ``as_of`` is today; see ``rolled``) and one on ``Run``
(the rest, cut at the end of the ``as_of`` day), added up by key. The rolled-up part is history:
it is kept in the cache per state of the roll-up (``cached``), so a page view while runs keep
arriving reads only today's runs from ``Run``.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from huddle.insights import rollup
from huddle.insights.metrics import window as window_module
from huddle.insights.metrics.data.scope import HISTORY_SECONDS, Scope
from huddle.insights.metrics.tally import Tally
from huddle.insights.metrics.window import Window, day_start
from huddle.insights.models import RolledWeek


def tallies(rows: Any, names: list[str], width: int) -> dict[Any, Tally]:
    """Rows of ``width`` group keys then one value per name, as ``{keys: Tally}`` (no Nones)."""
    out: dict[Any, Tally] = {}
    for row in rows:
        key = row[:width] if width > 1 else row[0]
        out[key] = Tally({n: v for n, v in zip(names, row[width:], strict=True) if v is not None})
    return out


def fetch(queryset: QuerySet) -> list[tuple[Any, ...]]:
    """A ``values_list`` of numbers as plain rows: the database's ints and floats need none of
    the ORM's per-value converters, which cost more than the query on 20,000 rows."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def add_live(into: dict[Any, Tally], live: dict[Any, Tally]) -> None:
    """Add the live week's tallies; a key already there gets a new tally (the history one may
    be shared through the cache, so it is never changed in place)."""
    for key, tally in live.items():
        known = into.get(key)
        if known is None:
            into[key] = tally
        else:
            merged = Tally(known)
            merged.add(tally)
            into[key] = merged


def cached(scope: Scope, kind: str, weeks: list[date], build: Any) -> Any:
    """The figures of rolled-up weeks, built once per state of their roll-up.

    Rolled-up weeks change only when a run in them is saved or deleted (the roll-up rebuilds the
    week with a new ``rolled_at``; the week in progress also once a day) or when workflows
    change (owner and visibility decide what counts as reuse), so the key is those markers plus
    the workflows' count and newest update: anything else — above all today's new runs — leaves
    the history as it is.
    """
    from django.core.cache import cache

    organization = scope.organization
    markers = list(
        RolledWeek.objects.filter(organization=organization, week_start__in=weeks)
        .order_by("week_start")
        .values_list("week_start", "rolled_at")
    )
    workflows_state = scope.workflows_state()
    digest = hashlib.sha256(repr((weeks, markers, workflows_state)).encode()).hexdigest()[:32]
    key = f"insights:history:{kind}:{organization.pk}:{digest}"
    return cache.get_or_set(key, build, HISTORY_SECONDS)


def split(window: Window) -> tuple[list[date], date]:
    """The complete weeks of ``window`` and the week holding ``as_of``."""
    weeks = window.week_starts
    return weeks[:-1], weeks[-1]


def rolled(scope: Scope, window: Window) -> tuple[list[date], datetime]:
    """The weeks of ``window`` read from the roll-up, and when the runs read live start.

    Complete weeks are always rolled up. When ``as_of`` is today, the week in progress is too,
    up to the start of today (``rollup.ensure_partial``, rebuilt once a day or when a run of an
    earlier day changes): then it belongs with the history, cached under its marker like any
    week, and only today's runs are read from ``Run`` on each view. Otherwise (``as_of`` in the
    past, or a Monday) the whole week holding ``as_of`` is read from runs.
    """
    complete, live = split(window)
    organization = scope.organization
    rollup.ensure(organization, complete)

    def partial() -> bool:
        day = window_module.today()
        return window.as_of == day and rollup.ensure_partial(organization, live, day)

    if scope.keep(("partial", live, window.as_of), partial):
        return [*complete, live], day_start(window_module.today())
    return complete, day_start(live)


def live_cells(scope: Scope, window: Window) -> dict[tuple[int, int | None], Tally]:
    """The figures of the runs not rolled up (``rolled``: today's, or the whole week holding
    ``as_of``) per (person of the scope, workflow), once per report (both groupings use them)."""
    live, until = window.week_starts[-1], window.until
    _weeks, since = rolled(scope, window)

    def read() -> dict[tuple[int, int | None], Tally]:
        current = (
            rollup.week_runs(scope.organization, live, until)
            .filter(started_at__gte=since, user_id__in=scope.user_ids())
            .order_by()
            .values("user_id", "workflow_id")
            .annotate(**rollup.FIELDS)
            .values_list("user_id", "workflow_id", *rollup.FIELDS)
        )
        return tallies(fetch(current), rollup.NAMES, 2)

    return scope.keep(("live", live, until, since), read)
