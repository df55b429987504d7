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
