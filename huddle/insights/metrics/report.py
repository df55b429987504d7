"""The whole insights report for a scope and window, with privacy applied while it is built.

``build`` is the one function behind the pages, the API and the CLI. Whether individual figures
are included is decided by ``policy.can_view_individuals`` (admins and owners, never in
aggregate-only mode); when they are not, the lists of people are left empty here, so no adapter
can leak them by accident. A member always gets their own profile.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from huddle.accounts import policy
from huddle.accounts.policy import Actor
from huddle.core.errors import PermissionDenied
from huddle.core.numbers import plural
from huddle.insights.metrics import profiles as profiles_mod
from huddle.insights.metrics.closing import Closing, closing
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.divide import Divide, divide
from huddle.insights.metrics.flow import Flow, flow
from huddle.insights.metrics.latency import Latency, know_how_latency
from huddle.insights.metrics.phases import PhaseSpan, PhaseWeek, phase_spans, phases
from huddle.insights.metrics.profiles import MemberProfile
from huddle.insights.metrics.score import SEGMENTS, score_members
from huddle.insights.metrics.sources import Sources, sources, usage_grid
from huddle.insights.metrics.struggling import Struggle, struggling
from huddle.insights.metrics.summary import summary, window_text
from huddle.insights.metrics.window import Window
from huddle.insights.metrics.workflows import (
    GainLost,
    Institutionalisation,
    WorkflowFigures,
    gain_lost,
    institutionalisation,
    per_workflow,
)
from huddle.insights.privacy import aggregate_only, exposure
from huddle.library.models import Workflow


@dataclass
class AtRisk:
    owner: MemberProfile
    workflows: list[WorkflowFigures]

    @property
    def minutes_saved(self) -> float:
        return round(sum(w.minutes_saved for w in self.workflows), 1)


@dataclass
class Report:
    scope: Scope
    window: Window
    individuals: bool  # others' individual figures are included
    aggregate_only: bool
    divide: Divide
    institution: Institutionalisation
    gain_lost: GainLost
    phases: list[PhaseWeek]
    segments: dict[str, int]
    power_user_count: int
    struggling_count: int
    at_risk_count: int
    workflows: list[WorkflowFigures]  # leaderboard, by minutes saved
    me: MemberProfile | None = None
    members: list[MemberProfile] = field(default_factory=list)
    power_users: list[MemberProfile] = field(default_factory=list)
    struggling: list[Struggle] = field(default_factory=list)
    at_risk: list[AtRisk] = field(default_factory=list)
    flow: Flow | None = None
    medians: dict[str, float | None] = field(default_factory=dict)
    captures_tracked: bool = False
    sources: Sources | None = None  # the divide on runs, usage reports, both (issue 23)
    latency: Latency | None = None  # know-how latency over the organisation (issue 23)
    closing: Closing | None = None  # is the divide closing? (issue 23)
    period: str = ""  # the window in words: "the 8 weeks to 4 Oct 2026"
    summary: str = ""  # the overview in one plain sentence (``summary.summary``)

    @property
    def is_empty(self) -> bool:
        """Nothing to measure: no member ran anything in the window and no usage report covers
        it. The page then says how to get the first figures instead of drawing empty charts."""
        return not self.divide.active_members and not (self.sources and self.sources.has_usage)

    @property
    def phase(self) -> PhaseWeek | None:
        return self.phases[-1] if self.phases else None

    @property
    def phase_spans(self) -> list[PhaseSpan]:
        """The phase timeline: weeks of the same phase collapsed into one span with its dates."""
        return phase_spans(self.phases, self.window.as_of)

    def profile(self, user_id: int) -> MemberProfile | None:
        for p in self.members:
            if p.user_id == user_id:
                return p
        return self.me if self.me and self.me.user_id == user_id else None

    def as_dict(self) -> dict[str, object]:
        """The CLI / API shape."""
        phase = self.phase
        return {
            "organization": self.scope.organization.slug,
            "team": self.scope.team.slug if self.scope.team else None,
            "as_of": self.window.as_of.isoformat(),
            "weeks": self.window.weeks,
            "period": self.period,
            "summary": self.summary,
            "individuals": self.individuals,
            "members": self.divide.members,
            "active_members": self.divide.active_members,
            "power_user_count": self.power_user_count,
            "power_users": [
                {"email": p.email, "score": round(p.score, 2), "reasons": p.reasons}
                for p in self.power_users
            ],
            "segments": self.segments,
            "struggling_count": self.struggling_count,
            "struggling": [s.as_dict() for s in self.struggling],
            "gini": self.divide.gini_runs,
            "gini_minutes": self.divide.gini_minutes,
            "gini_trend": self.divide.gini_trend,
            "top10_share": self.divide.top10_share,
            "active_weekly_share": self.divide.active_weekly_share,
            "weekly_active": self.divide.weekly_active,
            "time_saved_minutes": self.institution.minutes,
            "weekly_minutes_saved": self.divide.weekly_minutes,
            "shared_share": self.institution.shared_share,
            "shared_minutes_share": self.institution.shared_minutes_share,
            "gain_lost_minutes": self.gain_lost.minutes,
            "phase": phase.phase if phase else None,
            "phases": [p.as_dict() for p in self.phases],
            "phase_spans": [s.as_dict() for s in self.phase_spans],
            "know_how_at_risk_count": self.at_risk_count,
            "know_how_at_risk": [
                {
                    "owner": group.owner.email,
                    "workflows": [w.as_dict() for w in group.workflows],
                }
                for group in self.at_risk
            ],
            "workflows": [w.as_dict() for w in self.workflows[:50]],
            "divide_by_source": self.sources.as_dict() if self.sources else None,
            "is_it_closing": self.closing.as_dict() if self.closing else None,
            "know_how_latency": (
                self.latency.as_dict(individuals=self.individuals) if self.latency else None
            ),
        }


def build(actor: Actor | None, scope: Scope, window: Window) -> Report:
    """Compute the report as ``actor`` may see it (``None``: the operator on the host).

    Never pauses the garbage collector: a web request must not change a process-wide switch that
    other threads share. Batch callers (``huddle insights``) pause it around the call
    (``core.memory.collector_paused``: warm at 1M runs ~240 -> ~200 ms).
    """
    hidden = aggregate_only(scope.organization)
    individuals = policy.can_view_individuals(actor, aggregate_only=hidden)
    seen = exposure(scope)
    if not policy.can_view_group_figures(actor, seen.members, aggregate_only=hidden, gap=seen.gap):
        why = (
            "this organisation shows insights as aggregates only"
            if hidden
            else "they are for admins and owners"
        )
        if seen.too_few:
            what = f"Fewer than {policy.MIN_GROUP} people are in this group, so its figures"
        else:
            what = (
                f"A larger group holds this one and {plural(seen.gap, 'person', 'people')} more, "
                "so its figures minus this group's"
            )
        raise PermissionDenied(f"{what} would be individual figures, and {why}.")
    material = profiles_mod.load(scope, window)
    medians = score_members(material.profiles)
    figures = per_workflow(material)
    dv = divide(material)
    struggles = struggling(material, figures)
    risky = sorted(
        (f for f in figures.values() if f.at_risk), key=lambda f: (-f.minutes_saved, f.meta.slug)
    )
    leaderboard = sorted(figures.values(), key=lambda f: (-f.minutes_saved, -f.runs, f.meta.slug))
    if not individuals:
        # Workflow figures stay, but only of workflows the person may open: a private
        # workflow of someone else is an individual figure.
        visible = policy.visible_pks(actor, Workflow) if actor is not None else set()
        leaderboard = [f for f in leaderboard if f.meta.id in visible]
    by_owner: dict[int, list[WorkflowFigures]] = defaultdict(list)
    for f in risky:
        by_owner[f.meta.owner_id].append(f)
    people = {p.user_id: p for p in material.profiles}
    at_risk = sorted(
        (AtRisk(people[o], ws) for o, ws in by_owner.items() if o in people),
        key=lambda a: (-a.minutes_saved, a.owner.email),
    )
    segments = {name: 0 for name in SEGMENTS}
    for p in material.profiles:
        segments[p.segment] += 1
    power = sorted(
        (p for p in material.profiles if p.power_user), key=lambda p: (-p.score, p.email)
    )
    institution = institutionalisation(material)
    report = Report(
        scope=scope,
        window=window,
        individuals=individuals,
        aggregate_only=hidden,
        divide=dv,
        institution=institution,
        gain_lost=gain_lost(figures, dv.active_members),
        phases=phases(material),
        segments=segments,
        power_user_count=len(power),
        struggling_count=len(struggles),
        at_risk_count=len(risky),
        workflows=leaderboard,
        medians=medians,
        captures_tracked=material.captures_tracked,
        sources=sources(material, individuals=individuals),
        latency=know_how_latency(material.scope, figures, total_minutes=institution.minutes),
        closing=closing(material, usage=usage_grid(material, material.weeks.weeks).uses),
    )
    report.period = window_text(window.as_of, window.weeks)
    report.summary = summary(
        runs=[p.runs for p in material.profiles],
        solo_workflows=report.latency.never_left_count if report.latency else None,
        minutes_saved=institution.minutes,
        period=report.period,
    )
    if actor is not None:
        report.me = people.get(actor.user.pk)
    if individuals:
        report.members = sorted(material.profiles, key=lambda p: (-p.score, p.email))
        report.power_users = power
        report.struggling = struggles
        report.at_risk = at_risk
        report.flow = flow(material)
    return report


CACHE_SECONDS = 600


def build_cached(actor: Actor | None, scope: Scope, window: Window) -> Report:
    """``build``, reused while nothing in the organisation changed.

    The key holds the organisation's data version — the newest ``Event`` (every service that
    changes something records one) and the newest ``Run`` (bulk loads write no events) — plus who
    asks (privacy differs per person), the team and the window. A change anywhere makes a new key,
    so a cached report is never stale; an entry lives ten minutes at most.
    """
    from django.core.cache import cache
    from django.db.models import Max

    from huddle.core.models import Event
    from huddle.runs.models import Run

    organization = scope.organization
    event = Event.objects.filter(organization=organization).aggregate(m=Max("id"))["m"]
    run = Run.objects.filter(organization=organization).aggregate(m=Max("id"))["m"]
    who = actor.user.pk if actor is not None else "operator"
    team = scope.team.pk if scope.team is not None else "all"
    if scope.attribute is not None:  # a department or region: hashed, it is free text
        team = f"{team}:{hashlib.sha256(repr(scope.attribute).encode()).hexdigest()[:16]}"
    key = (
        f"insights:{organization.pk}:{team}:{who}:{window.as_of.isoformat()}:{window.weeks}"
        f":{event}:{run}:{aggregate_only(organization)}"
    )
    report = cache.get(key)
    if report is None:
        report = build(actor, scope, window)
        cache.set(key, report, CACHE_SECONDS)
    return report
