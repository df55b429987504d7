"""Import jobs: an upload the worker imports, or an import the CLI runs in-process; their leases,
the pattern mining after an upload's import, and the sweep that finds jobs whose worker stopped.

- ``import_job_create`` stores the upload first (copying a file must not hold SQLite's write
  lock), then writes the job and queues its ``run_import`` task in one short transaction. The
  queue is a table of the same database, so the task exists exactly when the job does.
- ``import_job_run`` (the worker) claims the job and imports it (``writer.import_export``). A
  refused file fails the job with the importer's one-line message and nothing of it is kept.
  The upload is deleted once the job is done or failed. The CLI makes its own job
  (``cli_job_start``, no upload), so its imports are listed, leased and swept the same way.
- **Lease** (``core.jobs``, shared with uploads and usage imports). A running job records its
  process (``worker``, host:pid) and a heartbeat, renewed with the progress (bytes read) at
  most every ``BEAT_EVERY`` seconds in its own tiny write. ``attempts`` fences every change: a
  process whose job was taken from it can no longer mark it done or failed (``LeaseLost``) and
  rolls back what it wrote.
- **Sweep** (``sweep``, every minute in the worker through ``core.jobs.sweep_all``): a running
  job whose heartbeat is older than ``LEASE`` lost its worker. Its rows are rolled back, its
  task's row in the queue is marked failed, and it is queued again once (``RETRIES``); after
  that, or for the CLI's jobs, it fails with ``STOPPED`` and its upload is deleted. Pattern
  mining whose heartbeat is that old fails; so are the tasks lost before a worker claimed them.
- **"Look again"** on the patterns page is a ``MiningJob`` (``mining_job_create``) the worker
  runs on the ``mining`` queue (``mining_job_run``), followed on its own page; never in the
  request, which a long history held for minutes.
- **Mining** after an upload's import is its own task (``mine_patterns``) on the ``mining``
  queue, which ``huddle worker`` serves beside the default one: the job is done when the import
  is, and the page then says "Looking for patterns…" until the mining has finished.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Membership
from huddle.accounts.policy import Action, Actor
from huddle.capture.importers.archive import ImportRefused
from huddle.capture.importers.models import (
    UNFINISHED_RUNS,
    ExportSource,
    ImportJob,
    ImportRun,
    MiningJob,
    MiningStatus,
)
from huddle.capture.importers.runs import MemberBusy, run_rollback
from huddle.core import jobs, ratelimit
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.jobs import JobStatus, LeaseLost, worker_name

log = logging.getLogger(__name__)
BEAT_EVERY = jobs.BEAT_EVERY  # seconds between two heartbeats (and progress writes)
LEASE = ImportJob.LEASE  # a job whose heartbeat is older has lost its worker
RETRIES = ImportJob.RETRIES  # a job whose worker stopped is started again this many times
BUSY_DELAY = timedelta(seconds=30)  # a job waiting for the member's other import tries again
STOPPED = ImportJob.STOPPED
CLI_STOPPED = ImportJob.CLI_STOPPED
GENERIC = "Something went wrong while importing; the team has the details."
GENERIC_MINING = "Something went wrong while looking for patterns; the team has the details."


class WorkerStopped(jobs.WorkerStopped):
    """Recorded on an import task's row in the queue when its worker stopped while running it
    (``ImportJob.STOPPED_ERROR`` names this class)."""


def my_jobs(actor: Actor) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organization=actor.organization, owner=actor.user)


def get_job(actor: Actor, public_id: str | UUID) -> ImportJob:
    """One of the actor's own import jobs; ``NotFound`` otherwise."""
    return _one(my_jobs(actor), public_id)


def _one[J: ImportJob | MiningJob](mine: QuerySet[J], public_id: str | UUID) -> J:
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    job = mine.filter(public_id=key).first()
    if job is None:
        raise NotFound()
    return job


class Lease(jobs.Lease):
    """A running import's lease (``core.jobs.Lease``) that records the bytes read with its
    heartbeat; ``beat`` is also the mining's ``on_step``."""

    def beat(  # type: ignore[override]
        self, done: int | None = None, total: int | None = None, *, now: bool = False
    ) -> None:
        self.every = BEAT_EVERY  # read when it beats: the tests make it 0
        fields = {} if done is None else {"bytes_read": done, "bytes_total": total}
        super().beat(now=now, **fields)


def _importing(job: ImportJob) -> QuerySet[ImportJob]:
    """The job while this attempt holds it."""
    return jobs.holding(job)


def import_lease(job: ImportJob) -> Lease:
    return Lease(job)


def _enqueue(job: ImportJob, task: Any, *, delay: timedelta | None = None) -> None:
    jobs.enqueue(job, task, delay=delay)


def import_job_create(*, actor: Actor, source: str, upload: UploadedFile | None) -> ImportJob:
    """Store the upload, then queue its import; ``ValidationFailed`` names the field."""
    from huddle.capture.tasks import run_import

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
        mining=MiningStatus.WAITING,
    )
    job.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)  # before the transaction
    try:
        with transaction.atomic():
            job.save()
            _enqueue(job, run_import)
    except BaseException:
        job.file.delete(save=False)
        raise
    return job


def cli_job_start(*, actor: Actor, source: str, path: str) -> ImportJob:
    """The job of an import the CLI (or any caller of ``import_export`` without a job) runs."""
    return ImportJob.objects.create(
        organization=actor.organization,
        owner=actor.user,
        source=source,
        file_name=Path(path).name[:255],
        bytes_total=Path(path).stat().st_size if Path(path).is_file() else 0,
        **jobs.held_here(ImportJob),
    )


def job_done(job: ImportJob, report: dict[str, Any]) -> None:
    """Mark the job done with its report (inside the import's last transaction), and queue the
    pattern mining an upload asked for; ``LeaseLost`` if the job is no longer this attempt's."""
    total = max(job.bytes_total, 1)
    fields = {"report": report, "heartbeat_at": timezone.now()}
    if not jobs.finish(job, JobStatus.DONE, **fields, bytes_read=total, bytes_total=total):
        raise LeaseLost(job)
    if job.mining == MiningStatus.WAITING:
        from huddle.capture.tasks import mine_patterns

        _enqueue(job, mine_patterns)


def job_fail(job: ImportJob, message: str) -> bool:
    """Mark the job failed with ``message``, unless it is no longer this attempt's."""
    job.error = message
    return jobs.finish(job, JobStatus.FAILED, error=message, mining="")


def _claim(job_id: int) -> ImportJob | None:
    """Take a queued job for this process (a second worker given it too takes nothing)."""
    if jobs.claim(ImportJob, job_id, bytes_read=0) is None:
        return None
    return ImportJob.objects.select_related("organization", "owner").get(pk=job_id)


def _actor(job: ImportJob | MiningJob) -> Actor:
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization_id=job.organization_id, user_id=job.owner_id)
        .first()
    )
    if membership is None:
        raise ImportRefused("You are no longer a member of this organisation.")
    return Actor(membership)


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


def _delete_files(job: ImportJob) -> None:
    """The upload, and the progress file the imports of earlier versions kept beside it."""
    job.job_delete_files()


def import_job_run(job_id: int) -> ImportJob | None:
    """Do a queued job: import the upload, record the report; never raises for a bad file
    (the job fails with its message). The pattern mining is queued when the import is done."""
    from huddle.capture.importers.writer import import_export
    from huddle.capture.tasks import run_import

    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.filter(pk=job_id).first()
    try:
        actor = _actor(job)
        with _local_path(job) as path:
            import_export(actor=actor, source=job.source, path=path, job=job)
    except MemberBusy:  # back to the queue, to start once the member's other import is over
        with transaction.atomic():
            if _importing(job).update(status=JobStatus.QUEUED, attempts=job.attempts - 1):
                _enqueue(job, run_import, delay=BUSY_DELAY)
    except LeaseLost:  # the sweep has it (rolled back, queued again or failed)
        log.warning("import job %s was taken over after its heartbeat stopped", job.pk)
    except HuddleError as error:
        job_fail(job, error.message)
    except Exception:  # a failed job is data the member sees, not a crash (logged)
        log.exception("import job %s failed", job.pk)
        job_fail(job, GENERIC)
    job.refresh_from_db()
    if job.finished:
        _delete_files(job)
    return job


def mining_run(job_id: int) -> ImportJob | None:
    """Mine the patterns of the member whose upload the job imported; never raises."""
    from huddle.capture.importers.patterns import patterns_mine

    waiting = ImportJob.objects.filter(pk=job_id, mining=MiningStatus.WAITING)
    if not waiting.update(
        mining=MiningStatus.RUNNING, heartbeat_at=timezone.now(), worker=worker_name()
    ):
        return ImportJob.objects.filter(pk=job_id).first()
    job = ImportJob.objects.get(pk=job_id)
    held = ImportJob.objects.filter(pk=job_id, mining=MiningStatus.RUNNING)
    outcome: dict[str, Any] = {"mining": MiningStatus.FAILED}
    try:
        found = patterns_mine(actor=_actor(job), on_step=Lease(job, held).beat)
        outcome = {"mining": MiningStatus.DONE, "report": job.report | {"patterns": len(found)}}
    except LeaseLost:
        log.warning("pattern mining of import job %s was taken over", job.pk)
        return job
    except Exception:  # the import stays done; "Look again" on the patterns page mines again
        log.exception("pattern mining of import job %s failed", job.pk)
    held.update(**outcome, heartbeat_at=timezone.now())
    job.refresh_from_db()
    return job


def mining_job_create(*, actor: Actor) -> MiningJob:
    """Queue "Look again": the actor's patterns mined again by the worker. While one of the
    actor's is waiting or running, that one is returned (one at a time); ``RateLimited`` past
    the hourly limit."""
    policy.require(actor, Action.CREATE_CONTENT)
    pending = my_minings(actor).filter(status__in=[MiningStatus.WAITING, MiningStatus.RUNNING])
    if (job := pending.first()) is not None:
        return job
    ratelimit.hit(
        "mining",
        f"{actor.organization.pk}:{actor.user.pk}",
        message="You looked for patterns many times in the last hour.",
    )
    with transaction.atomic():
        job = MiningJob.objects.create(organization=actor.organization, owner=actor.user)
        jobs.enqueue(job)
    return job


def my_minings(actor: Actor) -> QuerySet[MiningJob]:
    return MiningJob.objects.filter(organization=actor.organization, owner=actor.user)


def get_mining(actor: Actor, public_id: str | UUID) -> MiningJob:
    """One of the actor's own "Look again" jobs; ``NotFound`` otherwise."""
    return _one(my_minings(actor), public_id)


def mining_job_run(job_id: int) -> MiningJob | None:
    """The worker's side of ``mining_job_create``: mine, record how many patterns; never
    raises (a failure is recorded on the job, the lost lease logged)."""
    from huddle.capture.importers.patterns import patterns_mine

    job = jobs.claim(MiningJob, job_id)
    if job is None:
        return MiningJob.objects.filter(pk=job_id).first()
    try:
        found = patterns_mine(actor=_actor(job), on_step=Lease(job).beat)
        if not jobs.finish(job, MiningStatus.DONE, patterns=len(found)):
            raise LeaseLost(job)
    except LeaseLost:
        log.warning("pattern mining %s was taken over after its heartbeat stopped", job.pk)
    except HuddleError as error:
        jobs.finish(job, MiningStatus.FAILED, error=error.message)
    except Exception:  # a failed job is data the member sees, not a crash (logged)
        log.exception("pattern mining %s failed", job.pk)
        jobs.finish(job, MiningStatus.FAILED, error=GENERIC_MINING)
    job.refresh_from_db()
    return job


def _fail_task(task_id: str, message: str) -> None:
    jobs.fail_task(task_id, message, error=ImportJob.STOPPED_ERROR)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Find the jobs whose worker stopped (see the module doc); how many of each were found."""
    now = now or timezone.now()
    deadline = now - LEASE
    found = {"imports": jobs.sweep(ImportJob, now=now), "minings": 0, "runs": 0}
    # Runs left unfinished by a job that is no longer running (a rollback that failed, or a
    # sweep that stopped half-way): roll them back too.
    orphans = ImportRun.objects.filter(status__in=UNFINISHED_RUNS).exclude(
        job__status=JobStatus.RUNNING
    )
    for run in orphans.select_related("job"):
        run_rollback(run)
        found["runs"] += 1
    mining = ImportJob.objects.filter(mining=MiningStatus.RUNNING).filter(jobs.stale(deadline))
    for job in mining:
        with transaction.atomic():
            if mining.filter(pk=job.pk).update(mining=MiningStatus.FAILED):
                _fail_task(job.task_id, "The worker stopped while looking for patterns.")
                found["minings"] += 1
    found["lost"] = _requeue_lost(deadline)
    return found


def _requeue_lost(deadline: datetime) -> int:
    """Queue again the waiting jobs whose task was taken by a worker that stopped before it
    could claim the job (the task's row is no longer waiting, the job still is)."""
    from django_tasks_db.models import DBTaskResult

    from huddle.capture.tasks import mine_patterns, run_import

    waiting = ImportJob.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.DONE, mining=MiningStatus.WAITING)
    ).exclude(task_id="")
    candidates = {job.task_id: job for job in waiting.filter(_unchanged_since(deadline))}
    if not candidates:
        return 0
    waiting_tasks = DBTaskResult.objects.filter(id__in=candidates, status="READY")
    ready = {str(pk) for pk in waiting_tasks.values_list("id", flat=True)}
    lost = 0
    for task_id, job in candidates.items():
        if task_id in ready:
            continue
        task = run_import if job.status == JobStatus.QUEUED else mine_patterns
        with transaction.atomic():
            _fail_task(task_id, "The worker stopped before it started this task.")
            _enqueue(job, task)
        lost += 1
    return lost


def _unchanged_since(deadline: datetime) -> Q:
    """Jobs that have not changed since ``deadline`` (their last heartbeat, or creation)."""
    return Q(heartbeat_at__lt=deadline) | Q(heartbeat_at__isnull=True, created_at__lt=deadline)
