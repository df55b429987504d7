"""``/api/v1/imports``: upload a chat export to import in the background, and follow its job."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huddle.capture.importers import jobs
from huddle.capture.importers.models import ImportJob
from huddle.core.uploads import refuse_if_too_large

router = Router(tags=["imports"])


class JobOut(Schema):
    id: UUID
    source: str
    status: str
    file_name: str
    percent: int
    bytes_read: int
    bytes_total: int
    report: dict[str, Any]
    error: str
    mining: str = Field(
        description="Pattern mining after the import: waiting, running, done, failed, or empty"
    )
    created_at: datetime
    finished_at: datetime | None


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.public_id,
        "source": job.source,
        "status": job.status,
        "file_name": job.file_name,
        "percent": job.percent,
        "bytes_read": job.bytes_read,
        "bytes_total": job.bytes_total,
        "report": job.report,
        "error": job.error,
        "mining": job.mining,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post("", response={202: JobOut}, summary="Upload a ChatGPT or Claude export to import")
def import_create(request: HttpRequest, source: Form[str], file: File[UploadedFile]) -> Status:
    """Queues the import (the worker runs it); follow it with ``GET /imports/{id}``."""
    refuse_if_too_large(request)
    job = jobs.import_job_create(actor=request.actor, source=source, upload=file)  # type: ignore[attr-defined]
    return Status(202, _job_out(job))


@router.get("/{job_id}", response=JobOut, summary="An import job's status, progress and report")
def import_detail(request: HttpRequest, job_id: UUID) -> dict[str, Any]:
    return _job_out(jobs.get_job(request.actor, job_id))  # type: ignore[attr-defined]
