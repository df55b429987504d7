"""Know-how latency: how long a workflow's know-how takes to leave its author (issue 23).

For each workflow of the organisation that its author has used (the author's first use: their
first run of it, or the workflow's creation if earlier — a workflow promoted from a capture or a
mined pattern exists before its first run): the days until the first, the third and the tenth
*other person* ran it (distinct people: the same colleague running it ten times has not spread
it). For a team, only its members count, as authors and as the others. Over the organisation
(or team): the median of each (over the workflows that got that far, with how
many did), and the workflows whose know-how never left their author (run by the author, by
nobody else, ever). The article's "12x gain … lost 90% of the time": the share of the window's
time saved that comes from workflows used by more than their author.

Read from ``Run`` once per state of the organisation's runs and workflows (the first run per
(workflow, person) is one grouped query), kept in the cache like the roll-up's history.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db.models import Max, Min

from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.workflows import WorkflowFigures
from huddle.library.models import Workflow
from huddle.runs.models import Run

MILESTONES = (1, 3, 10)
CACHE_SECONDS = 3600


@dataclass
class WorkflowLatency:
    workflow_id: int
    title: str
    slug: str
    owner_id: int
    author_first: datetime
    days_to: dict[int, float | None]  # milestone -> days from the author's first use
    others: int  # distinct other people who ran it

    def as_dict(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "others": self.others,
            **{f"days_to_{m}": self.days_to[m] for m in MILESTONES},
        }


@dataclass
class Latency:
    workflows: int  # used by their author
    median_days: dict[int, float | None]
    reached: dict[int, int]  # workflows that reached each milestone
    never_left: list[WorkflowLatency] = field(default_factory=list)
    slowest: list[WorkflowLatency] = field(default_factory=list)
    shared_minutes: float = 0.0
    minutes: float = 0.0

    @property
    def never_left_count(self) -> int:
        return len(self.never_left)

    @property
    def shared_minutes_share(self) -> float | None:
        return round(self.shared_minutes / self.minutes, 3) if self.minutes > 0 else None

    def as_dict(self, *, individuals: bool = True) -> dict[str, object]:
        return {
            "workflows": self.workflows,
            **{f"median_days_to_{m}": self.median_days[m] for m in MILESTONES},
            **{f"reached_{m}": self.reached[m] for m in MILESTONES},
            "never_left_count": self.never_left_count,
            "never_left": [w.as_dict() for w in self.never_left[:50]] if individuals else [],
            "time_saved_by_workflows_used_by_others_share": self.shared_minutes_share,
        }


def _latencies(scope: Scope) -> Latency:
    """The latency figures of the used workflows, cached per state of the runs and workflows
    (the summary is kept, not each workflow's figures): the first run
    per (workflow, person) is one grouped query, and the loop over those pairs (100k at 1M
    runs) is done once per change, not per page view."""
    from django.core.cache import cache

    organization = scope.organization
    # A new run or a changed workflow makes a new key; a deleted run is seen within the hour.
    # A team's figures also change when its members do.
    newest = Run.objects.filter(organization=organization).aggregate(m=Max("id"))["m"]
    members = sorted(scope.member_ids()) if scope.team else None
    state = repr((newest, scope.workflows_state(), members)).encode()
    team = scope.team.pk if scope.team else "all"
    key = f"insights:latency:{organization.pk}:{team}:{hashlib.sha256(state).hexdigest()[:32]}"
    metas = scope.workflow_metas()

    def build() -> Latency:
        firsts: dict[int, dict[int, datetime]] = {}
        runs = Run.objects.filter(organization=organization, workflow__isnull=False)
        if scope.team:
            # Within the team: its members' workflows, reaching its other members.
            runs = runs.filter(user_id__in=scope.user_ids())
        rows = (
            runs.order_by().values_list("workflow_id", "user_id").annotate(first=Min("started_at"))
        )
        for workflow_id, user_id, first in rows:
            firsts.setdefault(workflow_id, {})[user_id] = first
        created = dict(
            Workflow.objects.filter(organization=organization).values_list("id", "created_at")
        )
        found: list[WorkflowLatency] = []
        for workflow_id, by_user in firsts.items():
            meta = metas.get(workflow_id)
            if meta is None or meta.owner_id not in by_user:
                continue  # the author never ran it: no first use to count from
            start = min(by_user[meta.owner_id], created.get(workflow_id, by_user[meta.owner_id]))
            others = sorted(t for u, t in by_user.items() if u != meta.owner_id)
            days_to = {
                m: round(max(0.0, (others[m - 1] - start).total_seconds() / 86400), 1)
                if len(others) >= m
                else None
                for m in MILESTONES
            }
            found.append(
                WorkflowLatency(
                    workflow_id, meta.title, meta.slug, meta.owner_id, start, days_to, len(others)
                )
            )
        return _summary(found)

    return cache.get_or_set(key, build, CACHE_SECONDS)


def _summary(found: list[WorkflowLatency]) -> Latency:
    median_days: dict[int, float | None] = {}
    reached: dict[int, int] = {}
    for m in MILESTONES:
        values = [w.days_to[m] for w in found if w.days_to[m] is not None]
        reached[m] = len(values)
        median_days[m] = round(statistics.median(values), 1) if values else None
    never = sorted((w for w in found if not w.others), key=lambda w: w.author_first)
    slowest = sorted(
        (w for w in found if w.days_to[1] is not None), key=lambda w: -(w.days_to[1] or 0)
    )
    return Latency(
        workflows=len(found),
        median_days=median_days,
        reached=reached,
        never_left=never,
        slowest=slowest[:10],
    )


def know_how_latency(
    scope: Scope, figures: dict[int, WorkflowFigures], *, total_minutes: float
) -> Latency:
    """Latency over the organisation's workflows, or, for a team, over its members' workflows
    and runs (how long its know-how takes to reach the rest of the team). ``figures`` (the
    window's per-workflow figures) and ``total_minutes`` (all time saved in the window, ad-hoc
    runs included) give the share of time saved by workflows used by more than their author."""
    latency = replace(_latencies(scope))  # a copy: the cached one is shared
    shared = sum(max(0.0, f.minutes_saved) for f in figures.values() if f.users - {f.meta.owner_id})
    latency.shared_minutes = round(shared, 1)
    latency.minutes = round(max(0.0, total_minutes), 1)
    return latency
