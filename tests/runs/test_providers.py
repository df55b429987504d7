"""Direct runs against local fake OpenAI-compatible and Anthropic servers started by the test."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from huddle.runs.providers.anthropic import AnthropicProvider
from huddle.runs.providers.base import ProviderError, ProviderPrompt
from huddle.runs.providers.fake import FakeProvider
from huddle.runs.providers.openai_compatible import OpenAICompatibleProvider
from tests.runs.servers import (
    Reply,
    anthropic_error,
    anthropic_message,
    anthropic_stream,
    openai_completion,
    openai_error,
    openai_stream,
)

CANARY = "sk-canary-KEY-0123456789-abcdefWXYZ"
PROMPT = ProviderPrompt(
    system="You write short taglines.",
    messages=[{"role": "user", "content": "A tagline for oat milk"}],
)


def openai_at(server, **kwargs):
    options = {"allowed_hosts": frozenset({server.host_key}), "timeout": 2.0, **kwargs}
    return OpenAICompatibleProvider(
        base_url=server.url + "/v1", api_key=CANARY, model="gpt-test", **options
    )


def anthropic_at(server, **kwargs):
    options = {"allowed_hosts": frozenset({server.host_key}), "timeout": 2.0, **kwargs}
    return AnthropicProvider(base_url=server.url, api_key=CANARY, model="claude-test", **options)


# --- OpenAI-compatible -----------------------------------------------------------------------


def test_openai_compatible_completion(fake_server):
    fake_server.queue(openai_completion("Oats, but make it smooth."))
    result = openai_at(fake_server).complete(PROMPT)
    assert result.text == "Oats, but make it smooth."
    assert (result.model, result.input_tokens, result.output_tokens) == ("gpt-test", 11, 7)
    assert result.duration_ms >= 0
    seen = fake_server.requests[0]
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {CANARY}"
    assert seen.json()["messages"] == [
        {"role": "system", "content": "You write short taglines."},
        {"role": "user", "content": "A tagline for oat milk"},
    ]
    assert seen.json()["model"] == "gpt-test"


def test_openai_compatible_streaming(fake_server):
    fake_server.queue(openai_stream(["Oats", ", but", " smooth."]))
    stream = openai_at(fake_server).stream(replace(PROMPT, model="m2"))
    assert list(stream) == ["Oats", ", but", " smooth."]
    assert stream.result.text == "Oats, but smooth."
    assert (stream.result.input_tokens, stream.result.output_tokens) == (5, 3)
    body = fake_server.requests[0].json()
    assert body["stream"] is True
    assert body["model"] == "m2"


def test_a_server_without_a_key_gets_a_placeholder(fake_server):
    fake_server.queue(openai_completion("ok"))
    provider = OpenAICompatibleProvider(
        base_url=fake_server.url + "/v1",
        api_key="",
        model="llama3",
        allowed_hosts=frozenset({fake_server.host_key}),
    )
    assert provider.complete(PROMPT).text == "ok"


@pytest.mark.parametrize(
    ("reply", "code", "words"),
    [
        (openai_error(401, f"Incorrect API key provided: {CANARY}"), "provider_auth", "API key"),
        (openai_error(429, "Rate limit reached"), "provider_rate_limited", "try again in a minute"),
        (openai_error(500, "boom"), "provider_server_error", "problem on its side (500)"),
        (openai_error(503, "busy"), "provider_server_error", "(503)"),
        (openai_error(404, "no such model"), "provider_bad_request", "model name 'gpt-test'"),
        (
            openai_error(400, f"context too long for {CANARY}"),
            "provider_bad_request",
            "context too long",
        ),
        (Reply(body=b"<html>not json</html>"), "provider_bad_response", "expected format"),
        (Reply.json({"unexpected": True}), "provider_bad_response", "expected format"),
        (
            Reply(body=b"{truncated", headers={"Content-Type": "application/json"}),
            "provider_bad_response",
            "expected format",
        ),
    ],
)
def test_openai_compatible_failures_are_readable(fake_server, reply, code, words):
    fake_server.queue(reply)
    with pytest.raises(ProviderError) as caught:
        openai_at(fake_server).complete(PROMPT)
    assert caught.value.code == code
    assert words in caught.value.message
    assert CANARY not in caught.value.message
    assert len(fake_server.requests) == 1  # no silent retries


def test_a_malformed_stream_is_a_readable_error(fake_server):
    fake_server.queue(
        Reply.sse(['data: {"choices": [{"delta": {"content": "Hi"}}]}', "data: {oops"])
    )
    stream = openai_at(fake_server).stream(PROMPT)
    with pytest.raises(ProviderError) as caught:
        list(stream)
    assert caught.value.code == "provider_bad_response"
    assert stream.text == "Hi"


@pytest.mark.parametrize(
    ("make", "answer"), [(openai_at, openai_completion), (anthropic_at, anthropic_message)]
)
def test_a_slow_server_times_out_readably(fake_server, make, answer):
    reply = answer("late")
    reply.delay = 1.0
    fake_server.queue(reply)
    with pytest.raises(ProviderError) as caught:
        make(fake_server, timeout=0.2).complete(PROMPT)
    assert caught.value.code == "provider_timeout"
    assert "within 0.2 seconds" in caught.value.message


def test_a_stream_that_stalls_times_out_and_keeps_what_arrived(fake_server):
    reply = openai_stream(["Hi", " there"])
    reply.chunks.insert(2, 1.0)  # after the first piece, silence longer than the timeout
    fake_server.queue(reply)
    stream = openai_at(fake_server, timeout=0.3).stream(PROMPT)
    with pytest.raises(ProviderError) as caught:
        list(stream)
    assert caught.value.code == "provider_timeout"
    assert stream.text == "Hi"


def test_a_refused_connection_is_readable(fake_server):
    port = fake_server.port
    fake_server.__exit__()
    provider = OpenAICompatibleProvider(
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key=CANARY,
        model="m",
        allowed_hosts=frozenset({f"127.0.0.1:{port}"}),
    )
    with pytest.raises(ProviderError) as caught:
        provider.complete(PROMPT)
    assert caught.value.code == "provider_unreachable"
    assert f"127.0.0.1:{port}" in caught.value.message


def test_a_local_server_is_refused_unless_its_host_is_allowed(fake_server, connections):
    fake_server.queue(openai_completion("never"))
    with pytest.raises(ProviderError) as caught:
        openai_at(fake_server, allowed_hosts=frozenset()).complete(PROMPT)
    assert caught.value.code == "provider_blocked"
    assert "an admin can allow this host" in caught.value.message
    assert connections == []
    assert fake_server.requests == []


@pytest.mark.parametrize(
    "base_url",
    [
        "http://169.254.169.254/v1",
        "http://[::ffff:7f00:1]/v1",
        "http://0177.0.0.1/v1",
        "http://localhost:11434/v1",
        "http://10.0.0.1/v1",
        "http://[::1]:8080/v1",
        "http://0.0.0.0:8000/v1",
    ],
)
def test_ssrf_vectors_in_the_base_url_are_refused_without_connecting(base_url, connections):
    provider = OpenAICompatibleProvider(base_url=base_url, api_key=CANARY, model="m")
    with pytest.raises(ProviderError) as caught:
        provider.complete(PROMPT)
    assert caught.value.code == "provider_blocked"
    assert CANARY not in caught.value.message
    assert connections == []


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/v1/chat/completions", "http://127.0.0.1:9/x"]
)
def test_a_redirect_to_a_private_address_fails_the_run(fake_server, connections, target):
    fake_server.queue(Reply(status=307, headers={"Location": target}))
    with pytest.raises(ProviderError) as caught:
        openai_at(fake_server).complete(PROMPT)
    assert caught.value.code == "provider_bad_request"
    assert "doesn't follow redirects" in caught.value.message
    assert connections == [("127.0.0.1", fake_server.port)]


# --- Anthropic -------------------------------------------------------------------------------


def test_anthropic_completion(fake_server):
    fake_server.queue(anthropic_message("Smooth oats."))
    result = anthropic_at(fake_server).complete(PROMPT)
    assert result.text == "Smooth oats."
    assert (result.model, result.input_tokens, result.output_tokens) == ("claude-test", 12, 6)
    seen = fake_server.requests[0]
    assert (seen.method, seen.path) == ("POST", "/v1/messages")
    assert CANARY in seen.headers.get("x-api-key", "") + seen.headers.get("authorization", "")
    body = seen.json()
    assert body["system"] == "You write short taglines."
    assert body["messages"] == [{"role": "user", "content": "A tagline for oat milk"}]
    assert body["max_tokens"] == 4096


def test_anthropic_streaming(fake_server):
    fake_server.queue(anthropic_stream(["Smooth", " oats", "."]))
    stream = anthropic_at(fake_server).stream(PROMPT)
    assert "".join(stream) == "Smooth oats."
    assert stream.result.text == "Smooth oats."
    assert (stream.result.model, stream.result.input_tokens, stream.result.output_tokens) == (
        "claude-test",
        9,
        4,
    )


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (
            anthropic_error(401, "authentication_error", f"invalid x-api-key {CANARY}"),
            "provider_auth",
        ),
        (anthropic_error(429, "rate_limit_error"), "provider_rate_limited"),
        (anthropic_error(500), "provider_server_error"),
        (anthropic_error(529, "overloaded_error"), "provider_server_error"),
        (Reply(body=b"garbage"), "provider_bad_response"),
    ],
)
def test_anthropic_failures_are_readable(fake_server, reply, code):
    fake_server.queue(reply)
    with pytest.raises(ProviderError) as caught:
        anthropic_at(fake_server).complete(PROMPT)
    assert caught.value.code == code
    assert CANARY not in caught.value.message


# --- the key never leaks ---------------------------------------------------------------------


def test_the_key_is_in_no_log_line_or_repr_on_any_failure_path(fake_server, caplog):
    caplog.set_level(logging.DEBUG)
    replies = [openai_error(401, CANARY), openai_error(429), openai_error(500), Reply(body=b"x")]
    for reply in replies:
        fake_server.queue(reply)
        for provider in (openai_at(fake_server), anthropic_at(fake_server)):
            with pytest.raises(ProviderError) as caught:
                provider.complete(PROMPT)
            assert CANARY not in str(caught.value)
            assert CANARY not in repr(provider)
            assert caught.value.__cause__ is None
    assert CANARY not in caplog.text


# --- the fake --------------------------------------------------------------------------------


def test_the_fake_provider_answers_what_was_queued():
    fake = FakeProvider().enqueue("one two three", ProviderError("provider_rate_limited", "slow"))
    stream = fake.stream(PROMPT)
    assert list(stream) == ["one", " two", " three"]
    assert stream.result.text == "one two three"
    with pytest.raises(ProviderError, match="slow"):
        fake.complete(PROMPT)
    with pytest.raises(ProviderError, match="no answer queued"):
        fake.complete(PROMPT)
    assert len(fake.prompts) == 3
