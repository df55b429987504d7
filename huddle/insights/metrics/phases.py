"""The phase of a team or organisation, week by week, with the evidence behind it.

Each week is judged on the trailing four weeks ending with it (see docs/design-notes.md). The
phases are the seed article's:
- exploration — "curiosity-driven employees begin experimenting in isolation";
- divergence — "'Power users' emerge … the 'average' user struggles … and reverts to manual
  processes";
- silo — "The divide becomes cultural. The power users stop sharing because they aren't asked
  to, and the struggling users stop asking";
- institutionalised — the article's remedy holds: know-how moved "out of personal accounts and
  into shared organizational repositories" and the rest of the team runs it.

The evidence, over the four weeks:
- breadth    = members with a run / members
- gini       = Gini of runs across the members who used AI in those weeks (the gap among users)
- trend      = gini - the gini of the four weeks before
- top group  = the top decile of members by runs in those weeks (at least one person)
- reuse      = runs by people outside the top group of workflows someone else owns / their runs
  (reuse and sharing inside the top group are not know-how spreading)
- reach      = members outside the top group who ran a colleague's workflow / those members
- sharing    = (workflows shared + asks for help) / members
  (asks come from the rituals app through ``hooks``; 0 when it is not installed)
- spreading  = reuse ≥ 0.4 and reach ≥ 0.5; gap = gini ≥ 0.45; hoarded = a gap, not spreading

First rule that holds:
1. none              — no runs at all in the four weeks;
2. institutionalised — spreading, breadth ≥ 0.5 and no gap;
3. silo              — hoarded for at least 8 weeks running, the gap not closing
                       (trend > -0.05) and sharing < 0.1;
4. divergence        — hoarded, or a gap lasting 4 weeks or more (whatever the reuse);
5. exploration       — otherwise: people trying, no lasting gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from huddle.insights.metrics.data.counts import hooked
from huddle.insights.metrics.profiles import Material
from huddle.insights.metrics.stats import gini

SPAN = 4
INSTITUTIONAL_REUSE = 0.4
INSTITUTIONAL_REACH = 0.5
INSTITUTIONAL_BREADTH = 0.5
DIVERGENT_GINI = 0.45
LASTING_GAP_WEEKS = 4
SILO_WEEKS = 8
SILO_TREND = -0.05
SILO_SHARING = 0.1
TOP_FRACTION = 0.1

LABELS = {
    "none": "No AI use yet",
    "exploration": "Exploration",
    "divergence": "Divergence",
    "silo": "Silo",
    "institutionalised": "Institutionalised",
}

# The seed article's words for each phase, shown next to the rule (docs/usage.md, the page).
SEED_WORDS = {
    "none": "No one has used AI in these four weeks.",
    "exploration": "Curiosity-driven employees begin experimenting in isolation.",
    "divergence": "“Power users” emerge … the “average” user struggles with inconsistent "
    "output, finds the tools “unhelpful,” and reverts to manual processes.",
    "silo": "The divide becomes cultural. The power users stop sharing because they aren't "
    "asked to, and the struggling users stop asking because they fear appearing behind the "
    "curve.",
    "institutionalised": "Successful prompts, workflows, and “system instructions” moved out "
    "of personal accounts and into shared organizational repositories.",
}


@dataclass
class PhaseWeek:
    week_start: str
    phase: str
    breadth: float
    gini: float
    trend: float
    reuse: float  # by the rest of the team (outside the top group)
    reach: float  # share of the rest who ran a colleague's workflow
    top_reuse: float  # the same inside the top group, shown so the difference can be seen
    top_group: int
    sharing: float
    runs: int
    shares: int
    asks: int
    gap_weeks: int
    divergent_weeks: int

    @property
    def label(self) -> str:
        return LABELS[self.phase]

    @property
    def seed_words(self) -> str:
        return SEED_WORDS[self.phase]

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items()}


def _top_group(per_user: np.ndarray) -> np.ndarray:
    """A mask of the top decile of members by runs (at least one; only people who ran)."""
    mask = np.zeros(per_user.shape, dtype=bool)
    if not per_user.size or not per_user.any():
        return mask
    k = max(1, math.ceil(per_user.size * TOP_FRACTION))
    # A stable sort, so ties fall the same way every time (by row: members sorted by e-mail).
    top = np.argsort(-per_user, kind="stable")[:k]
    mask[top[per_user[top] > 0]] = True
    return mask


def phases(material: Material) -> list[PhaseWeek]:
    """One entry per week of the window (the lead-in weeks only feed the rules)."""
    weeks = material.lead_window.week_starts
    grid = material.weeks  # its rows are the scope's members
    members = max(1, len(material.profiles))
    asks = hooked("asks", material.scope, material.lead_window)
    # Running sums over the weeks: a span's figures per member are one subtraction of two columns.
    zero = np.zeros((grid.runs.shape[0], 1), dtype=np.int64)
    runs_to = np.hstack([zero, np.cumsum(grid.runs, axis=1)])
    reuse_to = np.hstack([zero, np.cumsum(grid.reuse, axis=1)])
    share_by_week: dict = {}
    for (_u, w), n in material.shares.items():
        share_by_week[w] = share_by_week.get(w, 0) + n
    ask_by_week: dict = {}
    for (_u, w), n in asks.items():
        ask_by_week[w] = ask_by_week.get(w, 0) + n

    def runs_of(first: int, last: int) -> np.ndarray:
        return runs_to[:, last] - runs_to[:, first]

    out: list[PhaseWeek] = []
    divergent_run = gap_run = 0
    in_window = set(material.window.week_starts)
    for i, week in enumerate(weeks):
        first, before = max(0, i - SPAN + 1), max(0, i - 2 * SPAN + 1)
        span = weeks[first : i + 1]
        per_user = runs_of(first, i + 1)
        reused = reuse_to[:, i + 1] - reuse_to[:, first]
        used = per_user[per_user > 0]
        g, total = gini(used), int(used.sum())
        g_before = g
        if before < first:
            earlier = runs_of(before, first)
            g_before = gini(earlier[earlier > 0])
        top = _top_group(per_user)
        rest = ~top
        rest_runs = int(per_user[rest].sum())
        top_runs = int(per_user[top].sum())
        reuse_share = int(reused[rest].sum()) / rest_runs if rest_runs else 0.0
        top_reuse = int(reused[top].sum()) / top_runs if top_runs else 0.0
        reach = int(np.count_nonzero(reused[rest])) / max(1, int(rest.sum()))
        shares = sum(share_by_week.get(w, 0) for w in span)
        ask_count = sum(ask_by_week.get(w, 0) for w in span)
        breadth = used.size / members
        sharing = (shares + ask_count) / members
        spreading = reuse_share >= INSTITUTIONAL_REUSE and reach >= INSTITUTIONAL_REACH
        gap = total > 0 and g >= DIVERGENT_GINI
        hoarded = gap and not spreading
        gap_run = gap_run + 1 if gap else 0
        divergent_run = divergent_run + 1 if hoarded else 0
        if total == 0:
            phase = "none"
        elif spreading and breadth >= INSTITUTIONAL_BREADTH and not gap:
            phase = "institutionalised"
        elif (
            hoarded
            and divergent_run >= SILO_WEEKS
            and g - g_before > SILO_TREND
            and sharing < SILO_SHARING
        ):
            phase = "silo"
        elif hoarded or gap_run >= LASTING_GAP_WEEKS:
            phase = "divergence"
        else:
            phase = "exploration"
        if week in in_window:
            out.append(
                PhaseWeek(
                    week_start=week.isoformat(),
                    phase=phase,
                    breadth=round(breadth, 3),
                    gini=round(g, 3),
                    trend=round(g - g_before, 3),
                    reuse=round(reuse_share, 3),
                    reach=round(reach, 3),
                    top_reuse=round(top_reuse, 3),
                    top_group=int(top.sum()),
                    sharing=round(sharing, 3),
                    runs=total,
                    shares=shares,
                    asks=ask_count,
                    gap_weeks=gap_run,
                    divergent_weeks=divergent_run,
                )
            )
    return out


@dataclass
class PhaseSpan:
    """Consecutive weeks in the same phase: the timeline shows changes, not a bar per week."""

    phase: str
    start: date  # the Monday of its first week
    end: date  # the Sunday of its last week, or ``as_of`` for the week in progress
    weeks: int

    @property
    def label(self) -> str:
        return LABELS[self.phase]

    def as_dict(self) -> dict[str, object]:
        return {
            "phase": self.phase,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weeks": self.weeks,
        }


def phase_spans(weeks: list[PhaseWeek], as_of: date) -> list[PhaseSpan]:
    """Collapse runs of the same phase into one span each, oldest first, with their dates; the
    last span ends on ``as_of`` (which may fall inside its last week)."""
    spans: list[PhaseSpan] = []
    for week in weeks:
        start = date.fromisoformat(week.week_start)
        end = min(start + timedelta(days=6), as_of)
        if spans and spans[-1].phase == week.phase:
            spans[-1].end = end
            spans[-1].weeks += 1
        else:
            spans.append(PhaseSpan(week.phase, start, end, 1))
    return spans
