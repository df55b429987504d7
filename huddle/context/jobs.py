"""Uploads the worker parses: a file sent from a page or the API becomes an ``UploadJob``.

- ``upload_job_for_asset`` / ``upload_job_for_version`` (the request) check the member's rights
  and everything of the asset but its content (``services.asset_create_check`` /
  ``asset_update_check``), count the upload against the member's hourly limit (``ratelimit``:
  a 429 page or answer), read the file within the size cap, make the quick checks
  (``parsing.inspect_upload``: most hostile files are refused here, as a form error or a 422),
  store the file under ``context-uploads/`` and queue ``tasks.run_upload`` after commit.
- ``upload_job_run`` (the worker) claims the job (queued → running: one worker only), parses the
  file outside any transaction — DOCX, XLSX and PDF in a child process with hard limits — writing
  its progress and a heartbeat every ``BEAT_EVERY`` seconds, then saves the asset or version
  through ``services`` and marks the job done in one short transaction. A refused file fails the
  job with the parser's message. The stored file is deleted when the job ends, either way.
- The lease is ``core.jobs``'s, shared with imports and usage imports. A worker that dies
  mid-job leaves it ``running`` with a heartbeat that stops. ``upload_jobs_expire`` (run when a
  job is read, by every worker before it starts one, and by the worker's periodic sweep) fails
  each running job whose heartbeat is older than ``LEASE_SECONDS``, saying so, and deletes its
  file (an upload is not retried: the member sends it again). A worker finishes a job only if
  it still holds it, in the same transaction as its write, so a job expired under a stalled
  worker never turns "done" afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from huddle.accounts.models import Membership, Team, Visibility
from huddle.accounts.policy import Actor
from huddle.context import services
from huddle.context.models import (
    ContextAsset,
    UploadAction,
    UploadJob,
)
from huddle.context.parsing.upload import inspect_upload
from huddle.core import jobs, ratelimit
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.jobs import JobStatus

log = logging.getLogger(__name__)
# A running job whose heartbeat is older belongs to a worker that died.
LEASE_SECONDS = int(UploadJob.LEASE.total_seconds())
BEAT_EVERY = jobs.BEAT_EVERY  # seconds between writes of a running job's progress and heartbeat
WAITING_HINT_SECONDS = 60  # a job queued longer: the page asks whether a worker runs
STOPPED = UploadJob.STOPPED
FOLDER = "context-uploads"


def my_jobs(actor: Actor) -> QuerySet[UploadJob]:
    return UploadJob.objects.filter(organization=actor.organization, owner=actor.user)


def get_job(actor: Actor, public_id: str | UUID) -> UploadJob:
    """One of the actor's own upload jobs (expired first if its worker died); ``NotFound``
    otherwise — another member's job, or another organisation's, is not found."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    mine = my_jobs(actor).filter(public_id=key)
    upload_jobs_expire(mine)
    job = mine.select_related("asset").first()
    if job is None:
        raise NotFound()
    return job


def upload_job_for_asset(
    *,
    actor: Actor,
    file: Any,
    kind: str,
    slug: str,
    title: str,
    description: str = "",
    visibility: str = Visibility.ORG,
    team: Team | None = None,
    draft: bool = False,
    data: dict[str, Any] | None = None,
) -> UploadJob:
    """Queue the making of a new asset from ``file`` (an uploaded file). Raises what
    ``asset_create_check`` and ``inspect_upload`` raise, and 413 past the size cap."""
    new = services.asset_create_check(
        actor=actor,
        organization=actor.organization,
        kind=kind,
        slug=slug,
        title=title,
        visibility=visibility,
        team=team,
    )
    params = {
        "slug": new.slug,
        "title": new.title,
        "description": description,
        "visibility": new.visibility,
        "team": str(new.team.public_id) if new.team else None,
        "draft": draft,
        "data": data or {},
    }
    return _queue(actor, file, UploadAction.CREATE, new.kind, None, params)


def upload_job_for_version(
    *,
    actor: Actor,
    asset: ContextAsset,
    file: Any,
    title: str | None = None,
    changelog: str = "",
    draft: bool = False,
    data: dict[str, Any] | None = None,
) -> UploadJob:
    """Queue a new version of ``asset`` from ``file``. Raises what ``asset_update_check`` and
    ``inspect_upload`` raise, and 413 past the size cap."""
    services.asset_update_check(actor=actor, asset=asset)
    params = {"title": title, "changelog": changelog, "draft": draft, "data": data}
    return _queue(actor, file, UploadAction.VERSION, asset.kind, asset, params)


def _queue(
    actor: Actor,
    file: Any,
    action: str,
    kind: str,
    asset: ContextAsset | None,
    params: dict[str, Any],
) -> UploadJob:
    if file is None:
        raise ValidationFailed("Choose a file to upload.", fields={"file": ["Required."]})
    # Counted before the file is read or checked: each upload costs the worker a parse.
    ratelimit.hit(
        "upload",
        f"{actor.organization.pk}:{actor.user.pk}",
        message="You uploaded many files in the last hour; wait a little before the next one.",
    )
    upload = services.upload_from(file)
    inspect_upload(kind, upload.name, upload.content)
    # The file is written before the row, outside the transaction (on SQLite a transaction
    # holds every organisation's write lock); it is deleted again if the row can't be made.
    name = f"{FOLDER}/{uuid.uuid4().hex}.upload"
    stored = default_storage.save(name, ContentFile(upload.content))
    try:
        with transaction.atomic():
            job = UploadJob.objects.create(
                organization=actor.organization,
                owner=actor.user,
                action=action,
                kind=kind,
                asset=asset,
                params=params,
                file=stored,
                file_name=upload.name[:255],
                file_size=len(upload.content),
            )
            transaction.on_commit(lambda: jobs.enqueue(job))
    except BaseException:
        default_storage.delete(stored)
        raise
    return job


class _Beat:
    """The running job's progress, written with its heartbeat (``core.jobs.Lease``) at most
    every ``BEAT_EVERY`` seconds; the parse calls it as ``on_progress(fraction or None, note)``.
    A lost lease is not raised into the parser (its child process must be ended by it): the
    save then finds the job no longer held and writes nothing."""

    def __init__(self, job: UploadJob) -> None:
        self.lease = jobs.Lease(job, every=BEAT_EVERY)
        self.lease.last = 0.0

    def __call__(self, fraction: float | None, note: str, *, now: bool = False) -> None:
        # Reading is 5% to 90% of the bar; checking before it, saving after it.
        percent = 5 + int(85 * min(max(fraction, 0.0), 1.0)) if fraction is not None else None
        fields: dict[str, Any] = {"stage": note[:200]}
        if percent is not None:
            fields["percent"] = percent
        with contextlib.suppress(jobs.LeaseLost):
            self.lease.beat(now=now, **fields)


def upload_job_run(job_id: int) -> UploadJob | None:
    """Do a queued job: parse its file, save the asset or version, record the outcome. Never
    raises for a bad file (the job fails with its message); the stored file is deleted."""
    upload_jobs_expire()
    claimed = jobs.claim(UploadJob, job_id, percent=2, stage="Checking the file")
    job = UploadJob.objects.select_related("organization", "owner", "asset").filter(pk=job_id)
    job = job.first()
    if job is None or claimed is None:
        return job
    try:
        actor = _actor(job)
        with job.file.open("rb") as stored:
            upload = services.Upload(job.file_name, stored.read())
        beat = _Beat(job)
        parsed = services.upload_parse(
            kind=job.kind, upload=upload, on_progress=beat, inspected=True
        )
        beat(1.0, "Saving", now=True)
        _save(job, actor, parsed)
    except HuddleError as error:
        _end(job, JobStatus.FAILED, error=error.message)
    except Exception:  # a failed job is data the member sees, not a crash (logged)
        log.exception("context upload job %s failed", job.pk)
        _end(
            job,
            JobStatus.FAILED,
            error=f"Something went wrong while reading {job.file_name}; the team has the details.",
        )
    _delete_file(job)
    job.refresh_from_db()
    return job


class _Expired(Exception):
    """The job was expired while this worker held it: its write is rolled back."""


def _save(job: UploadJob, actor: Actor, parsed: Any) -> None:
    """Write the asset or version and mark the job done: one short transaction."""
    params = job.params
    try:
        with transaction.atomic():
            if not _end(job, JobStatus.DONE):
                raise _Expired
            if job.action == UploadAction.CREATE:
                asset = services.asset_create(
                    actor=actor,
                    organization=job.organization,
                    kind=job.kind,
                    slug=params["slug"],
                    title=params["title"],
                    description=params.get("description", ""),
                    visibility=params.get("visibility", Visibility.ORG),
                    team=_team(job, params.get("team")),
                    draft=bool(params.get("draft")),
                    data=params.get("data") or None,
                    parsed=parsed,
                )
                number = asset.latest_number
            else:
                asset = _asset(job, actor)
                number = services.asset_update(
                    actor=actor,
                    asset=asset,
                    title=params.get("title"),
                    changelog=params.get("changelog") or "",
                    draft=bool(params.get("draft")),
                    data=params.get("data"),
                    parsed=parsed,
                ).number
            UploadJob.objects.filter(pk=job.pk).update(asset=asset, version_number=number)
    except _Expired:
        log.warning("context upload job %s expired while its worker held it", job.pk)


def _end(job: UploadJob, status: str, *, error: str = "") -> bool:
    """Finish a running job; False if this attempt no longer holds it (expired meanwhile)."""
    percent = 100 if status == JobStatus.DONE else job.percent
    return jobs.finish(job, status, error=error, percent=percent, stage="")


def _actor(job: UploadJob) -> Actor:
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=job.organization, user=job.owner)
        .first()
    )
    if membership is None:
        raise ValidationFailed("You are no longer a member of this organisation.")
    return Actor(membership)


def _team(job: UploadJob, public_id: str | None) -> Team | None:
    if not public_id:
        return None
    team = Team.objects.filter(organization=job.organization, public_id=public_id).first()
    if team is None:
        raise ValidationFailed("The team this asset was to be shared with no longer exists.")
    return team


def _asset(job: UploadJob, actor: Actor) -> ContextAsset:
    from huddle.context import queries

    if job.asset_id is None:
        raise ValidationFailed("The asset this version was for no longer exists.")
    return queries.get_asset(actor, job.asset.public_id)


def _delete_file(job: UploadJob) -> None:
    job.job_delete_files()


def upload_jobs_expire(of: QuerySet[UploadJob] | None = None) -> int:
    """Fail the running jobs (of ``of``, by default all) whose heartbeat stopped more than
    ``LEASE_SECONDS`` ago, with a message saying the worker stopped, and delete their files.
    Returns how many."""
    return jobs.sweep(UploadJob, jobs=of)


def waiting_long(job: UploadJob) -> bool:
    """Queued for longer than a worker takes to start a job: is one running at all?"""
    return job.status == JobStatus.QUEUED and job.created_at < timezone.now() - timedelta(
        seconds=WAITING_HINT_SECONDS
    )
