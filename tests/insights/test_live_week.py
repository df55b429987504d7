"""The week in progress: its earlier days are rolled up once a day, today's runs read live."""

from __future__ import annotations

from datetime import timedelta

import pytest

from huddle.insights import rollup
from huddle.insights.metrics import window as window_module
from huddle.insights.metrics.window import day_start, monday
from huddle.insights.models import MemberWeek, RolledWeek
from huddle.runs.models import Run
from tests.insights.simulate import AS_OF, standard_team

pytestmark = pytest.mark.django_db

THURSDAY = AS_OF - timedelta(days=3)  # AS_OF is a Sunday
WEEK = monday(THURSDAY)


@pytest.fixture
def today(monkeypatch):
    """Pretend today is ``set(day)`` for insights (the roll-up and the report)."""

    class Clock:
        def set(self, day):
            monkeypatch.setattr(window_module, "today", lambda: day)
            monkeypatch.setattr(rollup, "today", lambda: day)

    clock = Clock()
    clock.set(THURSDAY)
    return clock


def _marker(org):
    return RolledWeek.objects.filter(organization=org, week_start=WEEK).first()


def _run(org, user, day, hour=10):
    return Run.objects.create(
        organization=org,
        user=user,
        started_at=day_start(day) + timedelta(hours=hour),
        minutes_spent=5,
        baseline_minutes=50,
    )


def test_the_rolled_up_days_give_the_same_figures_as_reading_every_run(
    org, report_for, today, monkeypatch
):
    standard_team(org)
    rolled = report_for(org, as_of=THURSDAY).as_dict()
    marker = _marker(org)
    assert marker is not None
    assert marker.until == THURSDAY
    assert MemberWeek.objects.filter(organization=org, week_start=WEEK).exists()
    monkeypatch.setattr(rollup, "ensure_partial", lambda *args: False)  # every run from Run
    assert report_for(org, as_of=THURSDAY).as_dict() == rolled


def test_a_run_of_today_leaves_the_rolled_days_alone_and_still_counts(org, report_for, today):
    simulation = standard_team(org)
    user = next(iter(simulation.users.values()))
    before = report_for(org, as_of=THURSDAY).as_dict()["time_saved_minutes"]
    rolled_at = _marker(org).rolled_at
    _run(org, user, THURSDAY)
    assert _marker(org).rolled_at == rolled_at  # not rebuilt
    after = report_for(org, as_of=THURSDAY).as_dict()["time_saved_minutes"]
    assert after == pytest.approx(before + 45)
    assert _marker(org).rolled_at == rolled_at


def test_recording_a_run_of_today_touches_no_roll_up_marker(
    org, report_for, today, django_assert_num_queries
):
    # Nothing rolled up covers today, so saving today's run asks nothing of the markers: one
    # statement (the insert), which keeps the write of every recorded run short.
    simulation = standard_team(org)
    user = next(iter(simulation.users.values()))
    report_for(org, as_of=THURSDAY)
    with django_assert_num_queries(1):
        _run(org, user, THURSDAY, hour=23)
    with django_assert_num_queries(2):  # an earlier day's run: the insert and the marker
        _run(org, user, THURSDAY - timedelta(days=1))
    assert _marker(org) is None


def test_a_run_of_an_earlier_day_rebuilds_the_week_so_far(org, report_for, today):
    simulation = standard_team(org)
    user = next(iter(simulation.users.values()))
    before = report_for(org, as_of=THURSDAY).as_dict()["time_saved_minutes"]
    _run(org, user, THURSDAY - timedelta(days=2))  # Tuesday, inside the rolled-up days
    assert _marker(org) is None
    after = report_for(org, as_of=THURSDAY).as_dict()["time_saved_minutes"]
    assert after == pytest.approx(before + 45)
    assert _marker(org).until == THURSDAY


def test_the_next_day_rolls_one_more_day_and_the_week_once_over_is_rolled_whole(
    org, report_for, today
):
    standard_team(org)
    report_for(org, as_of=THURSDAY)
    today.set(THURSDAY + timedelta(days=1))
    friday = report_for(org, as_of=THURSDAY + timedelta(days=1)).as_dict()
    assert _marker(org).until == THURSDAY + timedelta(days=1)
    next_monday = WEEK + timedelta(days=7)
    today.set(next_monday)
    report = report_for(org, as_of=next_monday, weeks=2)
    marker = _marker(org)
    assert marker.until is None  # the whole week, as any complete week
    runs_that_week = Run.objects.filter(
        organization=org, started_at__gte=day_start(WEEK), started_at__lt=day_start(next_monday)
    ).count()
    assert report.divide.weekly_runs[0] == runs_that_week
    assert friday["weekly_minutes_saved"]


def test_monday_has_no_earlier_day_to_roll_up(org, report_for, today):
    standard_team(org)
    today.set(WEEK)
    report_for(org, as_of=WEEK)
    assert _marker(org) is None
