"""Context assets and their immutable versions; packs that bundle assets.

An asset's content lives in ``ContextVersion`` rows that are only ever inserted. The asset points
at its approved version (``approved_version``), a pointer that moves when an editor approves; the
"latest approved" version a template gets is that pointer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from huddle.accounts.models import Organization, Team, Visibility
from huddle.core.jobs import Job, JobStatus
from huddle.core.models import PublicModel

CONTEXT_SLUG_RE = r"^[a-z][a-z0-9_]{0,49}$"
context_slug_validator = RegexValidator(
    CONTEXT_SLUG_RE,
    "Use 1 to 50 lowercase letters, digits and underscores, starting with a letter "
    "(so that {{ context.<slug> }} works in templates).",
)


class Kind(models.TextChoices):
    BRAND = "brand", "Brand guidelines"
    PERSONA = "persona", "Persona"
    CAMPAIGN_DATA = "campaign_data", "Campaign data"
    MESSAGING = "messaging", "Messaging"
    GLOSSARY = "glossary", "Glossary"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    ARCHIVED = "archived", "Archived"


class ContextAsset(PublicModel):
    """One piece of team context, referenced in templates as ``{{ context.<slug> }}``."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="context_assets"
    )
    slug = models.CharField(max_length=50, validators=[context_slug_validator])
    title = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="context_assets"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    # Team context is meant to be shared, so an asset is visible to the organisation by default
    # (workflows default to private); its owner can narrow it to a team or to themselves.
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.ORG)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_version = models.ForeignKey(
        "ContextVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="context_slug_per_org"),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="context_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="context_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="context_visibility_valid",
            ),
        ]
        indexes = [models.Index(fields=["organization", "kind"], name="context_org_kind")]

    def __str__(self) -> str:
        return self.title


class ContextVersion(PublicModel):
    """One immutable state of an asset. ``data`` has the kind's shape (see ``kinds.py``);
    ``parts`` are its renderings (``text`` and the per-kind attributes), computed once."""

    asset = models.ForeignKey(ContextAsset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    parts = models.JSONField(default=dict)
    # campaign_data: the whole validated table as gzip-compressed UTF-8 CSV (data holds a preview).
    table_gz = models.BinaryField(null=True, blank=True, editable=False)
    row_count = models.PositiveIntegerField(default=0)
    source_name = models.CharField(max_length=255, blank=True)
    changelog = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["asset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="context_version_number"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="context_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Context versions are immutable; create a new version instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def text(self) -> str:
        return self.parts.get("text", "")


class ContextPack(PublicModel):
    """A named bundle of assets, exported as one paste-ready text for ChatGPT or Claude."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="context_packs"
    )
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="context_packs"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.ORG)
    assets = models.ManyToManyField(ContextAsset, through="PackItem", related_name="packs")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="context_pack_name")
        ]

    def __str__(self) -> str:
        return self.name


class PackItem(models.Model):
    pack = models.ForeignKey(ContextPack, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(ContextAsset, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "asset"], name="context_pack_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} in {self.pack_id}"


class UploadAction(models.TextChoices):
    CREATE = "create", "New asset"
    VERSION = "version", "New version"


class UploadJob(Job):
    """An uploaded file the worker turns into an asset (``create``) or a new version of
    ``asset`` (``version``): see ``context/jobs.py``. Private to its ``owner``, who uploaded it.

    ``params`` holds what the form or the API call said besides the file (slug, title, sharing,
    the kind's other fields), already checked; the service checks them again when it writes.
    The file stays in the media storage under ``context-uploads/`` until the job has finished.
    A running job holds a lease (``core.jobs``); one whose worker stopped is failed, not retried
    (the member uploads again).
    """

    LEASE = timedelta(seconds=60)
    RETRIES = 0
    STOPPED = (
        "The worker reading this file stopped before it finished (it may have been restarted). "
        "Nothing was saved; upload the file again."
    )
    TASK = "huddle.context.tasks.run_upload"
    NOUN = "upload"
    JOB_FAILED_FIELDS: ClassVar[dict[str, str]] = {"stage": ""}

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="context_upload_jobs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="context_upload_jobs"
    )
    action = models.CharField(max_length=10, choices=UploadAction.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The asset a new version is for; for a new asset, the asset once it is made.
    asset = models.ForeignKey(
        ContextAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10,
        choices=JobStatus.worded(running="Reading the file"),
        default=JobStatus.QUEUED,
    )
    file = models.FileField(upload_to="context-uploads/", blank=True, max_length=255)
    file_size = models.BigIntegerField(default=0)
    percent = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)  # what it is doing, in a few words
    version_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="upload_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=UploadAction.values), name="upload_action_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="upload_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "owner", "-created_at"], name="upload_owner"),
            models.Index(fields=["status", "heartbeat_at"], name="upload_status_beat"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
