"""What the ``openai`` and ``anthropic`` providers share: turning any failure into a readable
``ProviderError`` that never contains the key, and one outbound client per call.

Both SDKs have the same exception names (``AuthenticationError``, ``RateLimitError``,
``APIStatusError``, ``APITimeoutError``, ``APIConnectionError`` …), so one translation serves both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import httpx2

from huddle.core.http import OutboundBlocked, OutboundError, ResponseTooLarge, outbound_client
from huddle.runs.providers.base import (
    DEFAULT_TIMEOUT,
    Clock,
    Provider,
    ProviderError,
    ProviderPrompt,
    ProviderResult,
    ProviderStream,
)

logger = logging.getLogger(__name__)

_DETAIL_LIMIT = 300


def scrub(text: str, secret: str) -> str:
    """``text`` without ``secret`` (nor its longer pieces), cut to a readable length."""
    if secret:
        text = text.replace(secret, "****")
        if len(secret) > 12:  # providers echo keys partly: "sk-abc…wxyz"
            text = text.replace(secret[:8], "****").replace(secret[-6:], "****")
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1] + "…"


def _detail(exc: Exception) -> str:
    """The provider's own explanation from an error body, when it gave one."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            message = error.get("message")
            return message if isinstance(message, str) else ""
        if isinstance(error, str):
            return error
    return ""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_error(status: int, detail: str, *, model: str) -> ProviderError:
    if status in {401, 403}:
        return ProviderError(
            "provider_auth",
            f"The provider refused the API key ({status}). Check the key in the provider settings.",
        )
    if status == 429:
        return ProviderError(
            "provider_rate_limited",
            "The provider is limiting requests right now (429): try again in a minute.",
        )
    if status in {408, 504}:
        return ProviderError("provider_timeout", f"The provider timed out ({status}); try again.")
    if status >= 500:
        return ProviderError(
            "provider_server_error",
            f"The provider had a problem on its side ({status}). Try again in a few minutes.",
        )
    if 300 <= status < 400:
        return ProviderError(
            "provider_bad_request",
            f"The provider answered with a redirect ({status}); Huddle doesn't follow redirects. "
            "Use the final address as the base URL.",
        )
    if status == 404:
        return ProviderError(
            "provider_bad_request",
            f"The provider answered 404 (not found): check the model name {model!r} and the "
            "base URL.",
        )
    suffix = f": {detail}" if detail else "."
    return ProviderError(
        "provider_bad_request", f"The provider refused the request ({status}){suffix}"
    )


def translate(
    exc: Exception, sdk: ModuleType, *, secret: str, host: str, model: str, timeout: float
) -> ProviderError:
    """The ``ProviderError`` for anything an SDK call raised."""
    if isinstance(exc, ProviderError):
        return exc
    for cause in _chain(exc):
        if isinstance(cause, OutboundBlocked):
            return ProviderError("provider_blocked", scrub(cause.message, secret))
        if isinstance(cause, ResponseTooLarge):
            return ProviderError("provider_bad_response", cause.message)
        if isinstance(cause, OutboundError):
            return ProviderError("provider_unreachable", scrub(cause.message, secret))
    if isinstance(exc, sdk.APIStatusError):
        return _status_error(exc.status_code, scrub(_detail(exc), secret), model=model)
    if isinstance(exc, sdk.APITimeoutError | httpx2.TimeoutException):
        return ProviderError(
            "provider_timeout", f"The provider didn't answer within {timeout:g} seconds."
        )
    if isinstance(exc, sdk.APIConnectionError | httpx2.TransportError):
        return ProviderError(
            "provider_unreachable",
            f"Couldn't connect to {host}: is the server running and the base URL right?",
        )
    if isinstance(exc, httpx2.InvalidURL):
        return ProviderError("provider_blocked", "The base URL is not a valid address.")
    # Anything else is an answer the SDK could not make sense of (bad JSON, missing fields…).
    # Only the type is logged: a message could quote the request.
    logger.warning("Provider %s gave an unreadable answer (%s)", host, type(exc).__name__)
    return ProviderError(
        "provider_bad_response",
        "The provider's answer wasn't in the expected format. Check that the base URL points "
        "at the API (e.g. ending in /v1 for OpenAI-compatible servers).",
    )


@contextmanager
def translated(
    sdk: ModuleType, *, secret: str, host: str, model: str, timeout: float
) -> Iterator[None]:
    """Run SDK calls; whatever they raise comes out as a ``ProviderError``."""
    try:
        yield
    # The contract promises ProviderError only: an SDK may raise anything on a broken answer.
    except Exception as exc:  # noqa: BLE001
        raise translate(exc, sdk, secret=secret, host=host, model=model, timeout=timeout) from None


class SdkProvider(Provider):
    """A provider reached through an official SDK over the one outbound client.

    Subclasses say how to build the SDK client (``make_client``), how to ask for the whole answer
    (``ask``) and how to read a stream (``read_stream``, which fills ``usage``). A new HTTP client
    is made for each call and closed after it; the SDK never retries (``max_retries=0``): a person
    is waiting, and the message tells them when to try again.
    """

    sdk: ModuleType

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        allowed_hosts: frozenset[str] = frozenset(),
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(model=model)
        self.base_url = base_url
        self._api_key = api_key
        self._allowed_hosts = allowed_hosts
        self.timeout = timeout

    def __repr__(self) -> str:  # never show the key, even in a debugger or a log line
        return f"<{type(self).__name__} {self.base_url} model={self.model!r}>"

    def make_client(self, http: httpx2.Client) -> Any:
        raise NotImplementedError

    def ask(self, client: Any, model: str, prompt: ProviderPrompt) -> ProviderResult:
        raise NotImplementedError

    def read_stream(
        self, client: Any, model: str, prompt: ProviderPrompt, usage: Usage
    ) -> Iterator[str]:
        raise NotImplementedError

    @contextmanager
    def _session(self, model: str) -> Iterator[Any]:
        with (
            translated(
                self.sdk,
                secret=self._api_key,
                host=urlsplit(self.base_url).netloc,
                model=model,
                timeout=self.timeout,
            ),
            outbound_client(allowed_hosts=self._allowed_hosts, timeout=self.timeout) as http,
        ):
            yield self.make_client(http)

    def complete(self, prompt: ProviderPrompt) -> ProviderResult:
        model = self.model_for(prompt)
        clock = Clock()
        with self._session(model) as client:
            result = self.ask(client, model, prompt)
        return replace(result, duration_ms=clock.ms())

    def stream(self, prompt: ProviderPrompt) -> ProviderStream:
        model = self.model_for(prompt)
        clock = Clock()
        usage = Usage(model=model)

        def pieces() -> Iterator[str]:
            with self._session(model) as client:
                yield from self.read_stream(client, model, prompt, usage)

        def finish(text: str) -> ProviderResult:
            return ProviderResult(
                text=text,
                model=usage.model,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                duration_ms=clock.ms(),
            )

        return ProviderStream(pieces(), finish)


@dataclass
class Usage:
    """What a stream reports besides text, filled as it goes."""

    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None


def bad_response(what: str) -> ProviderError:
    return ProviderError(
        "provider_bad_response", f"The provider's answer wasn't in the expected format ({what})."
    )
