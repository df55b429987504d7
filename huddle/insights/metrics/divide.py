"""The divide: how runs and time saved are spread across members, and how that moves."""

from __future__ import annotations

from dataclasses import dataclass

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
    weekly_gini, weekly_top10 = [], []
    for i in range(n_weeks):
        week = [p.weekly_runs[i] for p in profiles]
        weekly_gini.append(round(gini(week), 3))
        weekly_top10.append(round(top_share(week), 3))
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
        weekly_active=[sum(1 for p in profiles if p.weekly_runs[i]) for i in range(n_weeks)],
        weekly_minutes=[
            round(sum(max(0.0, p.weekly_minutes[i]) for p in profiles), 1) for i in range(n_weeks)
        ],
        weekly_runs=[sum(p.weekly_runs[i] for p in profiles) for i in range(n_weeks)],
        weekly_gini=weekly_gini,
        weekly_top10=weekly_top10,
        gini_trend=round(trend, 3),
    )
