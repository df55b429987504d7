"""A simulated team: power users, a middle, a long tail, strugglers; sharing and reuse; phases.

Deterministic (seeded) and fast: rows go in with ``bulk_create`` (so no ``run_record`` signals
fire) and the roll-up is invalidated at the end, as any bulk writer must.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from huddle.accounts.models import Membership, Organization, Role, Team, User, Visibility
from huddle.core.models import Event
from huddle.insights import rollup
from huddle.insights.metrics.window import monday
from huddle.library.models import (
    Kind,
    Label,
    Status,
    Workflow,
    WorkflowLabel,
    WorkflowTag,
    WorkflowVersion,
)
from huddle.runs.models import Run

AS_OF = date(2026, 10, 4)  # a Sunday in the past: every week of the window is complete
Rate = Callable[[int], float]  # week index (0 = first simulated week) -> runs that week


def constant(rate: float) -> Rate:
    return lambda _week: rate


@dataclass
class Spec:
    """One simulated member."""

    email: str
    rate: Rate
    saves: float = 0.4  # share of the baseline saved
    rating: float = 3.5  # mean rating
    edit: float = 0.3  # mean edit ratio
    task: str = "email"  # the tag of the work they do
    owns: int = 0  # workflows they author
    kind: str = Kind.PROMPT
    shared_from: int | None = None  # week their workflows become shared (None: stay private)
    reuse: float = 0.0  # chance a run uses someone else's shared workflow (same task first)
    context: bool = False  # their workflows reference context
    role: str = Role.MEMBER
    team: str | None = None


@dataclass
class Simulation:
    organization: Organization
    users: dict[str, User] = field(default_factory=dict)
    workflows: dict[str, list[Workflow]] = field(default_factory=dict)
    runs: int = 0


def _when(week_start: date, rng: random.Random, until: datetime) -> datetime:
    moment = timezone.make_aware(datetime.combine(week_start, time(9))) + timedelta(
        hours=rng.randint(0, 24 * 5)
    )
    return min(moment, until - timedelta(minutes=1))


def simulate(
    organization: Organization,
    specs: list[Spec],
    *,
    weeks: int = 8,
    as_of: date = AS_OF,
    seed: int = 7,
    extra_shared: list[dict] | None = None,
) -> Simulation:
    """Create members, their workflows, tags, share events and runs over ``weeks`` weeks
    ending with the week of ``as_of``. ``extra_shared``: workflows by the first spec's author
    (``{"title", "task", "status", "owner"}``) to be suggested to strugglers."""
    rng = random.Random(seed)  # noqa: S311 - test data
    sim = Simulation(organization)
    until = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min))
    first_week = monday(as_of) - timedelta(weeks=weeks - 1)
    users = User.objects.bulk_create(
        [User(email=s.email, name=s.email.split("@")[0].title()) for s in specs]
    )
    teams: dict[str, Team] = {}
    for s in specs:
        if s.team and s.team not in teams:
            teams[s.team] = Team.objects.create(organization=organization, slug=s.team, name=s.team)
    memberships = Membership.objects.bulk_create(
        [
            Membership(organization=organization, user=u, role=s.role)
            for s, u in zip(specs, users, strict=True)
        ]
    )
    for s, m in zip(specs, memberships, strict=True):
        if s.team:
            m.teams.add(teams[s.team])
    sim.users = {u.email: u for u in users}
    workflows: list[Workflow] = []
    plan: list[tuple[Spec, int]] = []
    for s in specs:
        for i in range(s.owns):
            plan.append((s, i))
            visible = s.shared_from is not None and s.shared_from <= 0
            workflows.append(
                Workflow(
                    organization=organization,
                    slug=f"{s.email.split('@')[0]}-{i}",
                    title=f"{s.task.title()} workflow {i} of {s.email.split('@')[0]}",
                    kind=s.kind,
                    owner=sim.users[s.email],
                    visibility=Visibility.ORG if visible else Visibility.PRIVATE,
                    status=Status.ENDORSED if visible else Status.DRAFT,
                )
            )
    for extra in extra_shared or []:
        owner = sim.users[extra.get("owner", specs[0].email)]
        plan.append((Spec(owner.email, constant(0), task=extra["task"]), -1))
        workflows.append(
            Workflow(
                organization=organization,
                slug=extra["slug"],
                title=extra["title"],
                kind=extra.get("kind", Kind.PROMPT),
                owner=owner,
                visibility=Visibility.ORG,
                status=extra.get("status", Status.SHARED),
            )
        )
    workflows = Workflow.objects.bulk_create(workflows)
    versions = WorkflowVersion.objects.bulk_create(
        [
            WorkflowVersion(
                workflow=w,
                number=1,
                steps=[{"name": "step_1", "template": "Write."}],
                context_refs=[{"slug": "brand", "version": None}] if s.context else [],
                baseline_minutes=60,
            )
            for (s, _i), w in zip(plan, workflows, strict=True)
        ]
    )
    WorkflowLabel.objects.bulk_create(
        [WorkflowLabel(workflow=v.workflow, name=Label.LATEST, version=v) for v in versions]
    )
    WorkflowTag.objects.bulk_create(
        [
            WorkflowTag(workflow=w, organization=organization, name=s.task)
            for (s, _i), w in zip(plan, workflows, strict=True)
        ]
    )
    own: dict[str, list[Workflow]] = {}
    for (s, i), w in zip(plan, workflows, strict=True):
        if i >= 0:
            own.setdefault(s.email, []).append(w)
    sim.workflows = own
    events = []
    for s in specs:
        if s.shared_from is not None and s.shared_from > 0:
            when = timezone.make_aware(
                datetime.combine(first_week + timedelta(weeks=s.shared_from), time(8))
            )
            for w in own.get(s.email, []):
                events.append(
                    Event(
                        organization=organization,
                        actor=sim.users[s.email],
                        kind="workflow.published",
                        object_type="workflow",
                        object_id=str(w.public_id),
                        created_at=when,
                    )
                )
    Event.objects.bulk_create(events)

    def shared_at(week: int) -> list[tuple[Spec, Workflow]]:
        return [
            (s, w)
            for s in specs
            if s.shared_from is not None and s.shared_from <= week
            for w in own.get(s.email, [])
        ] + [(s, w) for (s, i), w in zip(plan, workflows, strict=True) if i < 0]

    runs: list[Run] = []
    for week in range(weeks):
        week_start = first_week + timedelta(weeks=week)
        pool = shared_at(week)
        for s in specs:
            rate = max(0.0, s.rate(week))
            count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(count):
                others = [w for o, w in pool if o.email != s.email and w.title]
                same_task = [w for o, w in pool if o.email != s.email and o.task == s.task]
                if (others and rng.random() < s.reuse) or not own.get(s.email):
                    choices = same_task or others
                    workflow = rng.choice(choices) if choices else None
                else:
                    workflow = rng.choice(own[s.email])
                baseline = 60.0
                spent = max(2.0, round(baseline * (1 - s.saves) * rng.uniform(0.8, 1.2)))
                rating = min(5, max(1, round(s.rating + rng.uniform(-0.6, 0.6))))
                edit = min(1.0, max(0.0, s.edit + rng.uniform(-0.1, 0.1)))
                runs.append(
                    Run(
                        organization=organization,
                        user=sim.users[s.email],
                        workflow=workflow,
                        minutes_spent=spent,
                        baseline_minutes=baseline,
                        rating=rating,
                        edit_ratio=round(edit, 3),
                        started_at=_when(week_start, rng, until),
                    )
                )
    Run.objects.bulk_create(runs, batch_size=2000)
    sim.runs = len(runs)
    rollup.invalidate(organization)
    return sim


# --- ready-made teams ---------------------------------------------------------------------


def standard_team(organization: Organization, *, seed: int = 7, weeks: int = 8) -> Simulation:
    """2 power users (sharing chains with context), 8 in the middle, 10 in a long tail,
    2 strugglers, a hoarder whose excellent private workflow nobody else can use."""
    specs = [
        Spec("pat@sim.test", constant(12), 0.85, 4.7, 0.05, "email", 3, Kind.CHAIN, 0, 0, True),
        Spec("quinn@sim.test", constant(11), 0.8, 4.5, 0.08, "social", 3, Kind.CHAIN, 0, 0, True),
        Spec("hoarder@sim.test", constant(2.5), 0.8, 4.6, 0.1, "blog", 1, Kind.PROMPT, None, 0),
    ]
    for i in range(8):
        task = ["email", "social", "blog"][i % 3]
        specs.append(Spec(f"mid{i}@sim.test", constant(2), 0.45, 3.6, 0.3, task, 0, reuse=0.6))
    for i in range(10):
        specs.append(
            Spec(f"tail{i}@sim.test", constant(0.3 if i < 6 else 0), 0.3, 3.4, 0.35, "social")
        )
    specs.append(
        Spec(
            "struggler@sim.test",
            lambda w: 3 if w < 4 else 0.25,
            0.1,
            1.8,
            0.75,
            "email",
            1,
            reuse=0.0,
        )
    )
    specs.append(Spec("rewriter@sim.test", constant(1.5), 0.15, 2.0, 0.7, "social", 0, reuse=0.3))
    return simulate(
        organization,
        specs,
        weeks=weeks,
        seed=seed,
        extra_shared=[
            {"slug": "email-fast", "title": "Fast email", "task": "email", "status": "endorsed"},
            {"slug": "email-plain", "title": "Plain email", "task": "email"},
            {"slug": "ads-thing", "title": "Ad copy", "task": "ads"},
        ],
    )


def uniform_team(organization: Organization, *, n: int = 20, seed: int = 11) -> Simulation:
    """Everyone works alike: same rate, same savings, same quality, sharing alike."""
    specs = [
        Spec(f"u{i}@sim.test", constant(4), 0.5, 4.0, 0.2, "email", 1, Kind.PROMPT, 0, 0.3)
        for i in range(n)
    ]
    return simulate(organization, specs, weeks=8, seed=seed)


def phased_year(organization: Organization, *, seed: int = 5) -> Simulation:
    """A year through the article's phases, 20 members:
    weeks 0-11 exploration (6 curious people, ~1.5 runs a week each, private workflows);
    from week 12 two of them become power users (15 a week), the others stay at 1 a week and
    nobody shares: divergence, lasting into a silo; at week 40 the power users share their
    workflows and from week 41 sixteen members run them 3 times a week: institutionalised."""
    specs = [
        Spec(
            f"power{i}@sim.test",
            lambda w: 1.5 if w < 12 else 15,
            0.85,
            4.6,
            0.05,
            "email",
            2,
            Kind.CHAIN,
            40,
        )
        for i in range(2)
    ]
    specs += [
        Spec(
            f"early{i}@sim.test",
            lambda w: 1.5 if w < 12 else (1 if w < 41 else 3),
            0.4,
            3.5,
            0.3,
            "email",
            1,
        )
        for i in range(4)
    ]
    specs += [
        Spec(f"late{i}@sim.test", lambda w: 0 if w < 41 else 3, 0.5, 4.0, 0.2, "email", reuse=0.95)
        for i in range(14)
    ]
    return simulate(organization, specs, weeks=52, seed=seed)
