"""The divide: how runs and time saved are spread across members, and how that moves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from huddle.insights.metrics.profiles import Material
from huddle.insights.metrics.stats import gini, lorenz, top_share

ACTIVE_WEEKLY_SHARE = 0.75  # "active weekly" = runs in at least 3 weeks out of 4 of the window


@dataclass
class Divide:
    members: int
    active_members: int  # at least one run in the window
    gini_runs: float
    gini_minutes: float
    top10_share: float  # of runs, held by the top 10 % of members (at least one)
    top10_minutes_share: float
    active_weekly_share: float
    lorenz_runs: list[tuple[float, float]]
    lorenz_minutes: list[tuple[float, float]]
    weekly_active: list[int]  # the adoption curve
    weekly_minutes: list[float]
    weekly_runs: list[int]
    weekly_gini: list[float]  # Gini of each week's runs across members
    weekly_top10: list[float]
    gini_trend: float  # mean weekly Gini of the second half - the first half


def divide(material: Material) -> Divide:
    profiles = material.profiles
    n_weeks = material.window.weeks
    runs = [p.runs for p in profiles]
    minutes = [max(0.0, p.minutes_saved) for p in profiles]
    # The window's weeks of the per-person grid (its rows are the scope's members).
    grid = material.weeks
    week_runs = grid.runs[:, grid.runs.shape[1] - n_weeks :]
    week_minutes = np.clip(grid.minutes[:, grid.minutes.shape[1] - n_weeks :], 0.0, None)
    weekly_gini = [round(gini(week_runs[:, i]), 3) for i in range(n_weeks)]
    weekly_top10 = [round(top_share(week_runs[:, i]), 3) for i in range(n_weeks)]
    half = n_weeks // 2
    first, second = weekly_gini[:half], weekly_gini[half:]
    trend = (sum(second) / len(second) - sum(first) / len(first)) if first and second else 0.0
    members = len(profiles)
    return Divide(
        members=members,
        active_members=sum(1 for r in runs if r),
        gini_runs=round(gini(runs), 3),
        gini_minutes=round(gini(minutes), 3),
        top10_share=round(top_share(runs), 3),
        top10_minutes_share=round(top_share(minutes), 3),
        active_weekly_share=round(
            sum(1 for p in profiles if p.active_weeks >= ACTIVE_WEEKLY_SHARE * n_weeks) / members,
            3,
        )
        if members
        else 0.0,
        lorenz_runs=[(round(x, 4), round(y, 4)) for x, y in lorenz(runs)],
        lorenz_minutes=[(round(x, 4), round(y, 4)) for x, y in lorenz(minutes)],
        weekly_active=np.count_nonzero(week_runs, axis=0).tolist(),
        weekly_minutes=[round(float(m), 1) for m in week_minutes.sum(axis=0)],
        weekly_runs=week_runs.sum(axis=0).tolist(),
        weekly_gini=weekly_gini,
        weekly_top10=weekly_top10,
        gini_trend=round(trend, 3),
    )
