"""The power-user score, who stands out and why, and the Work Trend Index segments.

Score (documented in docs/design-notes.md, "Insights"):
- five factors per member, computed over the window:
  frequency  = runs per week
  depth      = distinct workflows used + share of runs on chains + share using context
  quality    = mean of (median rating - 1) / 4, 1 - mean edit ratio and mean on-brand score / 100
               (those known; the brand score comes from the brand check of saved runs)
  time_saved = minutes saved
  influence  = others' runs of the member's workflows + 2 x the number of those people
- each factor becomes a robust z-score among the members with at least one run
  (median and 1.4826·MAD, ``stats.robust_scale``), clipped to ±6; a missing factor scores 0;
- score = the mean of the five z-scores (equal weights).

A **power user** stands out: score ≥ 1.5, at least two factors with z ≥ 2, and enough activity
to judge (≥ 3 active weeks and ≥ 10 runs in the window). No quota: a uniform team has none.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from huddle.core.numbers import hours_text
from huddle.insights.metrics.profiles import MemberProfile
from huddle.insights.metrics.stats import median, robust_scale, robust_z

SCORE_MIN = 1.5
FACTOR_Z = 2.0
FACTORS_NEEDED = 2
MIN_ACTIVE_WEEKS = 3
MIN_RUNS = 10
REASON_Z = 1.0

# Work Trend Index 2024 segments, as thresholds on the same runs.
WTI_POWER_RUNS_PER_WEEK = 3.0  # "several times a week"
WTI_POWER_ACTIVE_SHARE = 0.5  # … in at least half the weeks
WTI_POWER_MINUTES_PER_DAY = 30.0  # "save more than 30 minutes a day" (5 working days a week)
WTI_EXPLORER_RUNS_PER_WEEK = 0.5  # "several times a month": 2 runs per 4 weeks
SEGMENTS = ("skeptic", "novice", "explorer", "power_user")


def _quality(p: MemberProfile) -> float | None:
    parts = []
    if p.median_rating is not None:
        parts.append((p.median_rating - 1) / 4)
    if p.mean_edit_ratio is not None:
        parts.append(1 - p.mean_edit_ratio)
    if p.brand_score is not None:
        parts.append(p.brand_score / 100)
    return sum(parts) / len(parts) if parts else None


def _depth(p: MemberProfile) -> float:
    if not p.workflow_runs:
        return float(p.distinct_workflows)
    return p.distinct_workflows + (p.chain_runs + p.context_runs) / p.workflow_runs


FACTORS: dict[str, Callable[[MemberProfile], float | None]] = {
    "frequency": lambda p: p.runs / p.weeks,
    "depth": _depth,
    "quality": _quality,
    "time_saved": lambda p: p.minutes_saved,
    "influence": lambda p: p.influence_runs + 2 * len(p.influenced),
}


def _reason(name: str, p: MemberProfile, medians: dict[str, float | None]) -> str:
    med = {k: (v if v is not None else 0) for k, v in medians.items()}
    if name == "frequency":
        return (
            f"Uses AI often: {p.runs} runs in {p.active_weeks} active weeks "
            f"({p.runs / p.weeks:.1f} a week; median member {med['frequency']:.1f})"
        )
    if name == "depth":
        return (
            f"Goes deep: {p.distinct_workflows} workflows, {p.chain_runs} chain runs, "
            f"{p.context_runs} with context (median depth {med['depth']:.1f})"
        )
    if name == "quality":
        rating = f"median rating {p.median_rating:g}" if p.median_rating else "no ratings"
        edits = f"{p.mean_edit_ratio:.0%} edited by hand" if p.mean_edit_ratio is not None else ""
        brand = f", on-brand score {p.brand_score:.0f}" if p.brand_score is not None else ""
        return f"High quality: {rating}{', ' + edits if edits else ''}{brand}"
    if name == "time_saved":
        return (
            f"Saves time: {hours_text(p.minutes_saved)} saved "
            f"(median member {hours_text(med['time_saved'])})"
        )
    return (
        f"Others build on their work: {p.influence_runs} runs of their workflows "
        f"by {len(p.influenced)} other {'person' if len(p.influenced) == 1 else 'people'}"
    )


def segment(p: MemberProfile) -> str:
    if p.runs == 0:
        return "skeptic"
    per_week = p.runs / p.weeks
    per_day = p.minutes_saved / (5 * p.weeks)
    if (
        per_week >= WTI_POWER_RUNS_PER_WEEK
        and p.active_weeks >= WTI_POWER_ACTIVE_SHARE * p.weeks
        and per_day >= WTI_POWER_MINUTES_PER_DAY
    ):
        return "power_user"
    if per_week >= WTI_EXPLORER_RUNS_PER_WEEK:
        return "explorer"
    return "novice"


def score_members(profiles: list[MemberProfile]) -> dict[str, float | None]:
    """Fill components, z-scores, score, power-user flag, reasons and segment in place.

    Returns the median of each factor among active members (the reference the reasons quote).
    The z-scores of each factor are worked out for all members at once (numpy): per member in
    Python they were a sixth of a warm report at 2,000 members (docs/performance.md).
    """
    active = [p for p in profiles if p.runs > 0]
    medians: dict[str, float | None] = {}
    for name, factor in FACTORS.items():
        raw = [factor(p) for p in active]
        known = [v for v in raw if v is not None]
        centre, spread = robust_scale(known)
        medians[name] = median(known)
        values = np.array([np.nan if v is None else v for v in raw], dtype=float)
        missing = np.isnan(values)
        components = np.where(missing, 0.0, np.round(values, 3)).tolist()
        zs = np.where(missing, 0.0, np.round(robust_z(values, centre, spread), 2)).tolist()
        for p, component, z_value in zip(active, components, zs, strict=True):
            p.components[name] = component
            p.z[name] = z_value
    for p in profiles:
        p.segment = segment(p)
        if p.runs == 0:
            continue
        p.score = sum(p.z.values()) / len(FACTORS)
        standing_out = [n for n, z in p.z.items() if z >= FACTOR_Z]
        p.power_user = (
            p.score >= SCORE_MIN
            and len(standing_out) >= FACTORS_NEEDED
            and p.active_weeks >= MIN_ACTIVE_WEEKS
            and p.runs >= MIN_RUNS
        )
        top = sorted((item for item in p.z.items() if item[1] >= REASON_Z), key=lambda i: -i[1])
        p.reasons = [_reason(name, p, medians) for name, _z in top[:3]]
    return medians
