"""The provider contract: what a direct run asks of any LLM provider, and what it gets back.

A ``Provider`` is built for one ``ProviderConfig`` by ``registry.provider_for(config)`` and offers:

- ``complete(prompt) -> ProviderResult``: the whole answer at once;
- ``stream(prompt) -> ProviderStream``: an iterator of text pieces as they arrive; once it is
  exhausted, ``.result`` holds the ``ProviderResult`` (full text, model, tokens when the provider
  reports them, duration).

Both raise only ``ProviderError`` (a ``HuddleError``), whose ``message`` is meant for the person
who ran the workflow and whose ``code`` says what went wrong (``PROVIDER_ERROR_CODES``). A stream
may raise it midway; the pieces already yielded are what arrived. Messages never contain the API
key. Implementations: ``openai_compatible.py``, ``anthropic.py``, ``fake.py`` (for tests).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypedDict

from huddle.core.errors import HuddleError

DEFAULT_TIMEOUT = 60.0  # seconds to connect, and between two pieces of an answer
DEFAULT_MAX_TOKENS = 4096  # Anthropic requires a limit; OpenAI-compatible servers get none


class Message(TypedDict):
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True)
class ProviderPrompt:
    """What to send. ``model`` empty means the configuration's default model."""

    system: str
    messages: list[Message]
    model: str = ""
    max_tokens: int | None = None

    @classmethod
    def single(cls, text: str, *, system: str = "", model: str = "") -> ProviderPrompt:
        """A one-message prompt: a rendered workflow step."""
        return cls(system=system, messages=[{"role": "user", "content": text}], model=model)


@dataclass(frozen=True)
class ProviderResult:
    text: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    duration_ms: int


PROVIDER_ERROR_CODES = {
    "provider_auth": "the key was refused",
    "provider_rate_limited": "too many requests (429)",
    "provider_server_error": "the provider failed (5xx)",
    "provider_timeout": "no answer in time",
    "provider_unreachable": "could not connect",
    "provider_blocked": "the address is not allowed",
    "provider_bad_request": "the provider refused the request (model name, size …)",
    "provider_bad_response": "the answer was not in the expected format",
    "provider_not_configured": "the configuration is incomplete or disabled",
}


class ProviderError(HuddleError):
    """A provider call failed; ``message`` is readable and never contains a key."""

    status = 502

    def __init__(self, code: str, message: str) -> None:
        assert code in PROVIDER_ERROR_CODES, code  # noqa: S101 - a programming error
        super().__init__(code, message)


@dataclass
class ProviderStream(Iterator[str]):
    """Text pieces as they arrive; ``result`` is set once the answer is complete."""

    pieces: Iterator[str]
    finish: Callable[[str], ProviderResult]
    result: ProviderResult | None = None
    _parts: list[str] = field(default_factory=list)

    def __iter__(self) -> ProviderStream:
        return self

    def __next__(self) -> str:
        try:
            piece = next(self.pieces)
        except StopIteration:
            if self.result is None:
                self.result = self.finish("".join(self._parts))
            raise
        self._parts.append(piece)
        return piece

    @property
    def text(self) -> str:
        """What arrived so far (all of it once the stream is exhausted)."""
        return "".join(self._parts)


class Provider(ABC):
    """One configured provider. Build it with ``registry.provider_for(config)``."""

    kind: str = ""

    def __init__(self, *, model: str) -> None:
        self.model = model

    def model_for(self, prompt: ProviderPrompt) -> str:
        model = prompt.model or self.model
        if not model:
            raise ProviderError("provider_not_configured", "No model is set for this provider.")
        return model

    @abstractmethod
    def complete(self, prompt: ProviderPrompt) -> ProviderResult:
        """The whole answer; raises ``ProviderError``."""

    @abstractmethod
    def stream(self, prompt: ProviderPrompt) -> ProviderStream:
        """The answer piece by piece; iterating raises ``ProviderError``."""


class Clock:
    """Milliseconds since creation, for ``ProviderResult.duration_ms``."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def ms(self) -> int:
        return int((time.monotonic() - self._start) * 1000)
