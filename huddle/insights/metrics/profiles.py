"""Member profiles: what each member did in the window, from the two groupings of ``data``
(``data.cells`` and ``data.weeks``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from huddle.accounts.models import display_name
from huddle.insights.metrics.data import counts
from huddle.insights.metrics.data.cells import Cells, by_user_workflow
from huddle.insights.metrics.data.scope import Scope, WorkflowMeta
from huddle.insights.metrics.data.weeks import WeekGrid, by_user_week
from huddle.insights.metrics.tally import Tally
from huddle.insights.metrics.window import LEAD_WEEKS, Window


@dataclass
class MemberProfile:
    user_id: int
    email: str
    name: str
    membership_id: str  # the membership's public id: member pages use it
    role: str
    weeks: int  # weeks in the window
    tally: Tally = field(default_factory=Tally)
    weekly_runs: list[int] = field(default_factory=list)
    weekly_minutes: list[float] = field(default_factory=list)
    workflows_used: set[int] = field(default_factory=set)
    chain_runs: int = 0
    context_runs: int = 0
    workflow_runs: int = 0  # runs of a library workflow (not ad-hoc)
    learning_runs: int = 0  # runs of workflows someone else owns
    influence_runs: int = 0  # others' runs of workflows this member owns
    influenced: set[int] = field(default_factory=set)  # who ran them
    shared_runs: int = 0  # runs of team / organisation workflows
    shares: int = 0
    captures: int = 0
    brand_score: float | None = None  # mean on-brand score of the checked runs (0 to 100)
    # Filled by ``score``:
    components: dict[str, float] = field(default_factory=dict)
    z: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    power_user: bool = False
    reasons: list[str] = field(default_factory=list)
    segment: str = "skeptic"

    @property
    def runs(self) -> int:
        return int(self.tally.n("runs"))

    @cached_property
    def active_weeks(self) -> int:
        """Weeks with a run (``weekly_runs`` is set once, when the profile is loaded)."""
        return sum(1 for n in self.weekly_runs if n)

    @property
    def runs_per_active_week(self) -> float:
        return self.runs / self.active_weeks if self.active_weeks else 0.0

    @property
    def distinct_workflows(self) -> int:
        return len(self.workflows_used)

    @property
    def minutes_saved(self) -> float:
        return round(self.tally.n("minutes_saved"), 1)

    @property
    def learning_share(self) -> float | None:
        return self.learning_runs / self.workflow_runs if self.workflow_runs else None

    @property
    def median_rating(self) -> float | None:
        return self.tally.median_rating

    @property
    def mean_edit_ratio(self) -> float | None:
        return self.tally.mean_edit_ratio

    @property
    def first_half_runs(self) -> int:
        return sum(self.weekly_runs[: self.weeks // 2])

    @property
    def second_half_runs(self) -> int:
        return sum(self.weekly_runs[self.weeks // 2 :])

    @property
    def display_name(self) -> str:
        return display_name(self.name, self.email)

    def as_dict(self) -> dict[str, object]:
        def r(value: float | None, digits: int = 2) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "email": self.email,
            "name": self.display_name,
            "role": self.role,
            "runs": self.runs,
            "active_weeks": self.active_weeks,
            "runs_per_active_week": r(self.runs_per_active_week, 1),
            "distinct_workflows": self.distinct_workflows,
            "chain_runs": self.chain_runs,
            "context_runs": self.context_runs,
            "learning_share": r(self.learning_share),
            "influence_runs": self.influence_runs,
            "influenced_people": len(self.influenced),
            "median_rating": self.median_rating,
            "mean_edit_ratio": r(self.mean_edit_ratio),
            "minutes_saved": self.minutes_saved,
            "shares": self.shares,
            "captures": self.captures,
            "brand_score": r(self.brand_score, 1),
            "score": round(self.score, 2),
            "segment": self.segment,
            "power_user": self.power_user,
            "reasons": list(self.reasons),
        }


@dataclass
class Material:
    """Everything the figures are computed from, loaded once per report."""

    scope: Scope
    window: Window
    profiles: list[MemberProfile]
    cells: Cells  # runs per (person, workflow) and figures per person and per workflow
    weeks: WeekGrid  # per person and week, over the window and its lead-in
    lead_window: Window
    workflows: dict[int, WorkflowMeta]
    shares: dict[tuple[int, date], int]
    captures_tracked: bool
    # Runs of one member's workflows by another, per (author, user) among the scope's members:
    # gathered in the same pass over the (person, workflow) pairs as the profiles.
    links: dict[tuple[int, int], int] = field(default_factory=dict)


def load(scope: Scope, window: Window) -> Material:
    scope = scope.pinned()
    memberships = scope.memberships().values_list(
        "user_id", "user__email", "user__name", "public_id", "role"
    )
    lead = window.extended(LEAD_WEEKS)
    cells = by_user_workflow(scope, window)
    weeks = by_user_week(scope, lead)
    metas = scope.workflow_metas()
    shares = counts.shares(scope, lead)
    captures = counts.captures_made(scope, window)
    brand = counts.brand_scores(scope, window)
    in_window = set(window.week_starts)
    offset = lead.weeks - window.weeks  # the window's columns in the lead-in grid

    profiles: dict[int, MemberProfile] = {}
    for user_id, email, name, public_id, role in memberships:
        row = weeks.rows.get(user_id)
        profiles[user_id] = MemberProfile(
            user_id=user_id,
            email=email,
            name=name,
            membership_id=str(public_id),
            role=role,
            weeks=window.weeks,
            weekly_runs=(
                weeks.runs[row, offset:].tolist() if row is not None else [0] * window.weeks
            ),
            weekly_minutes=(
                weeks.minutes[row, offset:].tolist() if row is not None else [0.0] * window.weeks
            ),
        )
    for user_id, tally in cells.by_user.items():
        p = profiles.get(user_id)
        if p is not None:
            p.tally = Tally(tally)  # a copy: the history's tallies are shared
    links: dict[tuple[int, int], int] = defaultdict(int)
    for (user_id, workflow_id), runs in cells.runs.items():
        p = profiles.get(user_id)
        meta = metas.get(workflow_id) if workflow_id is not None else None
        if p is None or meta is None:
            continue
        p.workflows_used.add(meta.id)
        p.workflow_runs += runs
        p.chain_runs += runs if meta.chain else 0
        p.context_runs += runs if meta.uses_context else 0
        p.shared_runs += runs if meta.shared else 0
        if meta.owner_id != user_id:
            p.learning_runs += runs
            owner = profiles.get(meta.owner_id)
            if owner is not None:
                owner.influence_runs += runs
                owner.influenced.add(user_id)
                links[(meta.owner_id, user_id)] += runs
    for (user_id, week), count in shares.items():
        if week in in_window and user_id in profiles:
            profiles[user_id].shares += count
    for (user_id, _week), count in captures.items():
        if user_id in profiles:
            profiles[user_id].captures += count
    for user_id, (total, n) in brand.items():
        if user_id in profiles and n:
            profiles[user_id].brand_score = total / n
    return Material(
        scope=scope,
        window=window,
        profiles=list(profiles.values()),
        cells=cells,
        weeks=weeks,
        lead_window=lead,
        workflows=metas,
        shares=shares,
        captures_tracked=True,  # capture sits below insights: always counted
        links=dict(links),
    )
