"""The weekly schedule, run by the task worker (``tasks.tick_task``) or by cron
(``huddle digest tick``): ``schedule_tick(now)`` drafts and sends what is due.

For each organisation with the schedule on, the *latest* draft slot and send slot at or before
``now`` (weekday + time in its time zone, and not before the schedule was switched on) name a
week. A week is drafted or sent only when it is later than ``last_drafted_week`` /
``last_sent_week``, which are moved forward in the same transaction (the settings row is
locked, so two workers can't both act). After a worker was down for a month, the next tick drafts
and sends the latest due week once, not every missed week. Finished weeks whose winner nobody
picked are decided by the vote (``services.week_close``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from huddle.accounts.models import Organization
from huddle.rituals import weeks
from huddle.rituals.config import settings_for
from huddle.rituals.delivery import digest_send
from huddle.rituals.digest import digest_draft
from huddle.rituals.models import RitualSettings, Win
from huddle.rituals.services import week_close


@dataclass(frozen=True)
class TickResult:
    organization: str
    drafted: str = ""  # the week drafted, if any
    sent: str = ""
    closed: tuple[str, ...] = ()


def latest_slot(now: datetime, tz: str, weekday: int, at: object) -> datetime:
    """The most recent moment at or before ``now`` that falls on ``weekday`` at ``at`` in ``tz``."""
    local = now.astimezone(weeks.zone(tz))
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    slot = datetime.combine(day, at, tzinfo=weeks.zone(tz))  # type: ignore[arg-type]
    if slot > local:
        slot -= timedelta(days=7)
    return slot


def _due_week(now: datetime, config: RitualSettings, weekday: int, at: object) -> str:
    slot = latest_slot(now, config.timezone, weekday, at)
    if config.enabled_at is None or slot < config.enabled_at:
        return ""
    return weeks.week_of(slot.date())


def close_finished_weeks(organization: Organization, current: str) -> list[str]:
    open_weeks = (
        Win.objects.filter(organization=organization, iso_week__lt=current, vote_count__gt=0)
        .exclude(
            iso_week__in=Win.objects.filter(organization=organization, chosen=True).values(
                "iso_week"
            )
        )
        .values_list("iso_week", flat=True)
        .distinct()
    )
    closed = []
    for week in sorted(set(open_weeks)):
        if week_close(organization, week) is not None:
            closed.append(week)
    return closed


def tick_organization(config_id: int, now: datetime) -> TickResult:
    with transaction.atomic():
        config = (
            RitualSettings.objects.select_for_update()
            .select_related("organization")
            .get(pk=config_id)
        )
        organization = config.organization
        closed = close_finished_weeks(organization, weeks.current_week(config.timezone, now))
        drafted = sent = ""
        if not config.enabled:
            return TickResult(organization.slug, closed=tuple(closed))
        draft_week = _due_week(now, config, config.draft_weekday, config.draft_time)
        if draft_week and draft_week > config.last_drafted_week:
            digest_draft(organization, draft_week)
            config.last_drafted_week = drafted = draft_week
        send_week = _due_week(now, config, config.send_weekday, config.send_time)
        if send_week and send_week > config.last_sent_week:
            digest = digest_draft(organization, send_week)
            digest_send(actor=None, digest=digest)
            config.last_sent_week = sent = send_week
        config.save(update_fields=["last_drafted_week", "last_sent_week"])
    return TickResult(organization.slug, drafted=drafted, sent=sent, closed=tuple(closed))


def schedule_tick(now: datetime | None = None) -> list[TickResult]:
    """Draft, send and close what is due for every organisation; returns what was done."""
    now = now or timezone.now()
    results = []
    # Weeks are closed for every organisation that has wins, schedule or not.
    with_wins = Win.objects.filter(organization__ritual_settings__isnull=True)
    for organization in Organization.objects.filter(pk__in=with_wins.values("organization")):
        settings_for(organization)
    for config_id in RitualSettings.objects.order_by("pk").values_list("pk", flat=True):
        result = tick_organization(config_id, now)
        if result.drafted or result.sent or result.closed:
            results.append(result)
    return results
