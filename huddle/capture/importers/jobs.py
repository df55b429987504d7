"""Import jobs: an upload the worker imports, or an import the CLI runs in-process; their leases,
the pattern mining after an upload's import, and the sweep that finds jobs whose worker stopped.

- ``import_job_create`` stores the upload first (copying a file must not hold SQLite's write
  lock), then writes the job and queues its ``run_import`` task in one short transaction. The
  queue is a table of the same database, so the task exists exactly when the job does.
- ``import_job_run`` (the worker) claims the job and imports it (``writer.import_export``). A
  refused file fails the job with the importer's one-line message and nothing of it is kept.
  The upload is deleted once the job is done or failed. The CLI makes its own job
  (``cli_job_start``, no upload), so its imports are listed, leased and swept the same way.
- **Lease.** A running job records its process (``worker``, host:pid) and a heartbeat, renewed
  with the progress (bytes read) at most every ``BEAT_EVERY`` seconds in its own tiny write.
  ``attempts`` fences every change: a process whose job was taken from it can no longer mark it
  done or failed (``LeaseLost``) and rolls back what it wrote.
- **Sweep** (``sweep``, every minute in the worker): a running job whose heartbeat is older than
  ``LEASE`` lost its worker. Its rows are rolled back, its task's row in the queue is marked
  failed, and it is queued again once (``RETRIES``); after that, or for the CLI's jobs, it fails
  with ``STOPPED`` and its upload is deleted. Pattern mining whose heartbeat is that old fails.
- **Mining** after an upload's import is its own task (``mine_patterns``) on the ``mining``
  queue, which ``huddle worker`` serves beside the default one: the job is done when the import
  is, and the page then says "Looking for patterns…" until the mining has finished.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
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
    JobStatus,
    MiningStatus,
)
from huddle.capture.importers.runs import MemberBusy, run_rollback
from huddle.core import ratelimit
from huddle.core.errors import HuddleError, NotFound, ValidationFailed

log = logging.getLogger(__name__)
BEAT_EVERY = 2.0  # seconds between two heartbeats (and progress writes) of a running job
LEASE = timedelta(minutes=2)  # a job whose heartbeat is older has lost its worker
RETRIES = 1  # a job whose worker stopped is started again this many times
BUSY_DELAY = timedelta(seconds=30)  # a job waiting for the member's other import tries again
STOPPED = "The worker stopped while importing this file; try again."
CLI_STOPPED = "The import stopped before it finished; nothing of it was kept. Run it again."
GENERIC = "Something went wrong while importing; the team has the details."


class LeaseLost(HuddleError):
    """The job was taken from this process (its heartbeat had stopped for ``LEASE``)."""

    def __init__(self) -> None:
        minutes = int(LEASE.total_seconds() // 60)
        super().__init__(
            "import_stalled",
            f"This import stalled for more than {minutes} minutes and was stopped; nothing of "
            "it was kept. Run it again.",
        )


class WorkerStopped(Exception):
    """Recorded on a task's row in the queue when its worker stopped while running it."""


def worker_name() -> str:
    """This process, as a job's lease records it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


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
    return job


class Lease:
    """A running job's hold on it: ``beat`` renews the heartbeat (and records the progress) at
    most every ``BEAT_EVERY`` seconds; ``LeaseLost`` once the sweep has taken the job.

    ``held`` is the job's rows while this process holds it: the import's (running, this attempt)
    or the mining's (running).
    """

    def __init__(self, job: ImportJob, held: QuerySet[ImportJob]) -> None:
        self.job, self.held, self.last = job, held, time.monotonic()

    def beat(self, done: int | None = None, total: int | None = None, *, now: bool = False) -> None:
        if not now and time.monotonic() - self.last < BEAT_EVERY:
            return
        self.last = time.monotonic()
        fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
        if done is not None:
            fields |= {"bytes_read": done, "bytes_total": total}
        try:
            # Its own tiny transaction (a savepoint inside the import's last one, where a
            # failure must not spoil the rest).
            with transaction.atomic():
                updated = self.held.update(**fields)
        except DatabaseError:  # a busy database: the next beat tries again, well within LEASE
            log.warning("import job %s: the heartbeat could not be written", self.job.pk)
            return
        if not updated:
            raise LeaseLost()


def _importing(job: ImportJob) -> QuerySet[ImportJob]:
    """The job while this attempt holds it."""
    return ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


def import_lease(job: ImportJob) -> Lease:
    return Lease(job, _importing(job))


def _enqueue(job: ImportJob, task: Any, *, delay: timedelta | None = None) -> None:
    """Queue ``task(job.pk)`` and remember its row, so the sweep can mark it if it is lost."""
    if delay:
        task = task.using(run_after=timezone.now() + delay)
    result = task.enqueue(job.pk)
    job.task_id = str(result.id)
    ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)


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
    now = timezone.now()
    return ImportJob.objects.create(
        organization=actor.organization,
        owner=actor.user,
        source=source,
        file_name=Path(path).name[:255],
        bytes_total=Path(path).stat().st_size if Path(path).is_file() else 0,
        status=JobStatus.RUNNING,
        attempts=1,
        worker=worker_name(),
        started_at=now,
        heartbeat_at=now,
    )


def job_done(job: ImportJob, report: dict[str, Any]) -> None:
    """Mark the job done with its report (inside the import's last transaction), and queue the
    pattern mining an upload asked for; ``LeaseLost`` if the job is no longer this attempt's."""
    now = timezone.now()
    total = max(job.bytes_total, 1)
    updated = _importing(job).update(
        status=JobStatus.DONE,
        report=report,
        finished_at=now,
        heartbeat_at=now,
        bytes_read=total,
        bytes_total=total,
    )
    if not updated:
        raise LeaseLost()
    job.status, job.report, job.finished_at = JobStatus.DONE, report, now
    job.bytes_read = job.bytes_total = total
    if job.mining == MiningStatus.WAITING:
        from huddle.capture.tasks import mine_patterns

        _enqueue(job, mine_patterns)


def job_fail(job: ImportJob, message: str) -> bool:
    """Mark the job failed with ``message``, unless it is no longer this attempt's."""
    job.error = message
    return bool(
        _importing(job).update(
            status=JobStatus.FAILED, error=message, finished_at=timezone.now(), mining=""
        )
    )


def _claim(job_id: int) -> ImportJob | None:
    """Take a queued job for this process (a second worker given it too takes nothing)."""
    job = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:
        return None
    now = timezone.now()
    taken = ImportJob.objects.filter(
        pk=job.pk, status=JobStatus.QUEUED, attempts=job.attempts
    ).update(
        status=JobStatus.RUNNING,
        attempts=job.attempts + 1,
        worker=worker_name(),
        started_at=now,
        heartbeat_at=now,
        bytes_read=0,
        error="",
    )
    if not taken:
        return None
    return ImportJob.objects.select_related("organization", "owner").get(pk=job.pk)


def _actor(job: ImportJob) -> Actor:
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
    if job.file:
        job.file.storage.delete(f"{job.file.name}.progress")
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


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


def _fail_task(task_id: str, message: str) -> None:
    """Mark a task's row in the queue failed when its worker stopped while it ran."""
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return
    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}",
        traceback=f"{WorkerStopped.__qualname__}: {message}\n",
    )


def _stale(deadline: datetime) -> Q:
    return Q(heartbeat_at__lt=deadline) | Q(heartbeat_at__isnull=True)


def _take_over(job: ImportJob, deadline: datetime) -> bool:
    """Take a stalled import from its (gone) worker: queue it again or fail it, in one write
    that only succeeds while the job is still that attempt's and still silent."""
    from huddle.capture.tasks import run_import

    retry = bool(job.file) and job.attempts <= RETRIES
    message = STOPPED if job.file else CLI_STOPPED
    with transaction.atomic():
        stalled = _importing(job).filter(_stale(deadline))
        if retry:
            if not stalled.update(status=JobStatus.QUEUED, error=""):
                return False
            # The new attempt waits for the rollback below: the member's unfinished run
            # makes it ``MemberBusy`` until then.
            _fail_task(job.task_id, message)
            _enqueue(job, run_import)
        else:
            if not stalled.update(
                status=JobStatus.FAILED, error=message, finished_at=timezone.now(), mining=""
            ):
                return False
            _fail_task(job.task_id, message)
    log.warning(
        "import job %s: its worker %s stopped; %s",
        job.pk,
        job.worker or "?",
        "queued again" if retry else "failed",
    )
    return True


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Find the jobs whose worker stopped (see the module doc); how many of each were found."""
    now = now or timezone.now()
    deadline = now - LEASE
    found = {"imports": 0, "minings": 0, "runs": 0}
    running = ImportJob.objects.filter(status=JobStatus.RUNNING).filter(_stale(deadline))
    for job in running.order_by("pk"):
        if _take_over(job, deadline):
            found["imports"] += 1
            for run in job.runs.filter(status__in=UNFINISHED_RUNS):
                run_rollback(run)
            job.refresh_from_db()
            if job.status == JobStatus.FAILED:
                _delete_files(job)
    # Runs left unfinished by a job that is no longer running (a rollback that failed, or a
    # sweep that stopped half-way): roll them back too.
    orphans = ImportRun.objects.filter(status__in=UNFINISHED_RUNS).exclude(
        job__status=JobStatus.RUNNING
    )
    for run in orphans.select_related("job"):
        run_rollback(run)
        found["runs"] += 1
    mining = ImportJob.objects.filter(mining=MiningStatus.RUNNING).filter(_stale(deadline))
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
