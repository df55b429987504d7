"""Per-workflow figures: the leaderboard, institutionalisation, know-how at risk, gain lost."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from huddle.insights.metrics.data.scope import WorkflowMeta
from huddle.insights.metrics.profiles import Material
from huddle.insights.metrics.tally import Tally

# Know-how at risk: a private workflow that is used often, rated well and saves a lot.
AT_RISK_MIN_RUNS = 5
AT_RISK_MIN_SPEEDUP = 2.0
AT_RISK_MIN_RATING = 4.0
AT_RISK_MAX_EDIT = 0.3  # "rated well" for an unrated workflow: little edited by hand


@dataclass
class WorkflowFigures:
    meta: WorkflowMeta
    tally: Tally = field(default_factory=Tally)
    users: set[int] = field(default_factory=set)
    owner_runs: int = 0
    other_runs: int = 0

    @property
    def runs(self) -> int:
        return int(self.tally.n("runs"))

    @property
    def minutes_saved(self) -> float:
        return round(self.tally.n("minutes_saved"), 1)

    @property
    def saved_per_run(self) -> float | None:
        timed = self.tally.n("timed_runs")
        return self.tally.n("minutes_saved") / timed if timed else None

    @property
    def speedup(self) -> float | None:
        s = self.tally.speedup
        return round(s, 1) if s is not None else None

    @property
    def rated_well(self) -> bool:
        rating = self.tally.median_rating
        if rating is not None:
            return rating >= AT_RISK_MIN_RATING
        edits = self.tally.mean_edit_ratio
        return edits is not None and edits <= AT_RISK_MAX_EDIT

    @property
    def at_risk(self) -> bool:
        return (
            not self.meta.shared
            and self.meta.status != "archived"
            and self.runs >= AT_RISK_MIN_RUNS
            and (self.speedup or 0) >= AT_RISK_MIN_SPEEDUP
            and self.rated_well
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.meta.public_id,
            "slug": self.meta.slug,
            "title": self.meta.title,
            "visibility": self.meta.visibility,
            "status": self.meta.status,
            "runs": self.runs,
            "people": len(self.users),
            "minutes_saved": self.minutes_saved,
            "speedup": self.speedup,
            "median_rating": self.tally.median_rating,
        }


def per_workflow(material: Material) -> dict[int, WorkflowFigures]:
    out: dict[int, WorkflowFigures] = {}
    for workflow_id, tally in material.cells.by_workflow.items():
        meta = material.workflows.get(workflow_id) if workflow_id is not None else None
        if meta is not None:
            out[meta.id] = WorkflowFigures(meta, tally=Tally(tally))  # history's is shared
    for (user_id, workflow_id), runs in material.cells.runs.items():
        figures = out.get(workflow_id) if workflow_id is not None else None
        if figures is None:
            continue
        figures.users.add(user_id)
        if user_id == figures.meta.owner_id:
            figures.owner_runs += runs
        else:
            figures.other_runs += runs
    return out


@dataclass
class Institutionalisation:
    runs: int
    shared_runs: int  # through team / organisation workflows
    private_runs: int
    adhoc_runs: int
    minutes: float
    shared_minutes: float
    private_minutes: float
    adhoc_minutes: float

    @property
    def shared_share(self) -> float:
        return round(self.shared_runs / self.runs, 3) if self.runs else 0.0

    @property
    def shared_minutes_share(self) -> float:
        return round(self.shared_minutes / self.minutes, 3) if self.minutes > 0 else 0.0


def institutionalisation(material: Material) -> Institutionalisation:
    runs: dict[str, int] = defaultdict(int)
    minutes: dict[str, float] = defaultdict(float)
    for workflow_id, tally in material.cells.by_workflow.items():
        meta = material.workflows.get(workflow_id) if workflow_id is not None else None
        key = "adhoc" if meta is None else ("shared" if meta.shared else "private")
        runs[key] += int(tally.n("runs"))
        minutes[key] += tally.n("minutes_saved")
    return Institutionalisation(
        runs=sum(runs.values()),
        shared_runs=runs["shared"],
        private_runs=runs["private"],
        adhoc_runs=runs["adhoc"],
        minutes=round(sum(minutes.values()), 1),
        shared_minutes=round(minutes["shared"], 1),
        private_minutes=round(minutes["private"], 1),
        adhoc_minutes=round(minutes["adhoc"], 1),
    )


@dataclass
class GainLost:
    minutes: float
    reuse_per_shared_workflow: float  # others' runs per used shared workflow (the assumption)
    private_workflows: int


def gain_lost(figures: dict[int, WorkflowFigures], active_members: int) -> GainLost:
    """Time the rest of the scope could have saved with each private workflow, had it been
    shared: its minutes saved per run x the runs by others that a used shared workflow gets here
    (the mean over shared workflows with runs); when nothing shared is used yet, one run by each
    other active member."""
    shared = [f for f in figures.values() if f.meta.shared and f.runs]
    if shared:
        reach = sum(f.other_runs for f in shared) / len(shared)
    else:
        reach = float(max(0, active_members - 1))
    private = [f for f in figures.values() if not f.meta.shared and f.saved_per_run]
    total = sum(max(0.0, f.saved_per_run or 0.0) * reach for f in private)
    return GainLost(round(total, 1), round(reach, 2), len(private))
