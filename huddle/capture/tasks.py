"""Background tasks of the capture app (``django.tasks``; run by ``huddle worker``).

- ``run_import(job_id)``: import an uploaded chat export (``ImportJob``).
- ``mine_patterns(job_id)``: then mine its member's patterns, on the ``mining`` queue, which
  ``huddle worker`` serves beside the default one, so a long mining holds up no import.
- ``sweep_task()``: find the import jobs whose worker stopped (``jobs.sweep``) and queue the next
  sweep ``SWEEP_EVERY`` later; ``ensure_sweep()`` (called when ``huddle worker`` starts) queues
  one unless one is waiting.
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from huddle.core.periodic import ensure_queued

MINING_QUEUE = "mining"
SWEEP_EVERY = timedelta(minutes=1)


@task
def run_import(job_id: int) -> None:
    """Import an uploaded chat export (``ImportJob``); its mining is queued when it is done."""
    from huddle.capture.importers.jobs import import_job_run

    import_job_run(job_id)


@task(queue_name=MINING_QUEUE)
def mine_patterns(job_id: int) -> None:
    """Mine the patterns of the member whose upload the job imported."""
    from huddle.capture.importers.jobs import mining_run

    mining_run(job_id)


@task
def sweep_task() -> dict[str, int]:
    from huddle.capture.importers.jobs import sweep

    try:
        return sweep()
    finally:
        ensure_sweep(delay=SWEEP_EVERY)


def ensure_sweep(delay: timedelta = timedelta(0)) -> bool:
    """Queue a sweep unless one is already waiting; True when one was queued."""
    return ensure_queued(sweep_task, delay)
