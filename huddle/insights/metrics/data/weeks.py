"""Per (person, week) over a window and its lead-in: what activity, the divide over time and
the phases are computed from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import F, Q, Sum

from huddle.insights.metrics.data import history
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.window import Window
from huddle.insights.models import MemberWeek

REUSE = Q(workflow__isnull=False) & ~Q(workflow__owner_id=F("user_id"))


@dataclass
class WeekGrid:
    """Per person (rows) and week (columns) of a window: runs, minutes saved and ``reuse`` (runs
    of workflows someone else owns). Numpy arrays, so spans of weeks sum without Python loops."""

    weeks: list[date]
    rows: dict[int, int]  # user id -> row
    runs: np.ndarray
    minutes: np.ndarray
    reuse: np.ndarray

    @classmethod
    def empty(cls, weeks: list[date], user_ids: list[int]) -> WeekGrid:
        shape = (len(user_ids), len(weeks))
        return cls(
            weeks=weeks,
            rows={u: i for i, u in enumerate(user_ids)},
            runs=np.zeros(shape, dtype=np.int64),
            minutes=np.zeros(shape),
            reuse=np.zeros(shape, dtype=np.int64),
        )


def by_user_week(scope: Scope, window: Window) -> WeekGrid:
    """Per person of the scope and week of the window (rolled-up weeks from the history)."""
    rolled, _since = history.rolled(scope, window)
    organization = scope.organization
    figures = {
        "t_runs": Sum("runs"),
        "t_minutes_saved": Sum("minutes_saved"),
        "t_reuse_runs": Sum("runs", filter=REUSE),
    }

    def build() -> WeekGrid:
        rows = history.fetch(
            MemberWeek.objects.filter(organization=organization, week_start__in=rolled)
            .order_by()
            .values("user_id", "week_start")
            .annotate(**figures)
            .values_list("user_id", "week_start", *figures)
        )
        if not rows:
            return WeekGrid.empty(rolled, [])
        # Columns in numpy, not a Python call per (person, week): 100k cells at 1M runs. The
        # raw rows hold each week as the database returns it (a date, or text on SQLite).
        user_ids, week_values, runs, minutes, reuse = zip(*rows, strict=True)
        grid = WeekGrid.empty(rolled, sorted(set(user_ids)))
        column = {w: i for i, w in enumerate(rolled)} | {str(w): i for i, w in enumerate(rolled)}
        at = ([grid.rows[u] for u in user_ids], [column[w] for w in week_values])
        grid.runs[at] = runs
        grid.minutes[at] = minutes
        grid.reuse[at] = [n or 0 for n in reuse]  # SUM … FILTER of no row is NULL
        return grid

    members = scope.member_ids()
    past: WeekGrid = history.cached(scope, "weeks", rolled, build)
    grid = WeekGrid.empty(window.week_starts, members)
    pairs = [(i, past.rows[u]) for i, u in enumerate(members) if u in past.rows]
    if pairs:
        dst, src = (list(x) for x in zip(*pairs, strict=True))
        last = len(rolled)
        grid.runs[dst, :last] = past.runs[src]
        grid.minutes[dst, :last] = past.minutes[src]
        grid.reuse[dst, :last] = past.reuse[src]
    # Runs not rolled up from the same grouped read as the per-workflow figures, into the last
    # column (the week holding ``as_of``): reuse is a run of a workflow someone else owns (as
    # ``REUSE`` says for the roll-up).
    column, metas = len(window.week_starts) - 1, scope.workflow_metas()
    for (user_id, workflow_id), tally in history.live_cells(scope, window).items():
        row = grid.rows.get(user_id)
        if row is None:
            continue
        runs = tally.n("runs")
        grid.runs[row, column] += runs
        grid.minutes[row, column] += tally.n("minutes_saved")
        meta = metas.get(workflow_id) if workflow_id is not None else None
        if meta is not None and meta.owner_id != user_id:
            grid.reuse[row, column] += runs
    return grid
