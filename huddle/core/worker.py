"""``huddle worker``: django-tasks-db's worker, made to outlive the failures of its own queue.

django-tasks-db's ``db_worker`` loop ends the process on an exception from the queue's own work:
claiming a task (on SQLite, ``database is locked`` when ``BEGIN EXCLUSIVE`` waited out the busy
timeout; on PostgreSQL, a lost connection) or saving a task's result once its three quick tries
failed. Here such a failure is logged, the loop pauses (``FIRST_PAUSE``, doubling up to
``MAX_PAUSE``; back to the first pause once the loop has run that long without one) and goes
on; a result that could not be saved is tried again the same way (``SAVE_TRIES`` times) before
the loop gives up on it. A task's own exceptions never reach here: the queue records them as
the task's failure.

One loop per queue: the default queue in the main thread, and every other queue of the backend
(``mining``: pattern mining after an import, which can take minutes) in a thread of its own, so
a long task of one queue holds up none of the other. ``batch`` serves every queue in one loop
until none has work (cron, tests).
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import Error, close_old_connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)
FIRST_PAUSE, MAX_PAUSE = 1.0, 60.0  # seconds
SAVE_TRIES = 8  # about four minutes of pauses before a result is given up


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _reconnect() -> None:
    """Drop this thread's broken database connections; the next query opens a new one."""
    try:
        close_old_connections()
    except Error:
        log.warning("Closing a broken database connection failed", exc_info=True)


def _patient(save: Callable[..., Any], task_id: str) -> Callable[..., Any]:
    """``save`` (a result's ``set_successful`` / ``set_failed``), tried again after database
    errors with growing pauses."""

    @functools.wraps(save)
    def patient(*args: Any, **kwargs: Any) -> Any:
        pause = FIRST_PAUSE
        for attempt in range(1, SAVE_TRIES + 1):
            try:
                return save(*args, **kwargs)
            except Error:
                if attempt == SAVE_TRIES:
                    raise
                log.warning(
                    "Saving the result of task %s failed; trying again in %.0f s",
                    task_id,
                    pause,
                    exc_info=True,
                )
                _reconnect()
                _pause(pause)
                pause = min(pause * 2, MAX_PAUSE)
        raise AssertionError("unreachable")  # pragma: no cover

    return patient


class Worker(db_worker.Worker):
    """django-tasks-db's worker loop that logs, pauses and goes on when the queue fails."""

    def run(self) -> None:
        pause = FIRST_PAUSE
        while True:
            started = time.monotonic()
            try:
                super().run()
                return
            except Exception:  # the queue's failure, not a task's: log it, pause, go on
                if time.monotonic() - started >= MAX_PAUSE:
                    pause = FIRST_PAUSE  # it had been working for a while
                log.exception(
                    "The task queue failed; worker %s tries again in %.0f s", self.worker_id, pause
                )
                _reconnect()
                self.startup_delay = False
                _pause(pause)
                pause = min(pause * 2, MAX_PAUSE)
            if not self.running:
                return

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # The result is saved with three tries 0.1 s apart; a database busy for longer would
        # leave the task "running" for ever and end the loop.
        task_id = str(db_task_result.id)
        for name in ("set_successful", "set_failed"):
            setattr(db_task_result, name, _patient(getattr(db_task_result, name), task_id))
        super().run_task(db_task_result)


def _worker(queues: list[str], *, batch: bool) -> Worker:
    return Worker(
        queue_names=queues,
        interval=1,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=not batch,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


@contextmanager
def _stopped_by_signals(worker: Worker) -> Iterator[None]:
    """The worker's handlers for SIGINT, SIGTERM and SIGQUIT while it runs; the process's own
    again after (``huddle.cli.run`` may be called in a process that goes on: the tests)."""
    names = ("SIGINT", "SIGTERM", "SIGQUIT")
    signals = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = {number: signal.getsignal(number) for number in signals}
    worker.configure_signals()
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def serve(*, batch: bool = False) -> None:
    """Run the worker until it is stopped (or, with ``batch``, until no queue has work)."""
    queues = sorted(task_backends[DEFAULT_TASK_BACKEND_ALIAS].queues or [DEFAULT_TASK_QUEUE_NAME])
    if batch:
        worker = _worker(queues, batch=True)
        with _stopped_by_signals(worker):
            worker.run()
        return
    for name in queues:
        if name != DEFAULT_TASK_QUEUE_NAME:
            # A daemon: it stops with the process. A task it was running is left to the sweeps
            # (an import job's lease), as after any stop.
            side = _worker([name], batch=False)
            threading.Thread(target=side.run, name=f"worker:{name}", daemon=True).start()
    main = _worker([DEFAULT_TASK_QUEUE_NAME], batch=False)
    with _stopped_by_signals(main):
        main.run()
