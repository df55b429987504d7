"""The shared library: workflows, their immutable versions, labels, tags, stars, search rows."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from huddle.accounts.models import Organization, Team, Visibility
from huddle.core.models import PublicModel

workflow_slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$",
    "Use lowercase letters, digits and hyphens (up to 80), not starting or ending with a hyphen.",
)


class Kind(models.TextChoices):
    PROMPT = "prompt", "Prompt"
    CHAIN = "chain", "Prompt chain"
    INSTRUCTIONS = "instructions", "System instructions"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared"
    ENDORSED = "endorsed", "Endorsed"
    ARCHIVED = "archived", "Archived"


class Workflow(PublicModel):
    """One entry of the shared library. Its content lives in ``WorkflowVersion`` rows."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="workflows"
    )
    slug = models.CharField(max_length=80, validators=[workflow_slug_validator])
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, max_length=2000)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PROMPT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workflows"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="workflows"
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    star_count = models.PositiveIntegerField(default=0)
    use_count = models.PositiveIntegerField(default=0)  # runs recorded against it
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="workflow_slug_per_org"),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="workflow_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="workflow_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="workflow_visibility_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "visibility", "status"], name="wf_org_vis"),
            # The library's newest change (the tag filter's cache key) and "recent" order.
            models.Index(fields=["organization", "-updated_at"], name="wf_org_updated"),
            models.Index(fields=["organization", "owner"], name="wf_org_owner"),
            models.Index(fields=["organization", "-star_count"], name="wf_org_stars"),
            models.Index(fields=["organization", "-use_count"], name="wf_org_uses"),
        ]

    def __str__(self) -> str:
        return self.title


class ImmutableError(Exception):
    pass


class WorkflowVersion(PublicModel):
    """An immutable snapshot of a workflow's content. Saving a workflow adds one of these."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    system = models.TextField(blank=True)
    # [{"name": "outline", "template": "Write …"}]
    steps = models.JSONField(default=list)
    # [{"name", "label", "help", "type", "choices", "default", "required"}]
    inputs = models.JSONField(default=list)
    # [{"slug": "brand_voice", "version": null}]  (null = latest approved)
    context_refs = models.JSONField(default=list)
    negative_constraints = models.TextField(blank=True)
    manual_edits = models.TextField(blank=True)
    baseline_minutes = models.PositiveIntegerField(null=True, blank=True)
    required_elements = models.JSONField(default=list, blank=True)
    changelog = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workflow} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableError("Workflow versions are immutable; save a new version instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Label(models.TextChoices):
    LATEST = "latest", "Latest"
    ENDORSED = "endorsed", "Endorsed"


class WorkflowLabel(models.Model):
    """A movable pointer to a version (``latest``, ``endorsed``). Rolling back moves a label."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=32, choices=Label.choices)
    version = models.ForeignKey(WorkflowVersion, on_delete=models.CASCADE, related_name="labels")
    moved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow", "name"], name="one_label_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} → v{self.version.number}"


class WorkflowTag(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="tags")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "name"], name="tag_once_per_workflow")
        ]
        indexes = [models.Index(fields=["organization", "name"], name="tag_org_name")]

    def __str__(self) -> str:
        return self.name


class Star(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="stars")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workflow", "user"], name="star_once")]

    def __str__(self) -> str:
        return f"★ {self.workflow_id}"


class WorkflowSearch(models.Model):
    """The searchable text of a workflow's latest version.

    The full-text index over this table is backend-specific and maintained by the database
    itself, by triggers on this table: an FTS5 external-content table on SQLite (migration
    0002), a narrow table of weighted ``tsvector`` documents with a GIN index on PostgreSQL
    (``library_workflowdocument``, migration 0004).
    """

    workflow = models.OneToOneField(
        Workflow, on_delete=models.CASCADE, primary_key=True, related_name="search_row"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.TextField()
    summary = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title
