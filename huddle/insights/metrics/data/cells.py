"""Per (person, workflow) over the window: what profiles, reuse, sharing and the workflows'
figures are computed from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from huddle.insights import rollup
from huddle.insights.metrics.data import history
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.tally import Tally
from huddle.insights.metrics.window import Window
from huddle.insights.models import MemberWeek


@dataclass
class Cells:
    """Runs per (person, workflow) over the window, and every figure summed per person and per
    workflow (``None``: ad-hoc runs). The sums are what profiles and the leaderboard read; the
    pairs say who ran what (reuse, influence, the knowledge flow, suggestions)."""

    runs: dict[tuple[int, int | None], int]
    by_user: dict[int, Tally]
    by_workflow: dict[int | None, Tally]


def _summed(cells: dict[tuple[int, int | None], Tally], axis: int) -> dict[Any, Tally]:
    out: dict[Any, Tally] = {}
    for key, tally in cells.items():
        known = out.get(key[axis])
        if known is None:
            out[key[axis]] = Tally(tally)
        else:
            known.add(tally)
    return out


@dataclass
class _CellHistory:
    """Rolled-up weeks: runs per (person, workflow), every figure per person and per workflow.
    No tally per (person, workflow) is kept: they were most of the cached bytes and of the time
    to read them back (20 of 300 ms a view at 1M runs)."""

    runs: dict[tuple[int, int | None], int]
    by_user: dict[int, Tally]
    by_workflow: dict[int | None, Tally]  # over everyone who ran something


def by_user_workflow(scope: Scope, window: Window) -> Cells:
    rolled, _since = history.rolled(scope, window)
    organization = scope.organization

    def build() -> _CellHistory:
        rows = (
            MemberWeek.objects.filter(organization=organization, week_start__in=rolled)
            .order_by()
            .values("user_id", "workflow_id")
            .annotate(**rollup.rollup_aggregates())
            .values_list("user_id", "workflow_id", *rollup.FIELDS)
        )
        cells = history.tallies(history.fetch(rows), rollup.NAMES, 2)
        runs = {key: int(tally.n("runs")) for key, tally in cells.items()}
        return _CellHistory(runs, _summed(cells, 0), _summed(cells, 1))

    members = set(scope.member_ids())
    past: _CellHistory = history.cached(scope, "cells", rolled, build)
    live_cells = history.live_cells(scope, window)
    runs = {key: n for key, n in past.runs.items() if key[0] in members}
    for key, tally in live_cells.items():
        runs[key] = runs.get(key, 0) + int(tally.n("runs"))
    by_user = {u: t for u, t in past.by_user.items() if u in members}
    history.add_live(by_user, _summed(live_cells, 0))
    if past.by_user.keys() <= members:  # no one outside the scope ran anything
        by_workflow = dict(past.by_workflow)
    else:  # a team, or people who left the organisation: the scope's own sums per workflow

        def build_scoped() -> dict[int | None, Tally]:
            rows = (
                MemberWeek.objects.filter(
                    organization=organization,
                    week_start__in=rolled,
                    user_id__in=scope.user_ids(),
                )
                .order_by()
                .values("workflow_id")
                .annotate(**rollup.rollup_aggregates())
                .values_list("workflow_id", *rollup.FIELDS)
            )
            return history.tallies(history.fetch(rows), rollup.NAMES, 1)

        who = hashlib.sha256(repr(sorted(members)).encode()).hexdigest()[:16]
        by_workflow = dict(history.cached(scope, f"cells-by-workflow:{who}", rolled, build_scoped))
    history.add_live(by_workflow, _summed(live_cells, 1))
    return Cells(runs, by_user, by_workflow)
