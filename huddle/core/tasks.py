"""Background tasks of core (``django.tasks``; run by ``huddle worker``).

- ``prune_task()`` drops the rate-limit buckets of windows long past (``ratelimit.prune``) and
  queues itself again ``PRUNE_EVERY`` later; ``huddle worker`` starts the chain
  (``ensure_prune``).
- ``sweep_task()`` finds the jobs of every kind (imports, uploads, usage imports) whose worker
  stopped (``jobs.sweep_all``) and queues the next sweep ``SWEEP_EVERY`` later; ``huddle
  worker`` starts the chain (``ensure_sweep``).
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from huddle.core.periodic import ensure_queued

PRUNE_EVERY = timedelta(hours=1)
SWEEP_EVERY = timedelta(minutes=1)


@task()
def prune_task() -> int:
    """Delete old rate-limit buckets; how many."""
    from huddle.core import ratelimit

    try:
        return ratelimit.prune()
    finally:
        ensure_prune(delay=PRUNE_EVERY)


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
