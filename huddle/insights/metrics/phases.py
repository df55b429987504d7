"""The phase of a team or organisation, week by week, with the evidence behind it.

Each week is judged on the trailing four weeks ending with it (see docs/design-notes.md):
- breadth  = members with a run in those weeks / members
- gini     = Gini of runs across the members who used AI in those weeks (the gap among users)
- trend    = gini - the gini of the four weeks before
- reuse    = runs of workflows someone else owns / all runs
- sharing  = (workflows shared + asks for help) / members, over those weeks
  (asks come from the rituals app through ``hooks``; 0 when it is not installed)

First rule that holds:
1. none             — no runs at all in the four weeks;
2. institutionalised — reuse ≥ 0.4, breadth ≥ 0.5 and gini < 0.45;
3. silo              — divergent (gini ≥ 0.45 and reuse < 0.4) for at least 8 weeks running, the
                       gap not closing (trend > -0.05) and sharing < 0.1;
4. divergence        — divergent;
5. exploration       — otherwise (people trying, no lasting gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from huddle.insights.metrics import data
from huddle.insights.metrics.profiles import Material
from huddle.insights.metrics.stats import gini

SPAN = 4
INSTITUTIONAL_REUSE = 0.4
INSTITUTIONAL_BREADTH = 0.5
DIVERGENT_GINI = 0.45
SILO_WEEKS = 8
SILO_TREND = -0.05
SILO_SHARING = 0.1

LABELS = {
    "none": "No AI use yet",
    "exploration": "Exploration",
    "divergence": "Divergence",
    "silo": "Silo",
    "institutionalised": "Institutionalised",
}


@dataclass
class PhaseWeek:
    week_start: str
    phase: str
    breadth: float
    gini: float
    trend: float
    reuse: float
    sharing: float
    runs: int
    shares: int
    asks: int
    divergent_weeks: int

    @property
    def label(self) -> str:
        return LABELS[self.phase]

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items()}


def phases(material: Material) -> list[PhaseWeek]:
    """One entry per week of the window (the lead-in weeks only feed the rules)."""
    weeks = material.lead_window.week_starts
    grid = material.weeks  # its rows are the scope's members
    members = max(1, len(material.profiles))
    asks = data.hooked("asks", material.scope, material.lead_window)
    # Running sums over the weeks: a span's runs per member is one subtraction of two columns.
    zero = np.zeros((grid.runs.shape[0], 1), dtype=np.int64)
    runs_to = np.hstack([zero, np.cumsum(grid.runs, axis=1)])
    reuse_to = np.concatenate([[0], np.cumsum(grid.reuse.sum(axis=0))])
    share_by_week: dict = {}
    for (_u, w), n in material.shares.items():
        share_by_week[w] = share_by_week.get(w, 0) + n
    ask_by_week: dict = {}
    for (_u, w), n in asks.items():
        ask_by_week[w] = ask_by_week.get(w, 0) + n

    def gini_of(first: int, last: int) -> tuple[float, int, int, int]:
        """Over weeks[first:last]: Gini of runs among members who ran, how many, runs, reused."""
        per_user = runs_to[:, last] - runs_to[:, first]
        used = per_user[per_user > 0]
        return gini(used), int(used.size), int(used.sum()), int(reuse_to[last] - reuse_to[first])

    out: list[PhaseWeek] = []
    divergent_run = 0
    in_window = set(material.window.week_starts)
    for i, week in enumerate(weeks):
        first, before = max(0, i - SPAN + 1), max(0, i - 2 * SPAN + 1)
        span = weeks[first : i + 1]
        g, active, total, reused = gini_of(first, i + 1)
        g_before = gini_of(before, first)[0] if before < first else g
        shares = sum(share_by_week.get(w, 0) for w in span)
        ask_count = sum(ask_by_week.get(w, 0) for w in span)
        breadth = active / members
        reuse_share = reused / total if total else 0.0
        sharing = (shares + ask_count) / members
        divergent = total > 0 and g >= DIVERGENT_GINI and reuse_share < INSTITUTIONAL_REUSE
        divergent_run = divergent_run + 1 if divergent else 0
        if total == 0:
            phase = "none"
        elif (
            reuse_share >= INSTITUTIONAL_REUSE
            and breadth >= INSTITUTIONAL_BREADTH
            and g < DIVERGENT_GINI
        ):
            phase = "institutionalised"
        elif (
            divergent
            and divergent_run >= SILO_WEEKS
            and g - g_before > SILO_TREND
            and sharing < SILO_SHARING
        ):
            phase = "silo"
        elif divergent:
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
                    sharing=round(sharing, 3),
                    runs=total,
                    shares=shares,
                    asks=ask_count,
                    divergent_weeks=divergent_run,
                )
            )
    return out
