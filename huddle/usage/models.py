"""Weekly per-person activity from the AI tools' own usage reports, kept apart from runs.

``UsageWeek`` is one person's activity in one tool in one week (Monday). Its totals are what
insights read; the per-weekday slots (``day_messages``, ``day_minutes``) and ``day_mask`` are what
let a second report of the same week be merged instead of counted twice (``services``):
- a daily report (generic CSV, Claude) replaces the days it holds and keeps the others, so a
  January and a February file both fill the week that straddles them;
- a weekly report (ChatGPT) replaces the week: it is the vendor's own figure for it;
- a last-activity snapshot (Microsoft 365 Copilot) adds the active days it names.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from huddle.accounts.models import Organization
from huddle.core.jobs import Job


class Tool(models.TextChoices):
    CHATGPT = "chatgpt", "ChatGPT"
    CLAUDE = "claude", "Claude"
    COPILOT = "copilot", "Microsoft 365 Copilot"
    GEMINI = "gemini", "Gemini"
    OTHER = "other", "Another tool"


class ReportSource(models.TextChoices):
    CHATGPT = "chatgpt", "ChatGPT Enterprise / Team user analytics (weekly)"
    CLAUDE = "claude", "Claude Team / Enterprise user activity (daily)"
    COPILOT = "copilot", "Microsoft 365 Copilot usage, user details"
    GENERIC = "generic", "Generic CSV (email, date, tool, messages, active_minutes)"


# Not ``core.jobs.JobStatus``: a usage import runs as "writing" and may end "refused" (a report
# that wrote nothing), the values stored in its rows and check constraint.
class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    WRITING = "writing", "Importing"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Stopped"


class UsageImport(Job):
    """One usage report imported (from the CLI, the upload page or the API) and what it did.

    ``report`` holds the counts and the people the report names who are not members
    (``unknown``, the first 200, and ``unknown_count``). A refused report wrote nothing;
    ``error`` says why, naming missing columns or the first bad lines.

    A running import holds a lease (``core.jobs``). One whose worker stopped is queued again
    once (its writes are upserts of the file's own figures: doing it again finishes it), then
    failed with ``STOPPED`` and its upload deleted; one the CLI ran is failed at once.
    """

    RUNNING = ImportStatus.WRITING
    FINISHED = (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED)
    LEASE = timedelta(minutes=2)
    RETRIES = 1
    STOPPED = (
        "The worker importing this report stopped twice before it finished. The weeks already "
        "written hold the report's own figures; upload the file again to finish the import."
    )
    CLI_STOPPED = (
        "The import stopped before it finished. The weeks already written hold the report's "
        "own figures; import the file again to finish it."
    )
    TASK = "huddle.usage.tasks.run_usage_import"
    NOUN = "usage import"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="usage_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(max_length=16, choices=ReportSource.choices)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # An upload waiting for the worker, under usage/ in the default storage; deleted once read.
    file = models.FileField(upload_to="usage/", blank=True, max_length=255)
    create_members = models.BooleanField(default=False)
    rows_read = models.PositiveIntegerField(default=0)
    weeks_written = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=ReportSource.values), name="usageimport_source_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="usageimport_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} usage report {self.public_id}"

    def job_stopped_message(self) -> str:
        return self.STOPPED if self.file else self.CLI_STOPPED


class UsageWeek(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="usage_weeks"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage_weeks"
    )
    week_start = models.DateField()  # a Monday
    tool = models.CharField(max_length=16, choices=Tool.choices)
    messages = models.PositiveIntegerField(default=0)
    active_minutes = models.FloatField(default=0.0)
    active_days = models.PositiveSmallIntegerField(default=0)
    day_mask = models.PositiveSmallIntegerField(default=0)  # bit 0 = Monday
    day_messages = models.JSONField(default=list, blank=True)  # 7 counts, or [] for weekly data
    day_minutes = models.JSONField(default=list, blank=True)
    last_import = models.ForeignKey(
        UsageImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "week_start", "tool"], name="usageweek_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(tool__in=Tool.values), name="usageweek_tool_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "week_start"], name="usage_org_week")]

    def __str__(self) -> str:
        return f"{self.tool} week of {self.week_start}"
