"""Background tasks of core (``django.tasks``; run by ``huddle worker``).

- ``prune_task()`` drops the rate-limit buckets of windows long past (``ratelimit.prune``) and
  the queue's finished task results older than ``RESULTS_KEPT`` (``results_prune``), and
  queues itself again ``PRUNE_EVERY`` later; ``huddle worker`` starts the chain
  (``ensure_prune``).
- ``sweep_task()`` finds the jobs of every kind (imports, uploads, usage imports) whose worker
  stopped (``jobs.sweep_all``) and queues the next sweep ``SWEEP_EVERY`` later; ``huddle
  worker`` starts the chain (``ensure_sweep``).
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from huddle.core.periodic import ensure_queued

PRUNE_EVERY = timedelta(hours=1)
# A finished task's result (its return value, or a failed one's traceback) is kept this long
# for the operator; the queue's table otherwise grows by a row per task for ever.
RESULTS_KEPT = timedelta(days=7)
SWEEP_EVERY = timedelta(minutes=1)


@task()
def prune_task() -> int:
    """Delete old rate-limit buckets and old finished task results; how many rows went."""
    from huddle.core import ratelimit

    try:
        return ratelimit.prune() + results_prune()
    finally:
        ensure_prune(delay=PRUNE_EVERY)


def results_prune(older_than: timedelta = RESULTS_KEPT) -> int:
    """Delete the queue's results of tasks that finished (succeeded or failed) more than
    ``older_than`` ago; waiting and running tasks stay. How many."""
    from django_tasks_db.models import DBTaskResult

    old = DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - older_than)
    deleted, _ = old.delete()
    return deleted


def ensure_prune(delay: timedelta = timedelta(0)) -> bool:
    """Queue a prune unless one is already waiting; True when one was queued."""
    return ensure_queued(prune_task, delay)


@task()
def sweep_task() -> dict[str, dict[str, int]]:
    """Take over the jobs whose worker stopped; what was found, by job model."""
    from huddle.core.jobs import sweep_all

    try:
        return sweep_all()
    finally:
        ensure_sweep(delay=SWEEP_EVERY)


def ensure_sweep(delay: timedelta = timedelta(0)) -> bool:
    """Queue a sweep unless one is already waiting; True when one was queued."""
    return ensure_queued(sweep_task, delay)
