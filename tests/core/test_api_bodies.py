"""JSON request bodies must be JSON objects: anything else is refused by name, nothing written."""

from __future__ import annotations

import pytest

from huddle.runs.models import Run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[]", "must be a JSON object, not an array"),
        ("[null, null]", "must be a JSON object, not an array"),
        ("null", "must be a JSON object, not null"),
        ("5", "must be a JSON object, not a number"),
        ('"a run"', "must be a JSON object, not a string"),
        ("true", "must be a JSON object, not a boolean"),
        ("{not json", "is not valid JSON (Expecting property name"),
    ],
)
def test_a_body_that_is_not_an_object_logs_no_run(member, api_client, body, message):
    response = api_client(member).post("/api/v1/runs", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_body"
    assert message in error["message"]
    assert not Run.objects.exists()


def test_an_object_still_logs_a_run(member, api_client):
    response = api_client(member).post(
        "/api/v1/runs", {"output": "Done.", "minutes_spent": 3}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Run.objects.count() == 1


def test_the_same_rule_holds_for_every_json_route(member, api_client):
    from tests.factories import make_workflow

    workflow = make_workflow(member, title="Launch post")
    response = api_client(member).patch(
        f"/api/v1/workflows/{workflow.public_id}", "[]", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_body"
    workflow.refresh_from_db()
    assert workflow.title == "Launch post"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"started_at": 0}, "started_at", "ISO 8601"),
        ({"started_at": 1764147600.0}, "started_at", "ISO 8601"),
        ({"share_text": 1}, "share_text", "valid boolean"),
        ({"share_text": "yes"}, "share_text", "valid boolean"),
    ],
)
def test_values_the_schema_does_not_allow_are_not_guessed(member, api_client, fields, field, words):
    response = api_client(member).post(
        "/api/v1/runs", {"output": "Done.", **fields}, content_type="application/json"
    )
    assert response.status_code == 422
    messages = response.json()["error"]["fields"][f"payload.{field}"]
    assert any(words in m for m in messages), messages
    assert not Run.objects.exists()


def test_an_iso_date_and_json_booleans_are_taken(member, api_client):
    response = api_client(member).post(
        "/api/v1/runs",
        {"output": "Done.", "started_at": "2026-11-02T09:30:00Z", "share_text": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    run = Run.objects.get()
    assert run.share_text is True
    assert run.started_at.isoformat() == "2026-11-02T09:30:00+00:00"


def test_the_brand_check_judge_switch_is_a_boolean(member, api_client):
    response = api_client(member).post(
        "/api/v1/brand/check", {"text": "Hello.", "judge": 0}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "payload.judge" in response.json()["error"]["fields"]


def test_an_object_inside_a_body_must_be_an_object_too(member, api_client):
    response = api_client(member).post(
        "/api/v1/runs", {"steps": [[None, None]]}, content_type="application/json"
    )
    assert response.status_code == 422
    messages = response.json()["error"]["fields"]["payload.steps.0"]
    assert messages == ["Value error, Expected a JSON object, not an array."]
    assert not Run.objects.exists()
