"""Background tasks of the context app (``django.tasks``; run by ``huddle worker``)."""

from __future__ import annotations

from django.tasks import task


@task
def run_upload(job_id: int) -> None:
    """Parse an uploaded file (``UploadJob``) and save the asset or version it makes."""
    from huddle.context.jobs import upload_job_run

    upload_job_run(job_id)
