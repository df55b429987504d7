"""``huddle worker`` outlives the failures of its own queue (claiming a task, saving a result):
it logs them, pauses longer each time (up to a minute) and goes on; and it serves the mining
queue beside the default one."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from huddle.cli import run
from huddle.core import worker
from huddle.core.models import RateBucket
from huddle.core.tasks import prune_task

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes its connections


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """The worker's pauses, recorded instead of slept (django-tasks-db's own 0.1 s too)."""
    from django_tasks_db import utils

    slept: list[float] = []
    monkeypatch.setattr(worker, "_pause", slept.append)
    monkeypatch.setattr(utils.time, "sleep", lambda seconds: None)
    return slept


@pytest.fixture
def queued() -> DBTaskResult:
    """An old rate-limit bucket and the task that prunes it, waiting."""
    RateBucket.objects.create(
        key="login_ip:1.2.3.4", window_start=timezone.now() - timedelta(days=2)
    )
    return DBTaskResult.objects.get(id=prune_task.enqueue().id)


def _failing_claims(monkeypatch, errors: list[Exception]) -> None:
    """The queue's claim (its ``BEGIN EXCLUSIVE`` transaction) fails with ``errors`` first."""
    real = db_worker.exclusive_transaction

    @contextlib.contextmanager
    def claim(using=None):
        if errors:
            raise errors.pop(0)
        with real(using):
            yield

    monkeypatch.setattr(db_worker, "exclusive_transaction", claim)


def test_the_worker_goes_on_after_the_queue_fails(monkeypatch, pauses, queued, caplog):
    _failing_claims(
        monkeypatch,
        [
            OperationalError("database is locked"),  # SQLite, after the 20 s busy timeout
            OperationalError("database is locked"),
            OperationalError("server closed the connection unexpectedly"),  # PostgreSQL
            RuntimeError("anything else"),
        ],
    )
    assert run(["worker", "--batch"]) == 0
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert not RateBucket.objects.exists()
    assert pauses == [1.0, 2.0, 4.0, 8.0]
    failures = [r for r in caplog.records if r.name == "huddle.core.worker"]
    assert len(failures) == 4
    assert "The task queue failed" in failures[0].getMessage()
    assert "database is locked" in failures[0].exc_text


def test_the_worker_s_pauses_grow_to_a_minute_at_most(monkeypatch, pauses, queued):
    _failing_claims(monkeypatch, [OperationalError("database is locked") for _ in range(9)])
    assert run(["worker", "--batch"]) == 0
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


def test_a_result_is_saved_once_the_database_answers_again(monkeypatch, pauses, queued):
    """django-tasks-db tries three times, 0.1 s apart, then recorded the task failed (with the
    database's error) although it had run well."""
    real, failures = DBTaskResult.save, [0]

    def save(self, *args, **kwargs):
        if "return_value" in (kwargs.get("update_fields") or ()) and failures[0] < 5:
            failures[0] += 1
            raise OperationalError("database is locked")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", save)
    assert run(["worker", "--batch"]) == 0
    queued.refresh_from_db()
    assert (queued.status, queued.return_value, queued.traceback) == ("SUCCESSFUL", 1, "")
    assert pauses == [1.0]  # three quick tries failed, then one pause


def test_the_mining_queue_has_a_loop_of_its_own(monkeypatch):
    served: list[tuple[list[str], str, bool]] = []

    def record(self):
        served.append((self.queue_names, threading.current_thread().name, self.batch))

    monkeypatch.setattr(worker.Worker, "run", record)
    monkeypatch.setattr(worker.Worker, "configure_signals", lambda self: None)
    worker.serve()
    for thread in threading.enumerate():
        if thread.name == "worker:mining":
            thread.join(timeout=5)
    assert sorted(served) == [
        (["default"], "MainThread", False),
        (["mining"], "worker:mining", False),
    ]
    served.clear()
    worker.serve(batch=True)
    assert served == [(["default", "mining"], "MainThread", True)]


def test_the_process_gets_its_signal_handlers_back_after_a_batch(queued):
    """``huddle.cli.run`` may run in a process that goes on (the tests): a later SIGTERM must
    not reach a worker that has ended."""
    import signal

    before = signal.getsignal(signal.SIGTERM)
    assert run(["worker", "--batch"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
