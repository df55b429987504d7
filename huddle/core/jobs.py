"""Background jobs: one base model and one lease for imports, uploads and usage imports.

A job is a row a page, the API or the CLI makes and a worker (or the CLI's own process) does:
``capture.ImportJob`` (chat exports), ``capture.MiningJob`` (patterns mined again),
``context.UploadJob`` (files that become context assets) and ``usage.UsageImport`` (vendor usage
reports). Each keeps its own progress fields (the pages and the API show them); what they share
lives here, with the one vocabulary of states (``JobStatus``) where their stored values agree.

- **Claim.** ``claim`` turns a queued job into a running one for this process in one
  conditional write (a second worker given the same job takes nothing): ``attempts`` + 1,
  ``worker`` (host:pid), ``started_at`` and ``heartbeat_at``.
- **Lease.** While it runs, the process renews ``heartbeat_at`` (``Lease.beat``) at most every
  ``BEAT_EVERY`` seconds, in its own tiny write together with the progress. ``attempts`` fences
  every change: a process whose job was taken from it finds no row to update and gets
  ``LeaseLost``; ``finish`` (done, failed) likewise only changes the job while it is still
  that attempt's.
- **Sweep.** A running job whose heartbeat is older than its model's ``LEASE`` lost its worker.
  ``sweep`` takes it over: its task's row in the queue is marked failed (``WorkerStopped``),
  then it is queued again once (``RETRIES``, only when it has a stored file and a task to run it)
  or failed with its model's ``STOPPED`` message and its files deleted. The model's
  ``job_taken_over`` hook undoes what the lost attempt wrote (an import's rows).
  ``sweep_all`` (the worker's periodic ``core.tasks.sweep_task``) sweeps every job model.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.db.models import Q, QuerySet
from django.tasks import Task
from django.utils import timezone

from huddle.core.errors import HuddleError
from huddle.core.models import PublicModel

log = logging.getLogger(__name__)
BEAT_EVERY = 2.0  # seconds between two heartbeats (and progress writes) of a running job


class JobStatus(models.TextChoices):
    """The states of a job: queued, running, then done or failed. A job model's ``status`` field
    takes its choices from ``worded`` (each kind of job says what "running" is on its pages).

    Two models store other values, kept as they are (their rows and check constraints hold
    them) and named in their ``Job`` class attributes: ``capture.MiningStatus`` waits as
    "waiting" (the same states also track the mining after an import, on ``ImportJob.mining``),
    and ``usage.ImportStatus`` runs as "writing" and has a further end, "refused".
    """

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"

    @classmethod
    def worded(cls, **labels: str) -> list[tuple[str, str]]:
        """The choices of a status field, some states worded for one kind of job (by their
        lower-case names: ``JobStatus.worded(running="Importing")``). Raises ``ValueError``
        for a name that is no state."""
        names = {member.name.lower(): member for member in cls}
        if unknown := set(labels) - set(names):
            raise ValueError(f"No such job state: {', '.join(sorted(unknown))}")
        return [(m.value, labels.get(name, m.label)) for name, m in names.items()]


class Job(PublicModel):
    """What every background job records. A model whose states differ from ``JobStatus`` names
    its own (``QUEUED``, ``RUNNING``, ``FAILED``, ``FINISHED``), and each sets its ``LEASE``,
    how often a job whose worker stopped is queued again (``RETRIES``), the message it then
    fails with (``STOPPED``) and the task that runs it (``TASK``, a dotted path)."""

    QUEUED: ClassVar[str] = JobStatus.QUEUED
    RUNNING: ClassVar[str] = JobStatus.RUNNING
    DONE: ClassVar[str] = JobStatus.DONE
    FAILED: ClassVar[str] = JobStatus.FAILED
    FINISHED: ClassVar[tuple[str, ...]] = (JobStatus.DONE, JobStatus.FAILED)
    LEASE: ClassVar[timedelta] = timedelta(minutes=2)
    RETRIES: ClassVar[int] = 1
    STOPPED: ClassVar[str] = "The worker stopped before this job finished; try again."
    TASK: ClassVar[str] = ""
    # Recorded on the task's row in the queue when its worker stopped (a class path).
    STOPPED_ERROR: ClassVar[str] = "huddle.core.jobs.WorkerStopped"
    NOUN: ClassVar[str] = "job"

    file_name = models.CharField(max_length=255, blank=True)  # as uploaded, for the page
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the process running it
    task_id = models.CharField(max_length=64, blank=True)  # the queue's row now working on it
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED  # type: ignore[attr-defined]

    def job_retryable(self) -> bool:
        """Whether a job whose worker stopped may start again: an upload's file is still
        there (a job the CLI ran in its own process has none) and it has retries left."""
        if not (self.RETRIES and self.TASK and getattr(self, "file", None)):
            return False
        return self.attempts <= self.RETRIES

    def job_stopped_message(self) -> str:
        """What a job whose worker stopped says when it is failed."""
        return self.STOPPED

    def job_taken_over(self) -> None:
        """Called by the sweep after it took this job from its lost attempt (rows to undo)."""

    def job_delete_files(self) -> None:
        """Delete the job's stored upload (once it has finished)."""
        file = getattr(self, "file", None)
        if file:
            file.delete(save=False)
            type(self).objects.filter(pk=self.pk).update(file="")

    @classmethod
    def job_sweep(cls, now: datetime) -> dict[str, int]:
        """Sweep this model's jobs whose worker stopped; a model with more to find overrides."""
        return {"stopped": sweep(cls, now=now)}


class LeaseLost(HuddleError):
    """The job was taken from this process (its heartbeat had stopped for its ``LEASE``)."""

    def __init__(self, job: Job) -> None:
        minutes = max(1, int(job.LEASE.total_seconds() // 60))
        super().__init__(
            f"{job.NOUN.replace(' ', '_')}_stalled",
            f"This {job.NOUN} stalled for more than {minutes} minute{'s' if minutes > 1 else ''} "
            "and was stopped; nothing of it was kept. Run it again.",
        )


class WorkerStopped(Exception):
    """Recorded on a task's row in the queue when its worker stopped while running it."""


def worker_name() -> str:
    """This process, as a job's lease records it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def holding[J: Job](job: J) -> QuerySet[J]:
    """The job while this attempt holds it (running, the same attempt)."""
    return type(job).objects.filter(pk=job.pk, status=job.RUNNING, attempts=job.attempts)


def claim[J: Job](model: type[J], pk: int, **fields: Any) -> J | None:
    """Take the queued job ``pk`` for this process (``fields`` are set too); the job as
    claimed, or None when it was not queued (done, another worker's, gone)."""
    job = model.objects.filter(pk=pk, status=model.QUEUED).first()
    if job is None:
        return None
    now = timezone.now()
    taken = model.objects.filter(pk=pk, status=model.QUEUED, attempts=job.attempts).update(
        status=model.RUNNING,
        attempts=job.attempts + 1,
        worker=worker_name(),
        started_at=now,
        heartbeat_at=now,
        error="",
        **fields,
    )
    if not taken:
        return None
    return model.objects.get(pk=pk)


def held_here(model: type[Job]) -> dict[str, Any]:
    """The fields of a new job this process runs itself (the CLI): running, its first attempt,
    held by this process."""
    now = timezone.now()
    return {
        "status": model.RUNNING,
        "attempts": 1,
        "worker": worker_name(),
        "started_at": now,
        "heartbeat_at": now,
    }


def finish(job: Job, status: str, **fields: Any) -> bool:
    """End the job (``status``, ``finished_at`` and ``fields``) unless it is no longer this
    attempt's; whether it was."""
    now = timezone.now()
    if not holding(job).update(status=status, finished_at=now, **fields):
        return False
    job.status, job.finished_at = status, now  # type: ignore[attr-defined]
    for name, value in fields.items():
        setattr(job, name, value)
    return True


class Lease:
    """A running job's hold on it: ``beat`` renews the heartbeat (with ``fields``, the
    progress) at most every ``every`` seconds; ``LeaseLost`` once the sweep has taken the job.

    ``held`` is the job's rows while this process holds it (by default ``holding(job)``).
    """

    def __init__(
        self, job: Job, held: QuerySet[Any] | None = None, *, every: float | None = None
    ) -> None:
        self.job, self.held, self.every = job, held, every
        self.last = time.monotonic()

    def beat(self, *, now: bool = False, **fields: Any) -> None:
        every = BEAT_EVERY if self.every is None else self.every
        if not now and time.monotonic() - self.last < every:
            return
        self.last = time.monotonic()
        held = self.held if self.held is not None else holding(self.job)
        try:
            # Its own tiny transaction (a savepoint inside a longer one, where a failure must
            # not spoil the rest).
            with transaction.atomic():
                updated = held.update(heartbeat_at=timezone.now(), **fields)
        except DatabaseError:  # a busy database: the next beat tries again, well within LEASE
            log.warning("%s %s: the heartbeat could not be written", self.job.NOUN, self.job.pk)
            return
        if not updated:
            raise LeaseLost(self.job)


def task_for(job: Job) -> Task:
    """The task that runs ``job`` (its model's ``TASK``)."""
    module, _, name = job.TASK.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)


def enqueue(job: Job, task: Task | None = None, *, delay: timedelta | None = None) -> None:
    """Queue ``task(job.pk)`` (by default the model's ``TASK``) and remember its row in the
    queue, so the sweep can mark it failed if its worker stops."""
    task = task if task is not None else task_for(job)
    if delay:
        task = task.using(run_after=timezone.now() + delay)
    result = task.enqueue(job.pk)
    job.task_id = str(result.id)
    type(job).objects.filter(pk=job.pk).update(task_id=job.task_id)


def fail_task(task_id: str, message: str, *, error: str = Job.STOPPED_ERROR) -> None:
    """Mark a task's row in the queue failed when its worker stopped while it ran."""
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return
    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path=error,
        traceback=f"{error.rpartition('.')[2]}: {message}\n",
    )


def stale(deadline: datetime) -> Q:
    """Jobs whose last heartbeat is older than ``deadline`` (or that never beat)."""
    return Q(heartbeat_at__lt=deadline) | Q(heartbeat_at__isnull=True)


def _take_over(job: Job, deadline: datetime) -> bool:
    """Take a stalled job from its (gone) worker: queue it again or fail it, in one write that
    only succeeds while the job is still that attempt's and still silent."""
    retry = job.job_retryable()
    message = job.job_stopped_message()
    with transaction.atomic():
        stalled = holding(job).filter(stale(deadline))
        if retry:
            if not stalled.update(status=job.QUEUED, error=""):
                return False
            fail_task(job.task_id, message, error=job.STOPPED_ERROR)
            enqueue(job)
        else:
            fields = {"status": job.FAILED, "error": message, "finished_at": timezone.now()}
            if not stalled.update(**fields | _failed_extra(job)):
                return False
            fail_task(job.task_id, message, error=job.STOPPED_ERROR)
    log.warning(
        "%s %s: its worker %s stopped; %s",
        job.NOUN,
        job.pk,
        job.worker or "?",
        "queued again" if retry else "failed",
    )
    return True


def _failed_extra(job: Job) -> dict[str, Any]:
    return dict(getattr(job, "JOB_FAILED_FIELDS", {}))


def sweep(
    model: type[Job], *, now: datetime | None = None, jobs: QuerySet[Any] | None = None
) -> int:
    """Take over the running jobs of ``model`` (of ``jobs``, by default all) whose heartbeat is
    older than the model's ``LEASE``: each is queued again or failed (see the module doc), its
    files deleted once failed. How many were taken over."""
    deadline = (now or timezone.now()) - model.LEASE
    base = jobs if jobs is not None else model.objects.all()
    taken = 0
    for job in base.filter(status=model.RUNNING).filter(stale(deadline)).order_by("pk"):
        if not _take_over(job, deadline):
            continue  # it finished (or beat) since it was read
        taken += 1
        job.job_taken_over()
        job.refresh_from_db()
        if job.finished:
            job.job_delete_files()
    return taken


def job_models() -> list[type[Job]]:
    """Every concrete job model of the project."""
    return [m for m in apps.get_models() if issubclass(m, Job)]


def sweep_all(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Sweep every job model (``job_sweep``); what each found, by model label."""
    now = now or timezone.now()
    return {model._meta.label_lower: model.job_sweep(now) for model in job_models()}
