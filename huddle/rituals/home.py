"""The organisation's home page as data: where a member starts the day.

``home_for(actor)`` returns, for everyone: what to run today (endorsed workflows first, then the
ones the actor's team used most over ``RECENT_DAYS``), the actor's recent runs, this week's wins
and open asks, and the actor's time saved this week and over ``RECENT_DAYS``. For a new
organisation it adds a setup checklist (``SetupStep``); only the steps the actor may act on are
listed, and the list disappears once every step is done.

Reads only; everything is scoped by ``accounts.policy`` (workflows by ``visible_q``, runs by the
actor's own), so the page never shows what the actor could not open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Invitation, Membership
from huddle.accounts.policy import Action, Actor
from huddle.capture.models import Capture
from huddle.context.models import ContextAsset
from huddle.core.models import Event
from huddle.library.models import Status, Workflow
from huddle.rituals import queries, weeks
from huddle.rituals.config import settings_for
from huddle.rituals.models import AskStatus
from huddle.runs.models import Run
from huddle.runs.queries import TimeSaved, time_saved

RECENT_DAYS = 30
TO_RUN = 6
RECENT_RUNS = 5


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    why: str
    url: str
    action: str
    done: bool


@dataclass
class Home:
    greeting: str
    setup: list[SetupStep] = field(default_factory=list)
    to_run: list[Workflow] = field(default_factory=list)
    recent_runs: list[Run] = field(default_factory=list)
    wins: list[Any] = field(default_factory=list)
    asks: list[Any] = field(default_factory=list)
    week_label: str = ""
    saved_week: TimeSaved | None = None
    saved_recent: TimeSaved | None = None
    week_in_progress: bool = True

    @property
    def setup_left(self) -> int:
        return sum(not step.done for step in self.setup)


def greeting_name(actor: Actor) -> str:
    """A person's name, or their whole e-mail address: "new@acme.test", never "new"."""
    return actor.user.name.strip() or actor.user.email


def _url(actor: Actor, name: str) -> str:
    return reverse(name, args=[actor.organization.slug])


def setup_steps(actor: Actor) -> list[SetupStep]:
    """The first-week checklist, limited to the steps ``actor`` may do; [] once all are done."""
    org = actor.organization
    steps = []
    if actor.can(Action.CREATE_CONTENT):
        steps.append(
            SetupStep(
                "context",
                "Add your brand voice or glossary",
                "Every workflow can use it, and the brand check scores texts against it.",
                _url(actor, "context_index"),
                "Add context",
                ContextAsset.objects.filter(organization=org).exists(),
            )
        )
        steps.append(
            SetupStep(
                "capture",
                "Capture a workflow, or import a chat export",
                "Write down one thing you already do with AI, or let Huddle find your repeated "
                "prompts in a ChatGPT or Claude export.",
                _url(actor, "capture_new"),
                "Capture a workflow",
                Capture.objects.filter(organization=org).exists()
                or Workflow.objects.filter(organization=org).exists(),
            )
        )
    if actor.can(Action.MANAGE_MEMBERS):
        steps.append(
            SetupStep(
                "invite",
                "Invite your team",
                "Huddle is for sharing: the library grows with each person who joins.",
                _url(actor, "members"),
                "Invite people",
                Membership.objects.filter(organization=org).count() > 1
                or Invitation.objects.filter(organization=org).exists(),
            )
        )
    if actor.can(Action.MANAGE_RITUALS):
        steps.append(
            SetupStep(
                "ritual",
                "Pick the day of your weekly AI win",
                "The digest of the week's wins, time saved and open asks goes out on that day.",
                _url(actor, "ritual_settings"),
                "Choose the day",
                Event.objects.filter(organization=org, kind="rituals.settings_changed").exists(),
            )
        )
    return [] if all(step.done for step in steps) else steps


def to_run_today(actor: Actor, limit: int = TO_RUN) -> list[Workflow]:
    """Workflows the actor can open, each with ``recent_runs`` (their team's runs over
    ``RECENT_DAYS``; the whole organisation's when they are in no team): up to half the list
    endorsed ones, the rest the team's most used, then the newest."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    team_ids = list(actor.membership.teams.values_list("pk", flat=True))
    people = Membership.objects.filter(organization=actor.organization)
    if team_ids:
        people = people.filter(teams__in=team_ids)
    recent = Q(runs__started_at__gte=since, runs__user__in=people.values("user"))
    workflows = (
        Workflow.objects.filter(policy.visible_q(actor))
        .exclude(status=Status.ARCHIVED)
        .annotate(recent_runs=Count("runs", filter=recent, distinct=True))
        .select_related("owner")
    )
    endorsed = list(
        workflows.filter(status=Status.ENDORSED).order_by("-recent_runs", "title")[: limit // 2]
    )
    rest = workflows.exclude(pk__in=[w.pk for w in endorsed]).order_by(
        "-recent_runs", "-updated_at", "title"
    )
    return endorsed + list(rest[: limit - len(endorsed)])


def home_for(actor: Actor) -> Home:
    """Everything the home page shows to ``actor``."""
    org = actor.organization
    tz = settings_for(org).timezone
    week = weeks.current_week(tz)
    start, end = weeks.bounds(week, tz)
    mine = Run.objects.filter(organization=org, user=actor.user)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return Home(
        greeting=greeting_name(actor),
        setup=setup_steps(actor),
        to_run=to_run_today(actor),
        recent_runs=list(mine.select_related("workflow").order_by("-started_at")[:RECENT_RUNS]),
        wins=queries.candidates(actor, week)[:3],
        asks=queries.asks_board(actor, AskStatus.OPEN, limit=3),
        week_label=weeks.label(week),
        saved_week=time_saved(mine.filter(started_at__gte=start, started_at__lt=end)),
        saved_recent=time_saved(mine.filter(started_at__gte=since)),
    )
