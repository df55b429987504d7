"""Runs: each use of a workflow (or an ad-hoc prompt) and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huddle.accounts.models import Organization
from huddle.core.models import PublicModel


class Mode(models.TextChoices):
    MANUAL = "manual", "Copy-paste"
    DIRECT = "direct", "Through a provider"
    IMPORTED = "imported", "Imported"
    MCP = "mcp", "AI assistant (MCP)"  # started from a prompt of the MCP server


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Run(PublicModel):
    """One use: inputs, prompts, outputs, the final text, minutes, rating, model and tokens."""

    # No single-column index on organization or workflow: the composite indexes below start
    # with them, and every recorded run would pay for the two extra B-trees.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="runs", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs"
    )
    workflow = models.ForeignKey(
        "library.Workflow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
        db_index=False,
    )
    version = models.ForeignKey(
        "library.WorkflowVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
    )
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.MANUAL)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.COMPLETED)
    inputs = models.JSONField(default=dict, blank=True)
    system_prompt = models.TextField(blank=True)
    output = models.TextField(blank=True)  # the AI's answer (the last step's, for a chain)
    final_text = models.TextField(blank=True)  # what the person actually used
    edit_ratio = models.FloatField(null=True, blank=True)  # 0 = used as is, 1 = rewritten
    minutes_spent = models.FloatField(null=True, blank=True)
    baseline_minutes = models.FloatField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_note = models.CharField(max_length=500, blank=True)
    share_text = models.BooleanField(default=False)  # the workflow's owner may read the texts
    provider = models.CharField(max_length=64, blank=True)
    provider_config = models.ForeignKey(
        "runs.ProviderConfig", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.CharField(max_length=120, blank=True)
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="run_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes_spent__isnull=True) | models.Q(minutes_spent__gte=0),
                name="run_minutes_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-started_at"], name="run_org_time"),
            models.Index(fields=["organization", "user", "-started_at"], name="run_org_user"),
            models.Index(fields=["workflow", "-started_at"], name="run_workflow"),
            # Covers every column the insights roll-up aggregates, so rebuilding a week reads
            # the index alone, not the runs' texts (a cold roll-up of 1M runs: 8.8 s -> 5.0 s).
            models.Index(
                fields=[
                    "organization",
                    "started_at",
                    "user",
                    "workflow",
                    "status",
                    "minutes_spent",
                    "baseline_minutes",
                    "rating",
                    "edit_ratio",
                ],
                name="run_rollup",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.public_id} ({self.status})"

    @property
    def label(self) -> str:
        """What the activity log calls the run: its workflow's title, or "Ad-hoc prompt"."""
        return self.workflow.title if self.workflow else "Ad-hoc prompt"

    @property
    def minutes_saved(self) -> float | None:
        if self.baseline_minutes is None or self.minutes_spent is None:
            return None
        return self.baseline_minutes - self.minutes_spent

    @property
    def speedup(self) -> float | None:
        if not self.baseline_minutes or not self.minutes_spent:
            return None
        return self.baseline_minutes / self.minutes_spent


class RunStep(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=40)
    prompt = models.TextField()
    output = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="run_step_position")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.position} {self.name}"


# Provider configurations live in their own package; importing them here lets Django find them.
from huddle.runs.providers.models import ProviderConfig  # noqa: E402,F401
