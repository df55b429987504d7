"""The roll-up is kept current ahead of views: ``rollup.catch_up``, the worker's task, the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huddle.cli import run
from huddle.insights import rollup
from huddle.insights.metrics import window as window_module
from huddle.insights.metrics.window import LEAD_WEEKS, MAX_WEEKS, day_start, monday
from huddle.insights.models import MemberWeek, RolledWeek
from huddle.insights.tasks import ensure_rollup, rollup_task
from huddle.runs.models import Run
from tests.factories import OrganizationFactory
from tests.insights.simulate import AS_OF, standard_team

pytestmark = pytest.mark.django_db

TODAY = AS_OF + timedelta(days=4)  # the Thursday after the simulated weeks
SIMULATED = [monday(AS_OF) - timedelta(weeks=7 - i) for i in range(8)]
HISTORY = MAX_WEEKS + LEAD_WEEKS  # every complete week the longest report reads
EVERY_WEEK = [monday(TODAY) - timedelta(weeks=n) for n in range(HISTORY, 0, -1)]


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(window_module, "today", lambda: TODAY)
    monkeypatch.setattr(rollup, "today", lambda: TODAY)


def _rolled_weeks(org) -> list:
    return sorted(
        RolledWeek.objects.filter(organization=org, until__isnull=True).values_list(
            "week_start", flat=True
        )
    )


def _weeks_with_rows(org) -> list:
    weeks = MemberWeek.objects.filter(organization=org).values_list("week_start", flat=True)
    return sorted(set(weeks) - {monday(TODAY)})


def _roll_up_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT INTO")]


def test_catch_up_rolls_every_week_since_the_first_run_and_the_week_so_far(org, report_for):
    standard_team(org)
    assert rollup.catch_up(org) == HISTORY + 1  # and the week so far: Monday to Wednesday
    assert _rolled_weeks(org) == EVERY_WEEK
    assert _weeks_with_rows(org) == SIMULATED
    partial = RolledWeek.objects.get(organization=org, week_start=monday(TODAY))
    assert partial.until == TODAY
    assert rollup.catch_up(org) == 0  # nothing changed: nothing to do


def test_a_view_after_catch_up_rolls_nothing_and_shows_the_same_figures(org, report_for):
    standard_team(org)
    rollup.catch_up(org)
    with CaptureQueriesContext(connection) as queries:
        caught_up = report_for(org, weeks=8, as_of=TODAY).as_dict()
    assert _roll_up_writes(queries.captured_queries) == []
    rollup.invalidate(org)
    MemberWeek.objects.filter(organization=org).delete()
    with CaptureQueriesContext(connection) as queries:
        lazily = report_for(org, weeks=8, as_of=TODAY).as_dict()
    assert len(_roll_up_writes(queries.captured_queries)) > 8  # the view rolled up itself
    assert caught_up == lazily


def test_catch_up_rebuilds_only_the_week_whose_run_changed(org):
    standard_team(org)
    rollup.catch_up(org)
    run_ = Run.objects.filter(organization=org, started_at__lt=day_start(SIMULATED[3])).last()
    run_.rating = 1
    run_.save()
    assert rollup.catch_up(org) == 1
    assert _rolled_weeks(org) == EVERY_WEEK


def test_catch_up_goes_back_the_weeks_asked_and_skips_an_organisation_without_runs(org):
    standard_team(org)
    assert rollup.catch_up(org, weeks=3) == 3 + 1
    assert _rolled_weeks(org) == SIMULATED[-3:]
    quiet = OrganizationFactory(slug="quiet")
    assert rollup.catch_up(quiet) == 0
    assert not RolledWeek.objects.filter(organization=quiet).exists()


def test_catch_up_reports_its_progress_week_by_week(org):
    standard_team(org)
    seen = []
    rollup.catch_up(org, on_week=lambda done, total: seen.append((done, total)))
    assert seen == [(n, HISTORY) for n in range(1, HISTORY + 1)]


def test_the_worker_task_catches_up_every_organisation_and_queues_itself_once(org):
    from django_tasks_db.models import DBTaskResult

    standard_team(org)
    OrganizationFactory(slug="quiet")
    assert ensure_rollup() is True
    assert ensure_rollup() is False  # one is waiting already
    DBTaskResult.objects.all().delete()
    assert rollup_task.call() == HISTORY + 1
    assert _weeks_with_rows(org) == SIMULATED
    waiting = DBTaskResult.objects.filter(task_path=rollup_task.module_path, status="READY")
    assert waiting.count() == 1  # the next one, ten minutes later
    assert rollup_task.call() == 0


def test_one_organisation_failing_does_not_stop_the_others_or_the_chain(org, monkeypatch, caplog):
    from django_tasks_db.models import DBTaskResult

    broken = OrganizationFactory(slug="broken")
    standard_team(org)
    real = rollup.catch_up

    def catch_up(organization, **kwargs):
        if organization == broken:
            raise RuntimeError("disk full")
        return real(organization, **kwargs)

    monkeypatch.setattr(rollup, "catch_up", catch_up)
    assert rollup_task.call() == HISTORY + 1
    assert "Rolling up insights of broken failed" in caplog.text
    assert DBTaskResult.objects.filter(task_path=rollup_task.module_path).count() == 1


def test_the_cli_rolls_up_on_demand(org, capsys):
    standard_team(org)
    assert run(["rollup", "--org", "acme"]) == 0
    assert f"acme: {HISTORY + 1} week(s) rolled up." in capsys.readouterr().out
    assert _weeks_with_rows(org) == SIMULATED
    assert run(["rollup"]) == 0  # every organisation
    assert "acme: up to date." in capsys.readouterr().out
    assert run(["rollup", "--org", "nope"]) == 2
