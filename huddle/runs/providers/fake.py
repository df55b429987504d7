"""A provider for tests, fed canned answers: ``fake.enqueue("text")`` or
``fake.enqueue(ProviderError(...))``. Each call takes the next one; the prompts it got are kept."""

from __future__ import annotations

from collections.abc import Iterator

from huddle.runs.providers.base import (
    Provider,
    ProviderError,
    ProviderPrompt,
    ProviderResult,
    ProviderStream,
)


class FakeProvider(Provider):
    kind = "fake"

    def __init__(self, *, model: str = "fake-model") -> None:
        super().__init__(model=model)
        self.answers: list[str | Exception] = []
        self.prompts: list[ProviderPrompt] = []

    def enqueue(self, *answers: str | Exception) -> FakeProvider:
        self.answers.extend(answers)
        return self

    def _next(self, prompt: ProviderPrompt) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise ProviderError(
                "provider_not_configured", "The fake provider has no answer queued."
            )
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def _result(self, text: str, prompt: ProviderPrompt) -> ProviderResult:
        words = sum(len(m["content"].split()) for m in prompt.messages)
        return ProviderResult(
            text=text,
            model=self.model_for(prompt),
            input_tokens=words,
            output_tokens=len(text.split()),
            duration_ms=1,
        )

    def complete(self, prompt: ProviderPrompt) -> ProviderResult:
        return self._result(self._next(prompt), prompt)

    def stream(self, prompt: ProviderPrompt) -> ProviderStream:
        def pieces() -> Iterator[str]:
            text = self._next(prompt)
            # Word by word, keeping the spaces, so joined pieces equal the text.
            start = 0
            for index, char in enumerate(text):
                if char == " " and index > start:
                    yield text[start:index]
                    start = index
            if start < len(text):
                yield text[start:]

        return ProviderStream(pieces(), lambda text: self._result(text, prompt))
