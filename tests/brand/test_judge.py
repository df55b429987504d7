"""The LLM tone judge: off by default, asked only on request, through the default provider."""

from __future__ import annotations

import pytest

from huddle.brand.judge import judge_tone
from huddle.runs.providers.base import ProviderError
from huddle.runs.providers.fake import FakeProvider
from huddle.runs.providers.registry import override_provider
from huddle.runs.providers.services import ProviderFields, provider_create
from tests.context.helpers import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def judge(admin):
    provider_create(
        actor=admin.actor,
        fields=ProviderFields(
            name="Team GPT",
            kind="openai_compatible",
            base_url="https://api.example.test/v1",
            model="gpt-test",
        ),
        api_key="sk-judge-test-0000",
    )
    fake = FakeProvider()
    with override_provider(lambda config, timeout: fake):
        yield fake


def test_no_provider_no_judge(editor):
    make_asset(editor, "brand", "brand_voice")
    assert judge_tone(actor=editor.actor, text="Hi!") is None


def test_the_judge_gets_the_brand_voice_and_its_opinion_is_labelled(editor, judge):
    make_asset(editor, "brand", "brand_voice")
    judge.enqueue("VERDICT: off-brand\n- Too many exclamation marks")
    opinion = judge_tone(actor=editor.actor, text="Buy now!!!")
    assert opinion.label == "LLM judge · Team GPT · gpt-test"
    assert (opinion.verdict, opinion.notes) == ("off-brand", "- Too many exclamation marks")
    sent = judge.prompts[0].messages[-1]["content"]
    assert "Plain, warm and **confident**." in sent
    assert "Buy now!!!" in sent


def test_a_provider_failure_is_an_opinion_that_says_so(editor, judge):
    make_asset(editor, "brand", "brand_voice")
    judge.enqueue(ProviderError("provider_timeout", "The provider took too long."))
    opinion = judge_tone(actor=editor.actor, text="Hello")
    assert opinion.verdict == "unsure"
    assert "took too long" in opinion.notes


def test_the_page_asks_only_when_ticked_and_the_api_too(editor, judge, login, api_client):
    make_asset(editor, "brand", "brand_voice")
    client = login(editor)
    page = client.get("/o/acme/brand/check/")
    assert b"Also ask our AI provider about the tone" in page.content
    client.post("/o/acme/brand/check/", {"text": "Hello there"})
    assert judge.prompts == []
    judge.enqueue("VERDICT: on-brand")
    ticked = client.post("/o/acme/brand/check/", {"text": "Hello there", "judge": "on"})
    assert b"LLM judge \xc2\xb7 Team GPT" in ticked.content
    judge.enqueue("VERDICT: unsure\n- hard to say")
    body = (
        api_client(editor)
        .post(
            "/api/v1/brand/check", {"text": "Hello", "judge": True}, content_type="application/json"
        )
        .json()
    )
    assert body["judge"]["verdict"] == "unsure"
    assert (
        api_client(editor)
        .post("/api/v1/brand/check", {"text": "Hello"}, content_type="application/json")
        .json()["judge"]
        is None
    )
