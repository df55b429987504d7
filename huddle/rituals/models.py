"""The weekly ritual: wins and votes, the asks board, the digest and its deliveries, the schedule.

Anonymity of asks is a property of the tables: an anonymous ``Ask`` has no author column value,
and nothing else (events, answers, logs) records who wrote it. Its asker holds a one-time
"solve link" whose SHA-256 alone is stored.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from huddle.accounts.models import Organization
from huddle.core.models import PublicModel


class Win(PublicModel):
    """A run, workflow or capture put forward as the win of an ISO week (exactly one subject)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="wins")
    iso_week = models.CharField(max_length=8)  # "2026-W07"
    nominated_by = models.ForeignKey(  # None for suggestions
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        "runs.Run", null=True, blank=True, on_delete=models.CASCADE, related_name="wins"
    )
    workflow = models.ForeignKey(
        "library.Workflow", null=True, blank=True, on_delete=models.CASCADE, related_name="wins"
    )
    capture = models.ForeignKey(
        "capture.Capture", null=True, blank=True, on_delete=models.CASCADE, related_name="wins"
    )
    story = models.CharField(max_length=500, blank=True)
    suggested = models.BooleanField(default=False)
    reason = models.CharField(max_length=120, blank=True)  # why it was suggested
    chosen = models.BooleanField(default=False)
    chosen_by = models.ForeignKey(  # None when the vote decided
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-vote_count", "suggested", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(run__isnull=False, workflow__isnull=True, capture__isnull=True)
                    | Q(run__isnull=True, workflow__isnull=False, capture__isnull=True)
                    | Q(run__isnull=True, workflow__isnull=True, capture__isnull=False)
                ),
                name="win_exactly_one_subject",
            ),
            models.UniqueConstraint(
                fields=["organization", "iso_week", "run"],
                condition=Q(run__isnull=False),
                name="win_run_once_a_week",
            ),
            models.UniqueConstraint(
                fields=["organization", "iso_week", "workflow"],
                condition=Q(workflow__isnull=False),
                name="win_workflow_once_a_week",
            ),
            models.UniqueConstraint(
                fields=["organization", "iso_week", "capture"],
                condition=Q(capture__isnull=False),
                name="win_capture_once_a_week",
            ),
            models.UniqueConstraint(
                fields=["organization", "iso_week"],
                condition=Q(chosen=True),
                name="one_win_of_the_week",
            ),
        ]
        indexes = [models.Index(fields=["organization", "iso_week"], name="win_org_week")]

    def __str__(self) -> str:
        return f"Win {self.iso_week}: {self.subject_title}"

    @property
    def kind(self) -> str:
        return "run" if self.run_id else "workflow" if self.workflow_id else "capture"

    @property
    def subject_title(self) -> str:
        """What the win is about, safe for everyone in the organisation to read."""
        if self.workflow_id:
            return self.workflow.title
        if self.capture_id:
            return self.capture.title
        workflow = self.run.workflow
        if workflow is None:
            return "An ad-hoc prompt"
        return workflow.title if workflow.visibility == "org" else "A private workflow"

    @property
    def featured_workflow(self):  # type: ignore[no-untyped-def]
        """The library workflow a win points at (for the badge), if it is shared with everyone."""
        workflow = self.workflow if self.workflow_id else self.run.workflow if self.run_id else None
        if workflow is None and self.capture_id:
            workflow = self.capture.promoted_to
        return workflow if workflow is not None and workflow.visibility == "org" else None


class Vote(models.Model):
    """One member's vote in one week. Week and organisation are copied from the win so the
    database itself enforces one vote per member per week."""

    win = models.ForeignKey(Win, on_delete=models.CASCADE, related_name="votes")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    iso_week = models.CharField(max_length=8)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "iso_week", "voter"], name="one_vote_per_member_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"Vote {self.iso_week} → {self.win_id}"


class AskStatus(models.TextChoices):
    OPEN = "open", "Open"
    SOLVED = "solved", "Solved"


class Ask(PublicModel):
    """ "Is there a workflow for …?" ``author`` is None when anonymous, and then nothing records
    who asked: the asker solves it with the link shown once (``solve_token_hash``)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="asks")
    text = models.CharField(max_length=1000)
    anonymous = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    solve_token_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=AskStatus.choices, default=AskStatus.OPEN)
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(author__isnull=True),
                name="anonymous_ask_has_no_author",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AskStatus.values), name="ask_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="ask_org_status")]

    def __str__(self) -> str:
        return self.text[:80]


class Answer(PublicModel):
    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workflow = models.ForeignKey(
        "library.Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    capture = models.ForeignKey(
        "capture.Capture", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Answer to {self.ask_id}"


class DigestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class Digest(PublicModel):
    """The week's digest: ``content`` is the data it was drafted from, ``markdown`` the text
    people read (editable while a draft)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="digests")
    iso_week = models.CharField(max_length=8)
    content = models.JSONField(default=dict)
    markdown = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=DigestStatus.choices, default=DigestStatus.DRAFT
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-iso_week"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "iso_week"], name="one_digest_per_week"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DigestStatus.values), name="digest_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Digest {self.iso_week}"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One digest to one place (an email address, the Slack or Teams webhook). Unique, so a
    digest never goes to the same place twice; ``last_error`` says why a failed one failed."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    target = models.CharField(max_length=254)  # an email address, or "webhook"
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["channel", "target"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "channel", "target"], name="deliver_once_per_target"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="delivery_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.target} ({self.status})"


class Recipients(models.TextChoices):
    MEMBERS = "members", "Everyone in the organisation"
    ADMINS = "admins", "Admins and owners only"


class RitualSettings(models.Model):
    """When the digest is drafted and sent (in ``timezone``), to whom, and where.

    Webhook URLs of Slack and Teams carry their secret in the path, so they are encrypted
    (``core.crypto``); pages show only ``…`` plus the last 4 characters.
    ``last_drafted_week``/``last_sent_week`` make the schedule catch up once, not once per
    missed week.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="ritual_settings"
    )
    enabled = models.BooleanField(default=False)
    enabled_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    draft_weekday = models.PositiveSmallIntegerField(default=3)  # Monday = 0: Thursday
    draft_time = models.TimeField(default=time(16, 0))
    send_weekday = models.PositiveSmallIntegerField(default=4)  # Friday
    send_time = models.TimeField(default=time(9, 0))
    recipients = models.CharField(
        max_length=16, choices=Recipients.choices, default=Recipients.MEMBERS
    )
    email_enabled = models.BooleanField(default=True)
    slack_url_encrypted = models.TextField(blank=True)
    slack_url_hint = models.CharField(max_length=8, blank=True)
    teams_url_encrypted = models.TextField(blank=True)
    teams_url_hint = models.CharField(max_length=8, blank=True)
    # host:port an admin allowed explicitly (a self-hosted chat server on the private network).
    allowed_private_host = models.CharField(max_length=255, blank=True)
    last_drafted_week = models.CharField(max_length=8, blank=True)
    last_sent_week = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(draft_weekday__lte=6) & Q(send_weekday__lte=6),
                name="ritual_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=Q(recipients__in=Recipients.values), name="ritual_recipients_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Ritual settings of {self.organization_id}"
