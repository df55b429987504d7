"""``POST /api/v1/brand/check``."""

from __future__ import annotations

import pytest

from tests.brand.helpers import brand_context
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db

URL = "/api/v1/brand/check"


def test_check_returns_score_findings_and_blocking(editor, member, api_client):
    brand_context(editor)
    workflow = make_workflow(editor, visibility="org", content={"required_elements": ["cta"]})
    response = api_client(member).post(
        URL,
        {"text": "We love synergy.", "workflow": workflow.slug, "channel": "x"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["blocking"] is True
    assert body["score"] == 75
    assert body["sources"] == ["brand_voice v1", "glossary v1"]
    banned, required = body["findings"]
    assert banned == {
        "start": 8, "end": 15, "line": 1, "rule": "banned", "severity": "blocking",
        "message": "“synergy” is on the banned list (glossary).",
        "suggestion": "working together", "match": "synergy", "source": "glossary glossary",
    }  # fmt: skip
    assert (required["rule"], required["start"], required["line"]) == ("required", None, None)


def test_a_clean_text_is_not_blocking(member, api_client):
    body = api_client(member).post(URL, {"text": "Hello."}, content_type="application/json")
    assert body.json() == {
        "score": 100, "blocking": False, "words": 1, "reading_ease": None, "grade": None,
        "findings": [], "sources": [], "judge": None,
    }  # fmt: skip


def test_errors_use_the_one_error_shape(editor, member, api_client):
    client = api_client(member)
    missing = client.post(URL, {}, content_type="application/json")
    assert missing.status_code == 422
    assert "payload.text" in missing.json()["error"]["fields"]
    channel = client.post(URL, {"text": "x", "channel": "fax"}, content_type="application/json")
    assert channel.status_code == 422
    assert "channel" in channel.json()["error"]["fields"]
    secret = make_workflow(editor, title="Secret")
    hidden = client.post(
        URL, {"text": "x", "workflow": secret.slug}, content_type="application/json"
    )
    assert hidden.status_code == 404


def test_a_viewer_may_check_and_no_token_is_401(viewer, api_client, client):
    ok = api_client(viewer).post(URL, {"text": "x"}, content_type="application/json")
    assert ok.status_code == 200
    assert client.post(URL, {"text": "x"}, content_type="application/json").status_code == 401


def test_an_outsider_checks_against_their_own_organisation_only(editor, outsider, api_client):
    brand_context(editor)
    body = api_client(outsider).post(URL, {"text": "synergy"}, content_type="application/json")
    assert body.json()["findings"] == []
