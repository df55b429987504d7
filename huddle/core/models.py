"""What every app shares: the base model with a public UUID, and the append-only Event log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class PublicModel(models.Model):
    """Integer keys stay inside; URLs and the API use ``public_id``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Event(models.Model):
    """One thing that happened: who did what to which object, in which organisation, when.

    Rows are only ever inserted (``core.services.event_record``). Insights read them; admins browse
    them as the audit trail. ``organization`` is a string reference because the tenant lives in
    ``accounts``; the dependency is at the database level only.
    """

    organization = models.ForeignKey(  # indexed first in each of the indexes below
        "accounts.Organization", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    kind = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="event_org_time"),
            models.Index(fields=["organization", "kind", "-created_at"], name="event_org_kind"),
            models.Index(fields=["organization", "actor", "-created_at"], name="event_org_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id}"


class RateBucket(models.Model):
    """Hits of one key (``login:ip:1.2.3.4``) in one fixed window. In the database, so every
    server process and worker shares the same counts."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_bucket_once")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_bucket_time")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start:%H:%M}: {self.hits}"
