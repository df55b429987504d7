"""Chat-export imports: jobs, their runs, conversations, prompts, mined patterns and signals.

Everything here is private to the member who imported it (``owner``): there is no visibility
field, and every read filters on ``owner`` (``capture.importers.queries``). Imported files can't
set any of these fields' trust: owner and organisation come from the importing member.
Imported at the end of ``capture/models.py`` so Django finds the models.

An import writes its conversations and prompts in short transactions, each row tagged with its
``ImportRun``; until the run is ``done`` its rows are hidden from every reader
(``committed()``), and a refused or abandoned run deletes exactly the rows that carry its id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models

from huddle.accounts.models import Organization
from huddle.core.jobs import Job, JobStatus
from huddle.core.models import PublicModel


class ExportSource(models.TextChoices):
    CHATGPT = "chatgpt", "ChatGPT"
    CLAUDE = "claude", "Claude"


# Not ``core.jobs.JobStatus``: a mining job (and an import's mining) waits as "waiting", the value
# stored in its rows and check constraints.
class MiningStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to look for patterns"
    RUNNING = "running", "Looking for patterns"
    DONE = "done", "Patterns found"
    FAILED = "failed", "Looking for patterns stopped"


class ImportJob(Job):
    """One import: an upload the worker imports, or an import the CLI runs in-process.

    The running import holds a lease (``core.jobs``): ``worker`` (host:pid) and
    ``heartbeat_at``, renewed at least every few seconds while it runs. ``attempts`` counts the
    starts and fences every change of state: a worker that lost its lease can't mark the job
    done or failed. ``task_id`` is the queue's row of the task now working on the job.
    ``mining`` is the pattern mining the worker does after an upload's import (the CLI doesn't).
    """

    LEASE = timedelta(minutes=2)
    RETRIES = 1
    STOPPED = "The worker stopped while importing this file; try again."
    CLI_STOPPED = "The import stopped before it finished; nothing of it was kept. Run it again."
    TASK = "huddle.capture.tasks.run_import"
    STOPPED_ERROR = "huddle.capture.importers.jobs.WorkerStopped"
    NOUN = "import"
    JOB_FAILED_FIELDS: ClassVar[dict[str, str]] = {"mining": ""}

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_jobs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    source = models.CharField(max_length=16, choices=ExportSource.choices)
    status = models.CharField(
        max_length=16, choices=JobStatus.worded(running="Importing"), default=JobStatus.QUEUED
    )
    # In the default media storage under imports/; deleted once the job has finished.
    file = models.FileField(upload_to="imports/", blank=True, max_length=255)
    bytes_total = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    conversations_seen = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    mining = models.CharField(max_length=16, choices=MiningStatus.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=ExportSource.values), name="importjob_source_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="importjob_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(mining__in=[*MiningStatus.values, ""]),
                name="importjob_mining_valid",
            ),
        ]
        indexes = [models.Index(fields=["organization", "owner", "-created_at"], name="job_owner")]

    def __str__(self) -> str:
        return f"{self.source} import {self.public_id}"

    def job_stopped_message(self) -> str:
        return self.STOPPED if self.file else self.CLI_STOPPED

    def job_taken_over(self) -> None:
        """Roll back what the lost attempt wrote (its runs still writing)."""
        from huddle.capture.importers.runs import run_rollback

        for run in self.runs.filter(status__in=UNFINISHED_RUNS):
            run_rollback(run)

    def job_delete_files(self) -> None:
        """The upload, and the progress file the imports of earlier versions kept beside it."""
        if self.file:
            self.file.storage.delete(f"{self.file.name}.progress")
        super().job_delete_files()

    @classmethod
    def job_sweep(cls, now: datetime) -> dict[str, int]:
        from huddle.capture.importers.jobs import sweep

        return sweep(now)

    @property
    def mining_pending(self) -> bool:
        return self.mining in (MiningStatus.WAITING, MiningStatus.RUNNING)

    @property
    def settled(self) -> bool:
        """Nothing more will change: the import and the pattern mining after it are over."""
        return self.finished and not (self.status == JobStatus.DONE and self.mining_pending)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.bytes_total:
            return 0
        return min(99, int(100 * self.bytes_read / self.bytes_total))


class MiningJob(Job):
    """ "Look again" on the patterns page: the member's patterns mined again by the worker (on
    the ``mining`` queue), which can take minutes for a long history; its page follows it.
    Leased like every job (``core.jobs``); one whose worker stopped is started again once."""

    QUEUED = MiningStatus.WAITING
    RETRIES = 1
    STOPPED = "The worker stopped while looking for patterns; look again."
    TASK = "huddle.capture.tasks.mine_again"
    NOUN = "pattern mining"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=MiningStatus.choices, default=MiningStatus.WAITING
    )
    patterns = models.PositiveIntegerField(null=True, blank=True)  # how many, once done

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MiningStatus.values), name="miningjob_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "owner", "-created_at"], name="mining_owner")
        ]

    def __str__(self) -> str:
        return f"pattern mining {self.public_id} ({self.status})"

    def job_retryable(self) -> bool:
        return self.attempts <= self.RETRIES  # nothing stored to lose: it can always start again


class RunStatus(models.TextChoices):
    WRITING = "writing", "Writing"
    ROLLING_BACK = "rolling_back", "Rolling back"
    ROLLED_BACK = "rolled_back", "Rolled back"
    DONE = "done", "Done"


UNFINISHED_RUNS = (RunStatus.WRITING, RunStatus.ROLLING_BACK)


class ImportRun(models.Model):
    """One attempt at writing a job's import: the rollback record.

    Every conversation and prompt the attempt writes carries the run's id. The last, short
    transaction of a successful import marks it ``done``, which makes its rows visible all at
    once; before that ``committed()`` hides them. A refused import, or one whose worker stopped,
    is rolled back: its rows are deleted by batches (``ROLLING_BACK``), then it is
    ``ROLLED_BACK``. The row is kept (ids are never reused, so a late row of a lost worker can't
    join another run). A member has at most one run writing or rolling back at a time.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.WRITING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "owner"],
                condition=models.Q(status__in=UNFINISHED_RUNS),
                name="import_run_one_per_member",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="import_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} of job {self.job_id} ({self.status})"


class ImportedRows(models.QuerySet):
    """Conversations and prompts; ``committed`` leaves out those of unfinished imports."""

    def committed(
        self, organization: Organization | int, *, including: ImportRun | None = None
    ) -> ImportedRows:
        """The organisation's rows of finished imports (and of the run ``including``, which is
        about to finish). Its runs that are not done are few: the subquery stays small."""
        hidden = ImportRun.objects.filter(organization=organization).exclude(status=RunStatus.DONE)
        if including is not None:
            hidden = hidden.exclude(pk=including.pk)
        return self.filter(organization=organization).exclude(import_run__in=hidden.values("pk"))


def _run_tag() -> models.ForeignKey:
    # No database constraint (PostgreSQL checked one per row at commit, as for the prompts'
    # organisation) and nothing to do on delete: runs are deleted only with their organisation
    # or member, whose rows go with them.
    return models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class Conversation(PublicModel):
    """A chat from an export; its prompts are the member's visible messages on its thread."""

    # No index of their own on organization and owner: ``conversation_identity`` leads with both,
    # and every query names the organisation. On PostgreSQL the owner's index also misled the
    # planner during an import: a new member has no statistics, so the batch look-up of known
    # conversations scanned all of the member's rows written so far (1 GiB: 3.8 s of look-ups).
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="conversations", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        db_index=False,
    )
    source = models.CharField(max_length=16, choices=ExportSource.choices)
    external_id = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    model = models.CharField(max_length=100, blank=True)
    gizmo_id = models.CharField(max_length=200, blank=True)  # a custom GPT or ChatGPT project
    # Signals (see ImportSignals): edited prompts, regenerated answers, custom instructions used.
    rewrites = models.PositiveIntegerField(default=0)
    regenerations = models.PositiveIntegerField(default=0)
    uses_instructions = models.BooleanField(default=False)
    import_run = _run_tag()  # the import that wrote it; null for rows older than runs

    objects = ImportedRows.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "owner", "source", "external_id"],
                name="conversation_identity",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ExportSource.values),
                name="conversation_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.external_id


class Prompt(models.Model):
    """One message the member typed. Identity: the conversation's + the message id."""

    # No index of their own on conversation, organization and owner: ``prompt_identity`` and
    # ``prompt_org_owner`` lead with them. Every index is upkeep on each of an import's rows (a
    # 1 GiB export: 10.3 s -> 9.4 s without two of them). ``prompt_org_owner`` holds no text
    # hash: no query looks one up (mining groups repeats in Python), and hashes arrive in random
    # order, so each insert landed on a random page (1 GiB: 8.4 s -> 7.3 s without;
    # performance.md).
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="prompts", db_index=False
    )
    # The organisation and owner are the conversation's, copied (by the import's writer) for
    # ``prompt_org_owner``. The database checks them through the conversation's own foreign
    # keys, not again for every prompt: PostgreSQL ran those checks one row at a time at commit
    # (1 GiB: 1.5 s). Django still deletes a prompt with its organisation or owner.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    external_id = models.CharField(max_length=200)
    position = models.PositiveIntegerField()  # 0 = the first prompt of the thread
    text = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)
    alternatives = models.PositiveIntegerField(default=0)  # other versions of it (edits)
    text_hash = models.CharField(max_length=40)  # of the normalised text: exact repeats
    import_run = _run_tag()  # the import that wrote it; null for rows older than runs

    objects = ImportedRows.as_manager()

    class Meta:
        ordering = ["conversation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "external_id"], name="prompt_identity")
        ]
        # A member's prompts (mining, the import's signals), an organisation's (counts) and an
        # import's (rolling it back). The run adds no upkeep: within a run's key every new row
        # lands at the end, as it did within the member's.
        indexes = [
            models.Index(
                fields=["organization", "owner", "import_run"], name="prompt_org_owner_run"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Pattern(PublicModel):
    """A cluster of prompts the member keeps retyping, with a suggested template."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="patterns"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patterns"
    )
    signature = models.CharField(max_length=40)  # of the template: the same pattern mined again
    title = models.CharField(max_length=200)
    template = models.TextField()
    variables = models.JSONField(default=list)  # [{"name", "default", "examples": [...]}]
    examples = models.JSONField(default=list)  # [{"name": "fill", ...}] one per example prompt
    size = models.PositiveIntegerField()
    last_used = models.DateTimeField(null=True, blank=True)
    negative_constraints = models.JSONField(default=list)
    promoted_to = models.ForeignKey(
        "library.Workflow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patterns",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-size", "-last_used", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "owner", "signature"], name="pattern_identity"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ImportedItemKind(models.TextChoices):
    INSTRUCTIONS = "instructions", "Custom instructions"
    PROJECT = "project", "Project"
    PROJECT_DOC = "project_doc", "Project document"


class ImportedItem(models.Model):
    """What an import made besides conversations, so importing again doesn't make it twice."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=ExportSource.choices)
    kind = models.CharField(max_length=16, choices=ImportedItemKind.choices)
    key = models.CharField(max_length=64)  # sha256 of the text, or the project/doc identity
    workflow = models.ForeignKey(
        "library.Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asset = models.ForeignKey(
        "context.ContextAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "owner", "source", "kind", "key"], name="imported_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:12]}"


class ImportSignals(models.Model):
    """Per member, recomputed after every import, for insights: how they work with chat AIs.

    ``rewrites`` = prompts they edited and sent again (sibling user branches), ``regenerations``
    = answers regenerated, ``follow_ups`` = prompts after the first of a conversation (chaining),
    ``instruction_conversations`` = conversations run with custom instructions,
    ``project_conversations`` = conversations inside a custom GPT / ChatGPT project,
    ``projects`` = Claude projects imported, ``instructions`` = distinct custom instructions.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversations = models.PositiveIntegerField(default=0)
    prompts = models.PositiveIntegerField(default=0)
    rewrites = models.PositiveIntegerField(default=0)
    regenerations = models.PositiveIntegerField(default=0)
    follow_ups = models.PositiveIntegerField(default=0)
    instruction_conversations = models.PositiveIntegerField(default=0)
    project_conversations = models.PositiveIntegerField(default=0)
    projects = models.PositiveIntegerField(default=0)
    instructions = models.PositiveIntegerField(default=0)
    first_prompt_at = models.DateTimeField(null=True, blank=True)
    last_prompt_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "owner"], name="signals_identity")
        ]

    def __str__(self) -> str:
        return f"signals of {self.owner_id}"
