"""Any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio …) through the
official ``openai`` SDK: ``POST {base_url}/chat/completions``, whole or streamed (SSE)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import openai

from huddle.runs.providers.base import ProviderPrompt, ProviderResult
from huddle.runs.providers.sdk import SdkProvider, Usage, bad_response


def _messages(prompt: ProviderPrompt) -> list[dict[str, str]]:
    system = [{"role": "system", "content": prompt.system}] if prompt.system else []
    return system + [{"role": m["role"], "content": m["content"]} for m in prompt.messages]


def _options(prompt: ProviderPrompt) -> dict[str, Any]:
    # ``max_tokens`` rather than ``max_completion_tokens``: every compatible server knows it.
    return {"max_tokens": prompt.max_tokens} if prompt.max_tokens else {}


class OpenAICompatibleProvider(SdkProvider):
    kind = "openai_compatible"
    sdk = openai

    def make_client(self, http: httpx2.Client) -> openai.OpenAI:
        # A server without keys (Ollama) still gets a placeholder: the SDK insists on one.
        return openai.OpenAI(
            api_key=self._api_key or "no-key",
            base_url=self.base_url,
            http_client=http,
            max_retries=0,
            timeout=self.timeout,
        )

    def ask(self, client: openai.OpenAI, model: str, prompt: ProviderPrompt) -> ProviderResult:
        response = client.chat.completions.create(
            model=model, messages=_messages(prompt), **_options(prompt)
        )
        choices = getattr(response, "choices", None)
        if not choices or choices[0].message is None:
            raise bad_response("no choices")
        text = choices[0].message.content or ""
        if not isinstance(text, str):
            raise bad_response("no text")
        usage = response.usage
        return ProviderResult(
            text=text,
            model=response.model or model,
            input_tokens=usage.prompt_tokens if usage else None,
            output_tokens=usage.completion_tokens if usage else None,
            duration_ms=0,
        )

    def read_stream(
        self, client: openai.OpenAI, model: str, prompt: ProviderPrompt, usage: Usage
    ) -> Iterator[str]:
        chunks = client.chat.completions.create(
            model=model,
            messages=_messages(prompt),
            stream=True,
            stream_options={"include_usage": True},
            **_options(prompt),
        )
        for chunk in chunks:
            usage.model = chunk.model or usage.model
            if chunk.usage is not None:
                usage.input_tokens = chunk.usage.prompt_tokens
                usage.output_tokens = chunk.usage.completion_tokens
            for choice in chunk.choices or []:
                content = choice.delta.content if choice.delta is not None else None
                if content:
                    yield content
