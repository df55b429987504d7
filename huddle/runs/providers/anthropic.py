"""Anthropic through the official ``anthropic`` SDK: ``POST {base_url}/v1/messages``, whole or
streamed (``message_start`` / ``content_block_delta`` / ``message_delta`` events)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import httpx2

from huddle.runs.providers.base import DEFAULT_MAX_TOKENS, ProviderPrompt, ProviderResult
from huddle.runs.providers.sdk import SdkProvider, Usage, bad_response


def _request(model: str, prompt: ProviderPrompt) -> dict[str, Any]:
    request: dict[str, Any] = {
        "model": model,
        "max_tokens": prompt.max_tokens or DEFAULT_MAX_TOKENS,
        "messages": [{"role": m["role"], "content": m["content"]} for m in prompt.messages],
    }
    if prompt.system:
        request["system"] = prompt.system
    return request


class AnthropicProvider(SdkProvider):
    kind = "anthropic"
    sdk = anthropic

    def make_client(self, http: httpx2.Client) -> anthropic.Anthropic:
        return anthropic.Anthropic(
            api_key=self._api_key or "no-key",
            base_url=self.base_url,
            http_client=http,
            max_retries=0,
            timeout=self.timeout,
        )

    def ask(
        self, client: anthropic.Anthropic, model: str, prompt: ProviderPrompt
    ) -> ProviderResult:
        response = client.messages.create(**_request(model, prompt))
        blocks = getattr(response, "content", None)
        if not isinstance(blocks, list):
            raise bad_response("no content")
        text = "".join(b.text for b in blocks if getattr(b, "type", "") == "text")
        usage = getattr(response, "usage", None)
        return ProviderResult(
            text=text,
            model=response.model or model,
            input_tokens=getattr(usage, "input_tokens", None),
            output_tokens=getattr(usage, "output_tokens", None),
            duration_ms=0,
        )

    def read_stream(
        self, client: anthropic.Anthropic, model: str, prompt: ProviderPrompt, usage: Usage
    ) -> Iterator[str]:
        events = client.messages.create(**_request(model, prompt), stream=True)
        for event in events:
            if event.type == "message_start":
                usage.model = event.message.model or usage.model
                usage.input_tokens = event.message.usage.input_tokens
            elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                if event.delta.text:
                    yield event.delta.text
            elif event.type == "message_delta" and event.usage is not None:
                usage.output_tokens = event.usage.output_tokens
