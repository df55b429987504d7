"""Writes to provider configurations. Admins only (``Action.MANAGE_PROVIDERS``).

Key rules:
- the key is encrypted before it is stored (``core.crypto``); only its last 4 characters are kept
  in clear, for ``…abcd``;
- a blank key on update means "unchanged"; ``clear_key=True`` removes it;
- changing the base URL without giving a key again removes the stored key, so a key can never be
  sent to an address other than the one it was entered for;
- events and errors never contain the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.core import ratelimit
from huddle.core.crypto import EncryptionUnavailable, encrypt
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.http import OutboundBlocked, check_url, host_key
from huddle.core.services import event_record
from huddle.runs.providers.base import ProviderError, ProviderPrompt
from huddle.runs.providers.models import DEFAULT_BASE_URLS, ProviderConfig, ProviderKind
from huddle.runs.providers.registry import provider_for

TEST_TIMEOUT = 20.0
MAX_KEY_LENGTH = 1000


@dataclass(frozen=True)
class ProviderFields:
    """What an admin fills in (everything but the key)."""

    name: str
    kind: str
    base_url: str
    model: str
    allowed_private_host: bool = False
    is_default: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class ProviderCheck:
    """The outcome of ``provider_test``: ``ok`` and a sentence to show."""

    ok: bool
    message: str


def _clean(actor: Actor, fields: ProviderFields, *, exclude_pk: int | None) -> ProviderFields:
    errors: dict[str, list[str]] = {}
    name = fields.name.strip()
    if not name:
        errors["name"] = ["Required."]
    elif (
        ProviderConfig.objects.filter(organization=actor.organization, name__iexact=name)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["name"] = [f"There is already a provider called {name!r}."]
    if fields.kind not in ProviderKind.values:
        errors["kind"] = ["Choose OpenAI-compatible or Anthropic."]
    base_url = fields.base_url.strip() or DEFAULT_BASE_URLS.get(fields.kind, "")
    try:
        allowed = {host_key(base_url)} if fields.allowed_private_host else set()
        base_url = check_url(base_url, allowed).rstrip("/")
    except OutboundBlocked as error:
        errors["base_url"] = [error.message]
    model = fields.model.strip()
    if not model:
        errors["model"] = ["Name the model, e.g. gpt-4o-mini, claude-sonnet-4-5 or llama3.1."]
    if errors:
        raise ValidationFailed("Please correct the provider settings.", fields=errors)
    return ProviderFields(
        name=name[:100],
        kind=fields.kind,
        base_url=base_url,
        model=model[:120],
        allowed_private_host=fields.allowed_private_host,
        is_default=fields.is_default,
        enabled=fields.enabled,
    )


def _set_key(config: ProviderConfig, api_key: str) -> None:
    key = api_key.strip()
    if len(key) > MAX_KEY_LENGTH or any(c.isspace() for c in key):
        raise ValidationFailed(
            "That doesn't look like an API key.", fields={"api_key": ["Paste the key only."]}
        )
    try:
        config.encrypted_key = encrypt(key)
    except EncryptionUnavailable as error:
        raise ValidationFailed(error.message, fields={"api_key": [error.message]}) from None
    config.key_last4 = key[-4:]


def _apply(config: ProviderConfig, fields: ProviderFields) -> list[str]:
    changed = []
    for name in ProviderFields.__dataclass_fields__:
        if getattr(config, name) != getattr(fields, name):
            setattr(config, name, getattr(fields, name))
            changed.append(name)
    return changed


def _one_default(config: ProviderConfig) -> None:
    """Keep at most one default per organisation (the constraint would refuse a second)."""
    if config.is_default:
        ProviderConfig.objects.filter(organization=config.organization_id, is_default=True).exclude(
            pk=config.pk
        ).update(is_default=False)


def _record(actor: Actor, kind: str, config: ProviderConfig, **data: object) -> None:
    """The event, with what identifies the provider and never its key."""
    event_record(
        actor, kind, config, kind=config.kind, base_url=config.base_url, model=config.model, **data
    )


@transaction.atomic
def provider_create(*, actor: Actor, fields: ProviderFields, api_key: str = "") -> ProviderConfig:
    """Add a provider; the organisation's first one becomes the default."""
    policy.require(actor, Action.MANAGE_PROVIDERS)
    clean = _clean(actor, fields, exclude_pk=None)
    config = ProviderConfig(organization=actor.organization)
    _apply(config, clean)
    if not ProviderConfig.objects.filter(organization=actor.organization).exists():
        config.is_default = True
    if api_key.strip():
        _set_key(config, api_key)
    _one_default(config)
    config.save()
    _record(actor, "provider.created", config, key_set=config.has_key)
    return config


@transaction.atomic
def provider_update(
    *,
    actor: Actor,
    config: ProviderConfig,
    fields: ProviderFields,
    api_key: str = "",
    clear_key: bool = False,
) -> bool:
    """Change a provider. A blank ``api_key`` keeps the stored one, unless the base URL changed:
    then it is removed. Returns True when a stored key was removed, so the page can say so."""
    policy.require(actor, Action.MANAGE_PROVIDERS)
    if config.organization_id != actor.organization.pk:
        raise NotFound()
    clean = _clean(actor, fields, exclude_pk=config.pk)
    url_changed = clean.base_url != config.base_url
    changed = _apply(config, clean)
    had_key = config.has_key
    if api_key.strip():
        _set_key(config, api_key)
        changed.append("api_key")
    elif clear_key or url_changed:
        config.encrypted_key = ""
        config.key_last4 = ""
    key_removed = had_key and not config.has_key
    if key_removed:
        changed.append("api_key")
    if changed:
        config.last_error = ""
    _one_default(config)
    config.save()
    _record(actor, "provider.updated", config, changed=changed, key_removed=key_removed)
    return key_removed


@transaction.atomic
def provider_delete(*, actor: Actor, config: ProviderConfig) -> None:
    policy.require(actor, Action.MANAGE_PROVIDERS)
    if config.organization_id != actor.organization.pk:
        raise NotFound()
    _record(actor, "provider.deleted", config)
    config.delete()


def provider_record_use(*, config: ProviderConfig, error: str = "") -> None:
    """After a direct run: when it was used, and the readable error if it failed ("" if not)."""
    ProviderConfig.objects.filter(pk=config.pk).update(
        last_used_at=timezone.now(), last_error=error[:2000]
    )


def provider_test(*, actor: Actor, config: ProviderConfig) -> ProviderCheck:
    """Ask the provider for a tiny completion; store and return the readable outcome.

    Runs outside a transaction on purpose: the database is not held while the provider thinks.
    """
    policy.require(actor, Action.MANAGE_PROVIDERS)
    if config.organization_id != actor.organization.pk:
        raise NotFound()
    ratelimit.hit(
        "provider_test",
        f"{actor.organization.pk}:{actor.user.pk}",
        message="You tested providers many times in the last minute.",
    )
    prompt = ProviderPrompt(
        system="",
        messages=[{"role": "user", "content": "Reply with the word: ready"}],
        max_tokens=16,
    )
    try:
        result = provider_for(config, timeout=TEST_TIMEOUT).complete(prompt)
    except ProviderError as error:
        check = ProviderCheck(ok=False, message=error.message)
    else:
        check = ProviderCheck(
            ok=True, message=f"It works: {result.model} answered in {result.duration_ms} ms."
        )
    config.last_error = "" if check.ok else check.message
    config.last_tested_at = timezone.now()
    ProviderConfig.objects.filter(pk=config.pk).update(
        last_error=config.last_error, last_tested_at=config.last_tested_at
    )
    _record(actor, "provider.tested", config, ok=check.ok, message=check.message)
    return check
