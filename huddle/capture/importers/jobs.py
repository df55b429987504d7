"""Imports run by the worker: an upload becomes an ``ImportJob``; ``import_job_run`` does it.

The uploaded file is kept in the default media storage under ``imports/`` only until the job has
finished (done or failed); then it is deleted. A refused file fails the job with the importer's
one-line message; nothing of it is written.

Progress (bytes read, bytes in all) is written at most every ``PROGRESS_EVERY`` seconds to a small
file beside the upload (``<upload>.progress``), not to the job's row: the import runs in one
transaction, whose writes other connections don't see until it ends (and on SQLite it holds the
write lock, so another connection's update would wait for it). The storage is shared by the web
processes and the worker already (the upload reaches the worker through it), so ``get_job``
reads the progress from there while the job runs; it is deleted with the upload.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from uuid import UUID

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Membership
from huddle.accounts.policy import Action, Actor
from huddle.capture.importers.archive import ImportRefused
from huddle.capture.importers.models import ExportSource, ImportJob, JobStatus
from huddle.core import ratelimit
from huddle.core.errors import HuddleError, NotFound, ValidationFailed

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds


def my_jobs(actor: Actor) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organization=actor.organization, owner=actor.user)


def get_job(actor: Actor, public_id: str | UUID) -> ImportJob:
    """One of the actor's own import jobs; ``NotFound`` otherwise."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    job = my_jobs(actor).filter(public_id=key).first()
    if job is None:
        raise NotFound()
    if job.status == JobStatus.RUNNING and (progress := _progress_read(job)):
        job.bytes_read, job.bytes_total = progress
    return job


def _progress_name(job: ImportJob) -> str:
    return f"{job.file.name}.progress"


def _progress_write(job: ImportJob, done: int, total: int) -> None:
    storage, name = job.file.storage, _progress_name(job)
    storage.delete(name)  # save() never overwrites: it would pick another name
    storage.save(name, ContentFile(f"{done} {total}\n".encode("ascii")))


def _progress_read(job: ImportJob) -> tuple[int, int] | None:
    """The running job's last progress, or None (not written yet, or caught being rewritten)."""
    if not job.file:
        return None
    try:
        with job.file.storage.open(_progress_name(job), "rb") as handle:
            line = handle.read(64)
    except OSError:
        return None
    done, _, total = line.partition(b" ")
    if not line.endswith(b"\n") or not done.isdigit() or not total.strip().isdigit():
        return None
    return int(done), int(total)


@transaction.atomic
def import_job_create(*, actor: Actor, source: str, upload: UploadedFile | None) -> ImportJob:
    """Store the upload, queue its import after commit; ``ValidationFailed`` names the field."""
    policy.require(actor, Action.CREATE_CONTENT)
    problems: dict[str, list[str]] = {}
    if source not in ExportSource.values:
        problems["source"] = ["Choose ChatGPT or Claude."]
    if upload is None or not upload.size:
        problems["file"] = ["Choose the export's .zip (or conversations.json)."]
    if problems:
        raise ValidationFailed("The import can't start; see the fields.", fields=problems)
    ratelimit.hit(
        "import",
        f"{actor.organization.pk}:{actor.user.pk}",
        message="You started many imports in the last hour.",
    )
    assert upload is not None  # noqa: S101 - checked above; for the type checker
    name = PurePosixPath(upload.name or "export").name[:200]
    suffix = ".zip" if name.lower().endswith(".zip") else ".json"
    job = ImportJob(
        organization=actor.organization,
        owner=actor.user,
        source=source,
        file_name=name,
        bytes_total=upload.size or 0,
    )
    job.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    job.save()
    from huddle.capture.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


@contextmanager
def _local_path(job: ImportJob) -> Iterator[str]:
    """A path to the stored file: the file itself on disk, else a temporary copy."""
    try:
        yield job.file.path
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy, job.file.open("rb") as stored:
        shutil.copyfileobj(stored, copy)
        copy.flush()
        yield copy.name


def import_job_run(job_id: int) -> ImportJob | None:
    """Do a queued job: import, mine the member's patterns, record the report; never raises for
    a bad file (the job fails with its message)."""
    from huddle.capture.importers.patterns import patterns_mine
    from huddle.capture.importers.writer import import_export

    job = ImportJob.objects.select_related("organization", "owner").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return job
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    last = 0.0

    def on_progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY:
            last = now
            _progress_write(job, done, total)

    try:
        membership = (
            Membership.objects.select_related("user", "organization")
            .filter(organization=job.organization, user=job.owner)
            .first()
        )
        if membership is None:
            raise ImportRefused("You are no longer a member of this organisation.")
        actor = Actor(membership)
        with _local_path(job) as path:
            report = import_export(
                actor=actor, source=job.source, path=path, on_progress=on_progress
            )
        patterns = patterns_mine(actor=actor)
        job.report = report.as_dict() | {"patterns": len(patterns)}
        job.status = JobStatus.DONE
    except HuddleError as error:
        job.status, job.error = JobStatus.FAILED, error.message
    except Exception:  # a failed job is data the member sees, not a crash (logged)
        log.exception("import job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.error = "Something went wrong while importing; the team has the details."
    job.finished_at = timezone.now()
    job.bytes_read = job.bytes_total = max(job.bytes_total, 1)
    if job.file:
        job.file.storage.delete(_progress_name(job))
        job.file.delete(save=False)
    job.save()
    return job
