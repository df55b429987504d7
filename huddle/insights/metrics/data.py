"""The raw material of every figure: SQL aggregates of the roll-up plus the runs not rolled up.

Two groupings are read, each in one query on ``MemberWeek`` (the rolled-up weeks: complete
weeks, and the week in progress up to today when ``as_of`` is today; see ``_rolled``) and one on
``Run`` (the rest, cut at the end of the ``as_of`` day), added up by key. The rolled-up part is
history: it is kept in the cache per state of the roll-up (``_history``), so a page view while
runs keep arriving reads only today's runs from ``Run``:
- per (person, workflow) over the window: profiles, reuse, sharing, workflows;
- per (person, week) over the window and its lead-in: activity, the divide over time, phases.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from huddle.accounts.models import Membership, Organization, Team, Visibility
from huddle.capture.insights import captures_per_week
from huddle.core.models import Event
from huddle.insights import hooks, rollup
from huddle.insights.metrics import window as window_module
from huddle.insights.metrics.tally import Tally
from huddle.insights.metrics.window import Window, day_start, monday
from huddle.insights.models import MemberWeek, RolledWeek
from huddle.library.models import Workflow, WorkflowTag, WorkflowVersion

SHARED_VISIBILITIES = (Visibility.TEAM, Visibility.ORG)
REUSE = Q(workflow__isnull=False) & ~Q(workflow__owner_id=F("user_id"))


@dataclass
class Scope:
    """An organisation, or one team of it: whose runs count and who the members are."""

    organization: Organization
    team: Team | None = None
    # Set by ``pinned``: answers kept for the length of one report (see there).
    _kept: dict[Any, Any] | None = field(default=None, repr=False, compare=False)
    # The members the identity provider places there, e.g. ("department", "Legal"): a field of
    # ``sso.MemberAttributes`` and its value (insights by department and region).
    attribute: tuple[str, str] | None = None

    def pinned(self) -> Scope:
        """A copy that remembers its members and the workflows' state once looked up, so the
        several readings of one report ask once. Made per report, never kept longer."""
        return Scope(self.organization, self.team, {}, self.attribute)

    def _keep(self, key: Any, compute: Any) -> Any:
        if self._kept is None:
            return compute()
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]

    def member_ids(self) -> list[int]:
        return self._keep(
            "members", lambda: list(self.user_ids().values_list("user_id", flat=True))
        )

    def workflow_metas(self) -> dict[int, WorkflowMeta]:
        return self._keep("metas", lambda: _kept_workflows(self))

    def workflows_state(self) -> dict[str, Any]:
        """How many workflows the organisation has and when one last changed."""
        from django.db.models import Max

        return self._keep(
            "workflows",
            lambda: Workflow.objects.filter(organization=self.organization).aggregate(
                n=Count("id"), last=Max("updated_at")
            ),
        )

    def memberships(self) -> QuerySet[Membership]:
        qs = Membership.objects.filter(organization=self.organization).select_related("user")
        if self.team is not None:
            qs = qs.filter(teams=self.team)
        if self.attribute is not None:
            name, value = self.attribute
            # One filter() call: both conditions hold for the same attributes row.
            qs = qs.filter(
                user__member_attributes__organization=self.organization,
                **{f"user__member_attributes__{name}": value},
            )
        return qs.order_by("user__email")

    def user_ids(self) -> QuerySet:
        """A subquery, so 2,000 members cost no parameter list."""
        return self.memberships().values("user_id")

    @property
    def label(self) -> str:
        if self.attribute is not None:
            return self.attribute[1]
        return self.team.name if self.team else self.organization.name


HISTORY_SECONDS = 3600


def _tallies(rows: Any, names: list[str], width: int) -> dict[Any, Tally]:
    """Rows of ``width`` group keys then one value per name, as ``{keys: Tally}`` (no Nones)."""
    out: dict[Any, Tally] = {}
    for row in rows:
        key = row[:width] if width > 1 else row[0]
        out[key] = Tally({n: v for n, v in zip(names, row[width:], strict=True) if v is not None})
    return out


def _fetch(queryset: QuerySet) -> list[tuple[Any, ...]]:
    """A ``values_list`` of numbers as plain rows: the database's ints and floats need none of
    the ORM's per-value converters, which cost more than the query on 20,000 rows."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _add_live(into: dict[Any, Tally], live: dict[Any, Tally]) -> None:
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


def _history(scope: Scope, kind: str, weeks: list[date], build: Any) -> Any:
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


def _split(window: Window) -> tuple[list[date], date]:
    weeks = window.week_starts
    return weeks[:-1], weeks[-1]


def _rolled(scope: Scope, window: Window) -> tuple[list[date], datetime]:
    """The weeks of ``window`` read from the roll-up, and when the runs read live start.

    Complete weeks are always rolled up. When ``as_of`` is today, the week in progress is too,
    up to the start of today (``rollup.ensure_partial``, rebuilt once a day or when a run of an
    earlier day changes): then it belongs with the history, cached under its marker like any
    week, and only today's runs are read from ``Run`` on each view. Otherwise (``as_of`` in the
    past, or a Monday) the whole week holding ``as_of`` is read from runs.
    """
    complete, live = _split(window)
    organization = scope.organization
    rollup.ensure(organization, complete)

    def partial() -> bool:
        day = window_module.today()
        return window.as_of == day and rollup.ensure_partial(organization, live, day)

    if scope._keep(("partial", live, window.as_of), partial):
        return [*complete, live], day_start(window_module.today())
    return complete, day_start(live)


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


def _live_cells(scope: Scope, window: Window) -> dict[tuple[int, int | None], Tally]:
    """The figures of the runs not rolled up (``_rolled``: today's, or the whole week holding
    ``as_of``) per (person of the scope, workflow), once per report (both groupings use them)."""
    live, until = window.week_starts[-1], window.until
    _weeks, since = _rolled(scope, window)

    def read() -> dict[tuple[int, int | None], Tally]:
        current = (
            rollup.week_runs(scope.organization, live, until)
            .filter(started_at__gte=since, user_id__in=scope.user_ids())
            .order_by()
            .values("user_id", "workflow_id")
            .annotate(**rollup.FIELDS)
            .values_list("user_id", "workflow_id", *rollup.FIELDS)
        )
        return _tallies(_fetch(current), rollup.NAMES, 2)

    return scope._keep(("live", live, until, since), read)


def by_user_workflow(scope: Scope, window: Window) -> Cells:
    rolled, _since = _rolled(scope, window)
    organization = scope.organization

    def build() -> _CellHistory:
        rows = (
            MemberWeek.objects.filter(organization=organization, week_start__in=rolled)
            .order_by()
            .values("user_id", "workflow_id")
            .annotate(**rollup.rollup_aggregates())
            .values_list("user_id", "workflow_id", *rollup.FIELDS)
        )
        cells = _tallies(_fetch(rows), rollup.NAMES, 2)
        runs = {key: int(tally.n("runs")) for key, tally in cells.items()}
        return _CellHistory(runs, _summed(cells, 0), _summed(cells, 1))

    members = set(scope.member_ids())
    history: _CellHistory = _history(scope, "cells", rolled, build)
    live_cells = _live_cells(scope, window)
    runs = {key: n for key, n in history.runs.items() if key[0] in members}
    for key, tally in live_cells.items():
        runs[key] = runs.get(key, 0) + int(tally.n("runs"))
    by_user = {u: t for u, t in history.by_user.items() if u in members}
    _add_live(by_user, _summed(live_cells, 0))
    if history.by_user.keys() <= members:  # no one outside the scope ran anything
        by_workflow = dict(history.by_workflow)
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
            return _tallies(_fetch(rows), rollup.NAMES, 1)

        who = hashlib.sha256(repr(sorted(members)).encode()).hexdigest()[:16]
        by_workflow = dict(_history(scope, f"cells-by-workflow:{who}", rolled, build_scoped))
    _add_live(by_workflow, _summed(live_cells, 1))
    return Cells(runs, by_user, by_workflow)


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
    rolled, _since = _rolled(scope, window)
    organization = scope.organization
    figures = {
        "t_runs": Sum("runs"),
        "t_minutes_saved": Sum("minutes_saved"),
        "t_reuse_runs": Sum("runs", filter=REUSE),
    }

    def build() -> WeekGrid:
        rows = _fetch(
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
    history: WeekGrid = _history(scope, "weeks", rolled, build)
    grid = WeekGrid.empty(window.week_starts, members)
    pairs = [(i, history.rows[u]) for i, u in enumerate(members) if u in history.rows]
    if pairs:
        dst, src = (list(x) for x in zip(*pairs, strict=True))
        last = len(rolled)
        grid.runs[dst, :last] = history.runs[src]
        grid.minutes[dst, :last] = history.minutes[src]
        grid.reuse[dst, :last] = history.reuse[src]
    # Runs not rolled up from the same grouped read as the per-workflow figures, into the last
    # column (the week holding ``as_of``): reuse is a run of a workflow someone else owns (as
    # ``REUSE`` says for the roll-up).
    column, metas = len(window.week_starts) - 1, scope.workflow_metas()
    for (user_id, workflow_id), tally in _live_cells(scope, window).items():
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


@dataclass
class WorkflowMeta:
    id: int
    public_id: str
    slug: str
    title: str
    owner_id: int
    team_id: int | None
    visibility: str
    status: str
    kind: str
    tags: set[str] = field(default_factory=set)
    uses_context: bool = False

    @property
    def shared(self) -> bool:
        return self.visibility in SHARED_VISIBILITIES

    @property
    def chain(self) -> bool:
        return self.kind == "chain"


def workflows(organization: Organization) -> dict[int, WorkflowMeta]:
    """Every workflow of the organisation (a few columns), with tags and context use."""
    columns = ("id", "public_id", "slug", "title", "owner_id", "team_id", "visibility")
    metas = {
        row["id"]: WorkflowMeta(**{**row, "public_id": str(row["public_id"])})
        for row in Workflow.objects.filter(organization=organization).values(
            *columns, "status", "kind"
        )
    }
    for workflow_id, name in WorkflowTag.objects.filter(organization=organization).values_list(
        "workflow_id", "name"
    ):
        if workflow_id in metas:
            metas[workflow_id].tags.add(name)
    with_context = (
        WorkflowVersion.objects.filter(workflow__organization=organization)
        .exclude(context_refs=[])
        .values_list("workflow_id", flat=True)
        .distinct()
    )
    for workflow_id in with_context:
        if workflow_id in metas:
            metas[workflow_id].uses_context = True
    return metas


def _kept_workflows(scope: Scope) -> dict[int, WorkflowMeta]:
    """``workflows``, kept in the cache while the organisation's workflows and versions stay as
    they are: their count and newest change (every edit of a workflow's fields or tags saves
    it) and the newest version (context references live on versions). Reading them afresh was
    a twentieth of a warm report at 2,000 workflows (docs/performance.md)."""
    from django.core.cache import cache
    from django.db.models import Max

    organization = scope.organization
    newest_version = WorkflowVersion.objects.filter(workflow__organization=organization).aggregate(
        m=Max("id")
    )["m"]
    state = repr((scope.workflows_state(), newest_version))
    key = f"insights:workflows:{organization.pk}:{hashlib.sha256(state.encode()).hexdigest()[:32]}"
    return cache.get_or_set(key, lambda: workflows(organization), HISTORY_SECONDS)


def shares(scope: Scope, window: Window) -> dict[tuple[int, date], int]:
    """Workflows made visible to others, per person and week: ``workflow.published`` events
    and workflows created straight into a team or the organisation."""
    since, until = day_start(window.start), window.until
    events = Event.objects.filter(
        organization=scope.organization,
        created_at__gte=since,
        created_at__lt=until,
        actor_id__in=scope.user_ids(),
    ).filter(
        Q(kind="workflow.published")
        | Q(kind="workflow.created", data__visibility__in=list(SHARED_VISIBILITIES))
    )
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for actor_id, created_at in events.values_list("actor_id", "created_at"):
        counts[(actor_id, monday(timezone.localtime(created_at).date()))] += 1
    return dict(counts)


def hooked(name: str, scope: Scope, window: Window) -> dict[tuple[int, date], int]:
    return hooks.weekly_counts(name, scope.organization, day_start(window.start), window.until)


def captures_made(scope: Scope, window: Window) -> dict[tuple[int, date], int]:
    """``{(user_id, monday): count}`` of captures made in the window (capture sits below)."""
    return captures_per_week(scope.organization, day_start(window.start), window.until)


def brand_scores(scope: Scope, window: Window) -> dict[int, tuple[float, int]]:
    """Per member: (sum, count) of the on-brand scores stored on their runs in the window.

    Complete weeks come from the history (a brand check saved or removed marks its run's week
    stale, see ``insights.apps``); the live week is read each time."""
    from huddle.brand.models import RunBrandCheck

    complete, live = _split(window)
    organization = scope.organization
    rollup.ensure(organization, complete)

    def per_user(since: datetime, until: datetime) -> dict[int, tuple[float, int]]:
        rows = (
            RunBrandCheck.objects.filter(
                run__organization=organization,
                run__started_at__gte=since,
                run__started_at__lt=until,
            )
            .values("run__user_id")
            .annotate(total=Sum("score"), n=Count("id"))
            .values_list("run__user_id", "total", "n")
        )
        return {user_id: (float(total), n) for user_id, total, n in rows}

    out: dict[int, tuple[float, int]] = {}
    if complete:
        out |= _history(
            scope,
            "brand",
            complete,
            lambda: per_user(day_start(complete[0]), day_start(live)),
        )
    for user_id, (total, n) in per_user(day_start(live), window.until).items():
        known_total, known_n = out.get(user_id, (0.0, 0))
        out[user_id] = (known_total + total, known_n + n)
    members = set(scope.member_ids())
    return {user_id: value for user_id, value in out.items() if user_id in members}
