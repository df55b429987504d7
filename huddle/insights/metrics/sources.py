"""The divide measured on runs, on imported usage reports, or on both (issue 23).

An **AI use** is a run recorded in Huddle, a message sent in a tool whose usage report counts
them (ChatGPT, Claude, the generic CSV), or an active day in one whose report has no counts
(Microsoft 365 Copilot). Per member and week of the window:
- runs:  uses = runs;                active days = min(runs, 7)  (each run at least a day's use)
- usage: uses = the report's;        active days = days with use in any tool (``UsageWeek``)
- both:  uses = runs + the report's; active days = the larger of the two
(a run and a message on one day can't be told apart from weekly figures, so "both" never adds
days up). On each basis: the Gini of uses across members, the top tenth's share, the Work Trend
Index segments on active days (power user: ≥ 3 days a week in at least half the weeks; explorer:
≥ 0.5 a week, "several times a month"; novice: less; skeptic: none), power users (robust z of
uses ≥ 2 among active members, active ≥ 3 weeks) and struggling members (uses in the second half
of the window below half the first, with at least 2 in the first: falling away).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from huddle.insights.metrics.profiles import Material
from huddle.insights.metrics.stats import gini, robust_scale, robust_z, top_share

BASES = ("runs", "usage", "both")
SEGMENTS = ("skeptic", "novice", "explorer", "power_user")
LABELS = {
    "runs": "runs recorded in Huddle",
    "usage": "the imported usage reports (ChatGPT, Claude, Copilot, other tools)",
    "both": "runs and the imported usage reports together",
}
POWER_DAYS = 3.0
POWER_WEEKS_SHARE = 0.5
EXPLORER_DAYS = 0.5
POWER_Z = 2.0
POWER_MIN_WEEKS = 3
FALLING = 0.5
MIN_FIRST_HALF = 2
_BITS = np.array([i.bit_count() for i in range(128)], dtype=np.int64)  # days in a week's mask


@dataclass
class SourceDivide:
    basis: str
    label: str
    members: int
    active_members: int
    uses: int
    gini: float
    top10_share: float
    segments: dict[str, int]
    power_user_count: int
    struggling_count: int
    weekly_gini: list[float]
    power_users: list[str] = field(default_factory=list)  # e-mails, when individuals are shown
    struggling: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class UsageGrid:
    """Per member (rows, as ``material.weeks``) and week of the window: uses and active days
    from the imported reports, and which tools they came from."""

    uses: np.ndarray
    days: np.ndarray
    tools: list[str]

    @property
    def any(self) -> bool:
        return bool(self.uses.any() or self.days.any())


def usage_grid(material: Material, weeks: list | None = None) -> UsageGrid:
    """The usage reports' figures over ``weeks`` (Mondays; the window's by default)."""
    from huddle.usage.models import UsageWeek

    weeks = weeks or material.window.week_starts
    rows = material.weeks.rows
    shape = (len(material.weeks.runs), len(weeks))
    uses, masks = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    column = {w: i for i, w in enumerate(weeks)}
    tools: set[str] = set()
    found = UsageWeek.objects.filter(
        organization=material.scope.organization,
        week_start__gte=weeks[0],
        week_start__lte=weeks[-1],
        user_id__in=material.scope.user_ids(),
    ).values_list("user_id", "week_start", "tool", "messages", "active_days", "day_mask")
    for user_id, week, tool, messages, active_days, mask in found:
        row, col = rows.get(user_id), column.get(week)
        if row is None or col is None:
            continue
        uses[row, col] += messages or active_days
        masks[row, col] |= mask
        tools.add(tool)
    days = _BITS[masks & 0x7F]
    return UsageGrid(uses=uses, days=days, tools=sorted(tools))


def _segments(days: np.ndarray, weeks: int) -> np.ndarray:
    per_week = days.sum(axis=1) / max(1, weeks)
    regular = (days >= POWER_DAYS).sum(axis=1) >= POWER_WEEKS_SHARE * weeks
    out = np.full(days.shape[0], "novice", dtype=object)
    out[per_week >= EXPLORER_DAYS] = "explorer"
    out[regular & (per_week >= POWER_DAYS)] = "power_user"
    out[days.sum(axis=1) == 0] = "skeptic"
    return out


def divide_on(
    basis: str, material: Material, usage: UsageGrid, *, individuals: bool
) -> SourceDivide:
    n_weeks = material.window.weeks
    grid = material.weeks
    runs = grid.runs[:, grid.runs.shape[1] - n_weeks :]
    if basis == "runs":
        uses, days = runs, np.minimum(runs, 7)
    elif basis == "usage":
        uses, days = usage.uses, usage.days
    else:
        uses, days = runs + usage.uses, np.maximum(np.minimum(runs, 7), usage.days)
    totals = uses.sum(axis=1)
    active = totals > 0
    active_weeks = (uses > 0).sum(axis=1)
    segments = _segments(days, n_weeks)
    centre, spread = robust_scale(totals[active].astype(float).tolist())
    z = robust_z(totals.astype(float), centre, spread)
    power = active & (z >= POWER_Z) & (active_weeks >= POWER_MIN_WEEKS)
    half = n_weeks // 2
    first, second = uses[:, :half].sum(axis=1), uses[:, half:].sum(axis=1)
    falling = (first >= MIN_FIRST_HALF) & (second < FALLING * first)
    by_row = {grid.rows[p.user_id]: p.email for p in material.profiles if p.user_id in grid.rows}
    emails = [by_row.get(i, "") for i in range(uses.shape[0])]
    return SourceDivide(
        basis=basis,
        label=LABELS[basis],
        members=len(material.profiles),
        active_members=int(active.sum()),
        uses=int(totals.sum()),
        gini=round(gini(totals), 3),
        top10_share=round(top_share(totals), 3),
        segments={s: int((segments == s).sum()) for s in SEGMENTS},
        power_user_count=int(power.sum()),
        struggling_count=int(falling.sum()),
        weekly_gini=[round(gini(uses[:, i]), 3) for i in range(n_weeks)],
        power_users=sorted(emails[i] for i in np.flatnonzero(power)) if individuals else [],
        struggling=sorted(emails[i] for i in np.flatnonzero(falling)) if individuals else [],
    )


@dataclass
class Sources:
    """The divide on each basis, and whether any usage report covers the window."""

    has_usage: bool
    tools: list[str]
    by_basis: dict[str, SourceDivide]

    def as_dict(self) -> dict[str, object]:
        return {
            "has_usage": self.has_usage,
            "tools": self.tools,
            **{basis: d.as_dict() for basis, d in self.by_basis.items()},
        }


def sources(material: Material, *, individuals: bool) -> Sources:
    usage = usage_grid(material)
    return Sources(
        has_usage=usage.any,
        tools=usage.tools,
        by_basis={b: divide_on(b, material, usage, individuals=individuals) for b in BASES},
    )
