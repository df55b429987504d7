"""``provider_for(config)``: the one place a ``Provider`` is made from a ``ProviderConfig``.

Tests swap the factory here (``override_provider(factory)``, or the ``fake_provider`` fixture),
so no other code needs to know about fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from huddle.core.crypto import decrypt
from huddle.core.errors import HuddleError
from huddle.core.http import host_key
from huddle.runs.providers.anthropic import AnthropicProvider
from huddle.runs.providers.base import DEFAULT_TIMEOUT, Provider, ProviderError
from huddle.runs.providers.models import ProviderConfig, ProviderKind
from huddle.runs.providers.openai_compatible import OpenAICompatibleProvider
from huddle.runs.providers.sdk import SdkProvider

ProviderFactory = Callable[[ProviderConfig, float], Provider]

_CLASSES: dict[str, type[SdkProvider]] = {
    ProviderKind.OPENAI_COMPATIBLE: OpenAICompatibleProvider,
    ProviderKind.ANTHROPIC: AnthropicProvider,
}


def build_provider(config: ProviderConfig, timeout: float = DEFAULT_TIMEOUT) -> Provider:
    """The real provider for ``config``; ``ProviderError`` when it can't be used as it is."""
    if not config.enabled:
        raise ProviderError(
            "provider_not_configured", f"The provider {config.name} is switched off."
        )
    try:
        api_key = decrypt(config.encrypted_key) if config.encrypted_key else ""
    except HuddleError as error:  # unreadable key, or no encryption key on this server
        raise ProviderError("provider_not_configured", error.message) from None
    allowed = frozenset({host_key(config.base_url)}) if config.allowed_private_host else frozenset()
    return _CLASSES[config.kind](
        base_url=config.base_url,
        api_key=api_key,
        model=config.model,
        allowed_hosts=allowed,
        timeout=timeout,
    )


_factory: ProviderFactory = build_provider


def provider_for(config: ProviderConfig, *, timeout: float = DEFAULT_TIMEOUT) -> Provider:
    """The provider to call for ``config``: ``.complete(prompt)`` or ``.stream(prompt)``.

    Raises ``ProviderError`` (code ``provider_not_configured``) when the configuration is
    switched off or its key can't be read.
    """
    return _factory(config, timeout)


@contextmanager
def override_provider(factory: ProviderFactory) -> Iterator[None]:
    """Within the block, ``provider_for`` returns ``factory(config, timeout)`` (tests)."""
    global _factory
    previous, _factory = _factory, factory
    try:
        yield
    finally:
        _factory = previous
