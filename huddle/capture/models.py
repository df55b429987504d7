"""Captures: a workflow as its author really did it, before it becomes a clean library entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huddle.accounts.models import Organization, Team, Visibility
from huddle.core.models import PublicModel


class Tool(models.TextChoices):
    CHATGPT = "chatgpt", "ChatGPT"
    CLAUDE = "claude", "Claude"
    COPILOT = "copilot", "Copilot"
    GEMINI = "gemini", "Gemini"
    OTHER = "other", "Something else"


class Source(models.TextChoices):
    TYPED = "typed", "Typed in"
    IMPORT = "import", "Imported from a chat export"


class Capture(PublicModel):
    """A raw workflow: the prompts as typed, the context given, what was avoided and fixed by hand,
    minutes before and after, and where it failed. Private to its author until shared.

    The author is ``owner`` so ``accounts.policy`` (``visible_q``, ``can_see``, ``require_edit``)
    applies unchanged.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="captures"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="captures"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="captures"
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    title = models.CharField(max_length=200)
    goal = models.TextField(blank=True, max_length=2000)
    tool = models.CharField(max_length=16, choices=Tool.choices, default=Tool.OTHER)
    # [{"text": "the prompt as typed", "examples": ["another pasted variant", …]}]
    steps = models.JSONField(default=list)
    context_text = models.TextField(blank=True)
    # Links to context assets by slug; checked against the context app only when promoting.
    context_slugs = models.JSONField(default=list, blank=True)
    negative_constraints = models.TextField(blank=True)
    manual_edits = models.TextField(blank=True)
    minutes_before = models.PositiveIntegerField(null=True, blank=True)
    minutes_after = models.PositiveIntegerField(null=True, blank=True)
    failures = models.TextField(blank=True)
    promoted_to = models.ForeignKey(
        "library.Workflow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="captures",
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.TYPED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="capture_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(tool__in=Tool.values), name="capture_tool_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=Source.values), name="capture_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "owner", "-updated_at"], name="capture_org_owner"),
            models.Index(fields=["organization", "visibility"], name="capture_org_vis"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes_saved(self) -> int | None:
        if self.minutes_before is None or self.minutes_after is None:
            return None
        return self.minutes_before - self.minutes_after


from huddle.capture.importers.models import (  # noqa: E402 - the import models live beside these
    Conversation,
    ExportSource,
    ImportedItem,
    ImportedItemKind,
    ImportJob,
    ImportRun,
    ImportSignals,
    MiningJob,
    Pattern,
    Prompt,
)

__all__ = [
    "Capture",
    "Conversation",
    "ExportSource",
    "ImportJob",
    "ImportRun",
    "ImportSignals",
    "ImportedItem",
    "ImportedItemKind",
    "MiningJob",
    "Pattern",
    "Prompt",
    "Source",
    "Tool",
]
