"""Is it closing? Interventions, what followed them, and the divide month by month (issue 23).

**Interventions** and who they reached ("exposed"), from the organisation's events:
- a ritual win: the people who voted for a win (``win.voted``), from their vote;
- an endorsement or a share (``workflow.endorsed``, ``workflow.published``): the people who
  starred or forked that workflow afterwards (``workflow.starred``/``forked``) — Huddle keeps no
  log of who opened a page, and a star or fork is the trace of having looked at it;
- an answered ask (``ask.answered``): the person who asked (``ask.created``; anonymous asks
  have no one to follow).

**Effect**, per kind, on two outcomes per person and week (runs, and runs of workflows someone
else owns): for each exposed person, the change from the 4 weeks before the week of their first
exposure to the 4 weeks after it, minus the mean change over the same weeks of the members not
yet exposed to that kind by the end of those weeks. The mean over the exposed people, with a
95% interval from 2,000 bootstrap resamples of them (seeded: the same data give the same
interval), and how many people are behind each side. Only exposures with 4 weeks on both sides
inside the report's weeks (the window and its lead-in) count.

**On the usage reports** (issue 23's left-over): when an imported report covers the weeks, the
same reading is made on its AI uses per person and week (messages; active days where a report
has no counts) — the effect on uses, the month-by-month divide and its verdict; reuse needs
runs, so it is not given there.

**Month by month** (calendar months of the report's weeks, a week in the month of its Monday):
the Gini of runs across members, and the share of regular users (a run in at least 3 of the
month's weeks). The **verdict** compares the month before the first intervention of the
kind with the most exposed people with the latest month: narrowed / widened when the Gini moved
by 0.05 or more, else held; its caveats say what the figures can't.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.utils import timezone

from huddle.core.models import Event
from huddle.insights.metrics.profiles import Material
from huddle.insights.metrics.stats import gini
from huddle.insights.metrics.window import day_start, monday

SPAN = 4
BOOTSTRAP = 2000
REGULAR_WEEKS = 3
MOVED = 0.05
KINDS = {
    "win": "ritual wins (people who voted)",
    "endorsement": "endorsements (people who starred or forked the workflow)",
    "share": "shares (people who starred or forked the workflow)",
    "answer": "answered asks (the person who asked)",
}
START_LABELS = {
    "win": "the weekly win started",
    "endorsement": "the first endorsement",
    "share": "workflows started being shared",
    "answer": "the first ask was answered",
}


@dataclass
class Effect:
    kind: str
    label: str
    exposed: int  # people exposed with 4 weeks on both sides
    comparison: int  # distinct not-yet-exposed people they were compared with
    runs: float | None  # change in runs a week, exposed minus not yet exposed
    runs_interval: tuple[float, float] | None
    reuse: float | None  # the same for runs of others' workflows
    reuse_interval: tuple[float, float] | None
    first: str | None  # the first exposure's week

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class Month:
    month: str  # YYYY-MM
    gini: float
    regular_share: float
    active: int


@dataclass
class Closing:
    effects: list[Effect]
    months: list[Month]
    verdict: str
    caveats: list[str] = field(default_factory=list)
    # The same reading on the imported usage reports (AI uses: messages, or active days where a
    # report has no counts), when any covers the weeks; its effects have no reuse figure.
    usage: Closing | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "caveats": self.caveats,
            "effects": [e.as_dict() for e in self.effects],
            "months": [m.__dict__ for m in self.months],
            **({"on_usage_reports": self.usage.as_dict()} if self.usage else {}),
        }


def _exposures(material: Material) -> dict[str, dict[int, date]]:
    """{kind: {user id: Monday of their first exposure}} among the scope's members."""
    lead = material.lead_window
    since, until = day_start(lead.start), lead.until
    members = set(material.weeks.rows)
    events = Event.objects.filter(
        organization=material.scope.organization, created_at__lt=until
    ).filter(
        kind__in=[
            "win.voted", "workflow.endorsed", "workflow.published", "workflow.starred",
            "workflow.forked", "ask.created", "ask.answered",
        ]
    )  # fmt: skip
    rows = list(
        events.order_by("created_at").values_list("kind", "actor_id", "object_id", "created_at")
    )
    askers = {obj: actor for kind, actor, obj, _at in rows if kind == "ask.created" and actor}
    touched: dict[str, list[tuple[int, object]]] = defaultdict(list)  # workflow -> (user, when)
    for kind, actor, obj, at in rows:
        if kind in ("workflow.starred", "workflow.forked") and actor:
            touched[obj].append((actor, at))
    out: dict[str, dict[int, date]] = {k: {} for k in KINDS}

    def expose(kind: str, user_id: int | None, at: object) -> None:
        if user_id in members and at >= since:  # type: ignore[operator]
            week = monday(timezone.localtime(at).date())  # type: ignore[arg-type]
            known = out[kind].get(user_id)  # type: ignore[arg-type]
            if known is None or week < known:
                out[kind][user_id] = week  # type: ignore[index]

    for kind, actor, obj, at in rows:
        if kind == "win.voted":
            expose("win", actor, at)
        elif kind == "ask.answered":
            expose("answer", askers.get(obj), at)
        elif kind in ("workflow.endorsed", "workflow.published"):
            which = "endorsement" if kind == "workflow.endorsed" else "share"
            for user_id, when in touched.get(obj, []):
                if when >= at:  # type: ignore[operator]
                    expose(which, user_id, when)
    return out


def _interval(values: list[float], seed: int) -> tuple[float, float] | None:
    if len(values) < 2:
        return None
    rng = random.Random(seed)  # noqa: S311 - a bootstrap, not a secret
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(BOOTSTRAP))
    return round(means[int(0.025 * BOOTSTRAP)], 2), round(means[int(0.975 * BOOTSTRAP) - 1], 2)


def _change(values: np.ndarray, rows: list[int] | int, before: slice, after: slice) -> float:
    """Mean over ``rows`` of (the ``after`` weeks' sum - the ``before`` weeks' sum) / SPAN."""
    picked = values[rows]
    moved = picked[..., after].sum(axis=-1) - picked[..., before].sum(axis=-1)
    return float(np.mean(moved)) / SPAN


def _effect(
    kind: str,
    exposed: dict[int, date],
    material: Material,
    uses: np.ndarray,
    reuse: np.ndarray | None,
) -> Effect:
    """The effect on ``uses`` (runs, or the usage reports' uses) and, when given, on ``reuse``
    (runs of others' workflows), per person (rows of ``material.weeks``) and week."""
    grid = material.weeks
    column = {w: i for i, w in enumerate(grid.weeks)}
    n_weeks = len(grid.weeks)
    # Each member's exposure column (past the end for the never exposed), so the not-yet-exposed
    # of a week are one comparison, and their change is worked out once per exposure week.
    exposed_at = np.full(len(uses), n_weeks + SPAN + 1)
    for user_id, week in exposed.items():
        if user_id in grid.rows and week in column:
            exposed_at[grid.rows[user_id]] = column[week]
    runs_diffs: list[float] = []
    reuse_diffs: list[float] = []
    comparison: set[int] = set()
    baseline: dict[int, tuple[float, float] | None] = {}
    for row in np.flatnonzero(exposed_at <= n_weeks).tolist():
        at = int(exposed_at[row])
        if at - SPAN < 0 or at + SPAN >= n_weeks:
            continue
        before, after = slice(at - SPAN, at), slice(at + 1, at + SPAN + 1)
        if at not in baseline:
            others = np.flatnonzero(exposed_at > at + SPAN).tolist()
            comparison.update(others)
            baseline[at] = (
                (
                    _change(uses, others, before, after),
                    _change(reuse, others, before, after) if reuse is not None else 0.0,
                )
                if others
                else None
            )
        base = baseline[at]
        if base is None:
            continue
        runs_diffs.append(_change(uses, row, before, after) - base[0])
        if reuse is not None:
            reuse_diffs.append(_change(reuse, row, before, after) - base[1])
    firsts = sorted(exposed.values())
    seed = sum(ord(c) for c in kind)
    return Effect(
        kind=kind,
        label=KINDS[kind],
        exposed=len(runs_diffs),
        comparison=len(comparison),
        runs=round(float(np.mean(runs_diffs)), 2) if runs_diffs else None,
        runs_interval=_interval(runs_diffs, seed),
        reuse=round(float(np.mean(reuse_diffs)), 2) if reuse_diffs else None,
        reuse_interval=_interval(reuse_diffs, seed + 1),
        first=firsts[0].isoformat() if firsts else None,
    )


def _months(material: Material, uses: np.ndarray) -> list[Month]:
    grid = material.weeks
    by_month: dict[str, list[int]] = defaultdict(list)
    for i, week in enumerate(grid.weeks):
        by_month[week.strftime("%Y-%m")].append(i)
    members = max(1, len(material.profiles))
    out = []
    for month, columns in by_month.items():
        runs = uses[:, columns]
        totals = runs.sum(axis=1)
        regular = int(((runs > 0).sum(axis=1) >= min(REGULAR_WEEKS, len(columns))).sum())
        out.append(
            Month(
                month=month,
                gini=round(gini(totals), 3),
                regular_share=round(regular / members, 3),
                active=int((totals > 0).sum()),
            )
        )
    return out


def _verdict(
    effects: list[Effect], months: list[Month], *, used: str = "ran anything"
) -> tuple[str, list[str]]:
    caveats = [
        "Exposure is not random: people who vote or ask may be the ones about to change anyway.",
        "Other things changed in the same weeks (new tools, workload, people joining or leaving).",
    ]
    # A month in which fewer than two people ran anything has no divide to speak of (Gini 0).
    months = [m for m in months if m.active >= 2]
    if len(months) < 2:
        return (
            "Not enough months with activity in this period to tell whether the divide is closing.",
            caveats,
        )
    started = max(effects, key=lambda e: e.exposed) if effects else None
    latest = months[-1]
    if started is None or not started.exposed or started.first is None:
        first, last = months[0], latest
        since = f"since {first.month}"
    else:
        begun = started.first[:7]
        earlier = [m for m in months if m.month < begun]
        first = earlier[-1] if earlier else months[0]
        last = latest
        since = f"since {START_LABELS[started.kind]} ({begun})"
    move = last.gini - first.gini
    if move <= -MOVED:
        verdict = f"The divide narrowed from {first.gini:.2f} to {last.gini:.2f} {since}."
    elif move >= MOVED:
        verdict = f"The divide widened from {first.gini:.2f} to {last.gini:.2f} {since}."
    else:
        verdict = f"The divide held at about {last.gini:.2f} {since} (from {first.gini:.2f})."
    verdict += (
        f" Regular users went from {first.regular_share:.0%} to {last.regular_share:.0%} "
        "of members."
    )
    if last.active < 5:
        caveats.append(f"Only {last.active} people {used} in {last.month}: a Gini of a few.")
    small = [e.label for e in effects if 0 < e.exposed < 5]
    if small:
        caveats.append("Fewer than 5 exposed people behind: " + "; ".join(small) + ".")
    return verdict, caveats


def closing(material: Material, usage: np.ndarray | None = None) -> Closing:
    """Is the divide closing, on runs; and on ``usage`` (the usage reports' uses per person and
    week of ``material.weeks``) when any report covers those weeks."""
    exposures = _exposures(material)
    grid = material.weeks

    def reading(uses: np.ndarray, reuse: np.ndarray | None, used: str) -> Closing:
        effects = [_effect(kind, exposures[kind], material, uses, reuse) for kind in KINDS]
        months = _months(material, uses)
        verdict, caveats = _verdict(effects, months, used=used)
        return Closing(effects=effects, months=months, verdict=verdict, caveats=caveats)

    result = reading(grid.runs, grid.reuse, "ran anything")
    if usage is not None and usage.any():
        result.usage = reading(usage, None, "used AI")
    return result
