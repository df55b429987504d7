"""Provider configurations: where an organisation's direct runs go, and with which key."""

from __future__ import annotations

from django.db import models

from huddle.accounts.models import Organization
from huddle.core.models import PublicModel


class ProviderKind(models.TextChoices):
    OPENAI_COMPATIBLE = "openai_compatible", "OpenAI-compatible (OpenAI, Azure, Ollama, vLLM …)"
    ANTHROPIC = "anthropic", "Anthropic"


DEFAULT_BASE_URLS = {
    ProviderKind.OPENAI_COMPATIBLE: "https://api.openai.com/v1",
    ProviderKind.ANTHROPIC: "https://api.anthropic.com",
}


class ProviderConfig(PublicModel):
    """One provider an admin configured. Written only by ``providers.services``.

    The API key is stored Fernet-encrypted (``core.crypto``) in ``encrypted_key``; pages and the
    API only ever show ``key_hint`` (``…abcd``). ``allowed_private_host`` lets the outbound client
    reach this base URL's host even when it is private (a self-hosted Ollama); only admins set it.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="provider_configs"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=32, choices=ProviderKind.choices)
    base_url = models.CharField(max_length=500)
    model = models.CharField(max_length=120)
    encrypted_key = models.TextField(blank=True)
    key_last4 = models.CharField(max_length=4, blank=True)
    allowed_private_host = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_error = models.TextField(blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="provider_name_unique"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_default=True),
                name="provider_one_default",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["openai_compatible", "anthropic"]),
                name="provider_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_key(self) -> bool:
        return bool(self.encrypted_key)

    @property
    def key_hint(self) -> str:
        """What may be shown of the key: ``…abcd``, or "" when there is none."""
        return f"…{self.key_last4}" if self.encrypted_key else ""
