"""Background tasks of the capture app (``django.tasks``; run by ``huddle worker``)."""

from __future__ import annotations

from django.tasks import task


@task
def run_import(job_id: int) -> None:
    """Import an uploaded chat export (``ImportJob``) and mine its member's patterns."""
    from huddle.capture.importers.jobs import import_job_run

    import_job_run(job_id)
