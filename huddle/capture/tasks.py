"""Background tasks of the capture app (``django.tasks``; run by ``huddle worker``).

- ``run_import(job_id)``: import an uploaded chat export (``ImportJob``).
- ``mine_patterns(job_id)``: then mine its member's patterns, on the ``mining`` queue, which
  ``huddle worker`` serves beside the default one, so a long mining holds up no import.
- ``mine_again(job_id)``: "Look again" on the patterns page (``MiningJob``), on the same queue.
- The sweep of import jobs whose worker stopped (``jobs.sweep``) is part of the one sweep of
  every job kind, ``core.tasks.sweep_task``, re-exported here.
"""

from __future__ import annotations

from django.tasks import task

from huddle.core.tasks import sweep_task  # noqa: F401 - re-exported (the one sweep)

MINING_QUEUE = "mining"


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


@task(queue_name=MINING_QUEUE)
def mine_again(job_id: int) -> None:
    """Mine a member's patterns again ("Look again": ``MiningJob``)."""
    from huddle.capture.importers.jobs import mining_job_run

    mining_job_run(job_id)
