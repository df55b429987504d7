"""The schedule: due slots in the organisation's time zone, drafting and sending once, and
catching up once after the worker was down for a month."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail

from huddle.rituals import schedule, services
from huddle.rituals.config import settings_for
from huddle.rituals.models import Delivery, Digest, DigestStatus, Win
from huddle.rituals.tasks import ensure_tick, tick_task
from tests.rituals.conftest import shared_workflow

pytestmark = pytest.mark.django_db

# Thursday 5 March 2026, 12:00 UTC.
THURSDAY = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def scheduled(org, owner, member):
    config = settings_for(org)
    config.enabled = True
    config.enabled_at = datetime(2026, 1, 1, tzinfo=UTC)
    config.timezone = "America/New_York"  # UTC-5 in winter
    config.draft_weekday, config.draft_time = 3, time(9)  # Thursday 09:00 = 14:00 UTC
    config.send_weekday, config.send_time = 4, time(9)  # Friday 09:00
    config.save()
    return config


def test_latest_slot_is_in_the_organisation_time_zone():
    slot = schedule.latest_slot(THURSDAY, "America/New_York", 3, time(9))
    assert slot.astimezone(UTC) == datetime(2026, 2, 26, 14, 0, tzinfo=UTC)  # a week earlier
    later = schedule.latest_slot(THURSDAY + timedelta(hours=3), "America/New_York", 3, time(9))
    assert later.astimezone(UTC) == datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def test_drafts_then_sends_once(scheduled, org):
    scheduled.enabled_at = datetime(2026, 3, 1, tzinfo=UTC)  # after last week's send slot
    scheduled.save()
    schedule.schedule_tick(THURSDAY + timedelta(hours=3))  # after Thursday 09:00 New York
    digest = Digest.objects.get(organization=org, iso_week="2026-W10")
    assert digest.status == DigestStatus.DRAFT
    schedule.schedule_tick(THURSDAY + timedelta(hours=4))
    assert Digest.objects.count() == 1
    schedule.schedule_tick(THURSDAY + timedelta(days=1, hours=3))  # Friday after 09:00
    digest.refresh_from_db()
    assert digest.status == DigestStatus.SENT
    assert Delivery.objects.count() == 2  # owner and member
    schedule.schedule_tick(THURSDAY + timedelta(days=1, hours=5))
    assert Delivery.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_a_missed_month_catches_up_once(scheduled, org, django_capture_on_commit_callbacks):
    scheduled.last_drafted_week = scheduled.last_sent_week = "2026-W06"
    scheduled.save()
    back = THURSDAY + timedelta(weeks=4, days=2)  # Saturday 4 April: W10 to W14 were missed
    with django_capture_on_commit_callbacks(execute=True):
        results = schedule.schedule_tick(back)
        schedule.schedule_tick(back + timedelta(minutes=5))
    assert [(r.drafted, r.sent) for r in results] == [("2026-W14", "2026-W14")]
    assert list(Digest.objects.values_list("iso_week", "status")) == [("2026-W14", "sent")]
    from django.core.management import call_command

    call_command("db_worker", batch=True, verbosity=0)
    assert len(mail.outbox) == 2  # one digest, to two members
    scheduled.refresh_from_db()
    assert (scheduled.last_drafted_week, scheduled.last_sent_week) == ("2026-W14", "2026-W14")


def test_nothing_before_the_schedule_was_switched_on(scheduled, org):
    scheduled.enabled_at = THURSDAY
    scheduled.save()
    assert schedule.schedule_tick(THURSDAY + timedelta(hours=1)) == []  # slots are all earlier
    assert not Digest.objects.exists()


def test_a_disabled_schedule_does_nothing(scheduled):
    scheduled.enabled = False
    scheduled.save()
    assert schedule.schedule_tick(THURSDAY + timedelta(days=2)) == []


def test_finished_weeks_are_decided_by_the_vote(org, editor, member, monkeypatch):
    monkeypatch.setattr(services, "week_now", lambda organization: "2026-W10")
    win = services.win_nominate(actor=editor.actor, story="", workflow=shared_workflow(editor))
    services.win_vote(actor=member.actor, win=win)
    results = schedule.schedule_tick(THURSDAY + timedelta(weeks=1))
    assert results[0].closed == ("2026-W10",)
    assert Win.objects.get(pk=win.pk).chosen


def test_the_tick_task_runs_and_queues_the_next_one_once(scheduled):
    from django_tasks_db.models import DBTaskResult

    assert ensure_tick() is True
    assert ensure_tick() is False  # one is waiting already
    tick_task.call()
    assert DBTaskResult.objects.filter(task_path=tick_task.module_path, status="READY").count() == 1
