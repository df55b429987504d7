"""``ensure_queued``: keep one instance of a self-requeuing background task waiting.

A periodic task (the ritual's schedule tick, the insights roll-up) queues its next run when it
finishes; ``huddle worker`` calls ``ensure_queued`` when it starts, so the chain restarts after
the worker was down, and never doubles however many workers start.
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import Task
from django.utils import timezone


def ensure_queued(task: Task, delay: timedelta = timedelta(0)) -> bool:
    """Queue ``task`` to run ``delay`` from now unless one is already waiting; True if queued."""
    from django_tasks_db.models import DBTaskResult

    # A run waiting for later counts too (``ready()`` would only count those already due).
    if DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists():
        return False
    task.using(run_after=timezone.now() + delay).enqueue()
    return True
