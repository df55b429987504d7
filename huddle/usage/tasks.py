"""Background task of the usage app (``django.tasks``; run by ``huddle worker``)."""

from __future__ import annotations

from django.tasks import task


@task
def run_usage_import(import_id: int) -> None:
    """Import an uploaded usage report (``UsageImport``)."""
    from huddle.usage.services import upload_run

    upload_run(import_id)
