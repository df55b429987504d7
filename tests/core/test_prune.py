"""The worker's hourly prune also drops the queue's old finished task results (django-tasks-db
keeps a row per task for ever otherwise)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from huddle.core.tasks import RESULTS_KEPT, prune_task
from huddle.insights.tasks import rollup_task

pytestmark = pytest.mark.django_db


def _result(status: str, age: timedelta) -> str:
    result = rollup_task.using(run_after=timezone.now() + timedelta(days=1)).enqueue()
    when = timezone.now() - age
    DBTaskResult.objects.filter(id=result.id).update(
        status=status,
        enqueued_at=when,
        started_at=None if status == "READY" else when,
        finished_at=when if status in ("SUCCESSFUL", "FAILED") else None,
    )
    return str(result.id)


def test_old_finished_task_results_go_and_the_rest_stay():
    old = RESULTS_KEPT + timedelta(hours=1)
    gone = [_result("SUCCESSFUL", old), _result("FAILED", old)]
    kept = [
        _result("SUCCESSFUL", timedelta(hours=1)),
        _result("FAILED", RESULTS_KEPT - timedelta(hours=1)),
        _result("READY", old),  # waiting, however long: a job may depend on it
        _result("RUNNING", old),  # the sweep decides about these
    ]
    assert prune_task.call() == 2
    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert not left & set(gone)
    assert set(kept) <= left
