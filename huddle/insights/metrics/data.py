"""The raw material of every figure: SQL aggregates of the roll-up plus the live week.

Two groupings are read, each in one query on ``MemberWeek`` (complete weeks) and one on ``Run``
(the week holding ``as_of``, cut at the end of that day), merged by key:
- per (person, workflow) over the window: profiles, reuse, sharing, workflows;
- per (person, week) over the window and its lead-in: activity, the divide over time, phases.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from huddle.accounts.models import Membership, Organization, Team, Visibility
from huddle.core.models import Event
from huddle.insights import hooks, rollup
from huddle.insights.metrics.window import Window, day_start, monday
from huddle.insights.models import MemberWeek
from huddle.library.models import Workflow, WorkflowTag, WorkflowVersion

SHARED_VISIBILITIES = (Visibility.TEAM, Visibility.ORG)
REUSE = Q(workflow__isnull=False) & ~Q(workflow__owner_id=F("user_id"))
SHARED = Q(workflow__visibility__in=SHARED_VISIBILITIES)
SHARE_KINDS = ("workflow.published", "workflow.created")


class Tally(dict):
    """Summed figures (``rollup.NAMES`` and extras) with the derived values people read."""

    def add(self, row: dict[str, Any]) -> None:
        if isinstance(row, Tally):  # already summed: clean names, numbers only (the hot path)
            get = self.get
            for key, value in row.items():
                self[key] = get(key, 0) + value
            return
        for name, value in row.items():
            if value is not None and not isinstance(value, (date, datetime)):
                key = name.removeprefix(rollup.PREFIX)
                self[key] = self.get(key, 0) + value

    def n(self, name: str) -> float:
        return self.get(name, 0) or 0

    @property
    def rated(self) -> int:
        return int(sum(self.n(f"rating_{k}") for k in range(1, 6)))

    @property
    def median_rating(self) -> float | None:
        """Exact median from the count of each star (mean of the two middles when even)."""
        total = self.rated
        if not total:
            return None
        counts = [int(self.n(f"rating_{k}")) for k in range(1, 6)]

        def nth(index: int) -> int:
            seen = 0
            for star, count in enumerate(counts, start=1):
                seen += count
                if index < seen:
                    return star
            return 5

        return (nth((total - 1) // 2) + nth(total // 2)) / 2

    @property
    def mean_rating(self) -> float | None:
        total = self.rated
        if not total:
            return None
        return sum(k * self.n(f"rating_{k}") for k in range(1, 6)) / total

    @property
    def low_ratings(self) -> int:
        return int(self.n("rating_1") + self.n("rating_2"))

    @property
    def mean_edit_ratio(self) -> float | None:
        edited = self.n("edited_runs")
        return self.n("edit_ratio_sum") / edited if edited else None

    @property
    def speedup(self) -> float | None:
        """Σ baseline / Σ spent over timed runs: "6 hours to 30 minutes" = 12x."""
        spent = self.n("spent_sum")
        return self.n("baseline_sum") / spent if spent > 0 else None


@dataclass
class Scope:
    """An organisation, or one team of it: whose runs count and who the members are."""

    organization: Organization
    team: Team | None = None

    def memberships(self) -> QuerySet[Membership]:
        qs = Membership.objects.filter(organization=self.organization).select_related("user")
        if self.team is not None:
            qs = qs.filter(teams=self.team)
        return qs.order_by("user__email")

    def user_ids(self) -> QuerySet:
        """A subquery, so 2,000 members cost no parameter list."""
        return self.memberships().values("user_id")

    @property
    def label(self) -> str:
        return self.team.name if self.team else self.organization.name


GROUP_KEYS = frozenset({"user_id", "workflow_id", "week_start"})


def _merge(into: dict[Any, Tally], rows: Any, key: Any) -> None:
    """Sum each row's figures into ``into[key(row)]``. One row per key is the common case (the
    roll-up has a row per person, workflow and week), so a new key's tally is built in one go;
    the figure names are worked out once per query, not once per row."""
    names: list[tuple[str, str]] | None = None
    for row in rows:
        if names is None:
            names = [(k, k.removeprefix(rollup.PREFIX)) for k in row if k not in GROUP_KEYS]
        k = key(row)
        tally = into.get(k)
        if tally is None:
            into[k] = Tally({short: v for name, short in names if (v := row[name]) is not None})
            continue
        for name, short in names:
            value = row[name]
            if value is not None:
                tally[short] = tally.get(short, 0) + value


def _split(window: Window) -> tuple[list[date], date]:
    weeks = window.week_starts
    return weeks[:-1], weeks[-1]


def by_user_workflow(scope: Scope, window: Window) -> dict[tuple[int, int | None], Tally]:
    complete, live = _split(window)
    rollup.ensure(scope.organization, complete)
    out: dict[tuple[int, int | None], Tally] = {}
    rolled = (
        MemberWeek.objects.filter(
            organization=scope.organization, week_start__in=complete, user_id__in=scope.user_ids()
        )
        .order_by()
        .values("user_id", "workflow_id")
        .annotate(**rollup.rollup_aggregates())
    )
    _merge(out, rolled, lambda r: (r["user_id"], r["workflow_id"]))
    current = (
        rollup.week_runs(scope.organization, live, window.until)
        .filter(user_id__in=scope.user_ids())
        .order_by()
        .values("user_id", "workflow_id")
        .annotate(**rollup.FIELDS)
    )
    _merge(out, current, lambda r: (r["user_id"], r["workflow_id"]))
    return out


def by_user_week(scope: Scope, window: Window) -> dict[tuple[int, date], Tally]:
    """Per person and week, with ``reuse_runs`` (on others' workflows) and ``shared_runs``."""
    complete, live = _split(window)
    rollup.ensure(scope.organization, complete)
    out: dict[tuple[int, date], Tally] = {}
    rolled = (
        MemberWeek.objects.filter(
            organization=scope.organization, week_start__in=complete, user_id__in=scope.user_ids()
        )
        .order_by()
        .values("user_id", "week_start")
        .annotate(
            **rollup.rollup_aggregates(),
            t_reuse_runs=Sum("runs", filter=REUSE),
            t_shared_runs=Sum("runs", filter=SHARED),
        )
    )
    _merge(out, rolled, lambda r: (r["user_id"], r["week_start"]))
    current = (
        rollup.week_runs(scope.organization, live, window.until)
        .filter(user_id__in=scope.user_ids())
        .order_by()
        .values("user_id")
        .annotate(
            **rollup.FIELDS,
            t_reuse_runs=Count("id", filter=REUSE),
            t_shared_runs=Count("id", filter=SHARED),
        )
    )
    _merge(out, current, lambda r: (r["user_id"], live))
    return out


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


def brand_scores(scope: Scope, window: Window) -> dict[int, tuple[float, int]]:
    """Per member: (sum, count) of the on-brand scores stored on their runs in the window."""
    from django.db.models import Count, Sum

    from huddle.brand.models import RunBrandCheck

    rows = (
        RunBrandCheck.objects.filter(
            run__organization=scope.organization,
            run__user__in=scope.user_ids(),
            run__started_at__gte=day_start(window.start),
            run__started_at__lt=window.until,
        )
        .values("run__user_id")
        .annotate(total=Sum("score"), n=Count("id"))
    )
    return {row["run__user_id"]: (float(row["total"]), row["n"]) for row in rows}
