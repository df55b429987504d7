"""``/api/v1/captures``: create, list, read, promote (and dry run), with the visibility rules."""

from __future__ import annotations

import pytest

from huddle.capture.models import Capture
from huddle.library.models import Workflow
from tests.capture.helpers import TWO_EXAMPLES, make_capture

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_create_a_capture_through_the_api(member, api_client):
    response = api_client(member).post(
        "/api/v1/captures",
        {
            "title": "Ad copy",
            "tool": "claude",
            "steps": [TWO_EXAMPLES, {"text": "Shorter"}],
            "context_slugs": ["brand_voice"],
            "minutes_before": 60,
            "minutes_after": 15,
            "failures": "Too salesy",
        },
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["visibility"], body["owner"], body["tool"]) == (
        "private",
        member.user.email,
        "claude",
    )
    assert body["steps"][1] == {"text": "Shorter", "examples": []}
    assert Capture.objects.get().public_id.hex == body["id"].replace("-", "")


def test_content_problems_are_422_by_field(member, api_client):
    response = api_client(member).post(
        "/api/v1/captures",
        {"title": "x", "steps": [{"text": " "}], "context_slugs": ["Bad!"], "minutes_after": -1},
        content_type=JSON,
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert {"steps", "context_slugs", "minutes_after"} <= set(fields)


def test_share_with_a_team_needs_a_known_team(member, api_client):
    response = api_client(member).post(
        "/api/v1/captures",
        {"title": "x", "steps": [{"text": "y"}], "visibility": "team", "team": "nope"},
        content_type=JSON,
    )
    assert response.status_code == 404


def test_viewers_cannot_capture(viewer, api_client):
    response = api_client(viewer).post(
        "/api/v1/captures", {"title": "x", "steps": [{"text": "y"}]}, content_type=JSON
    )
    assert response.status_code == 403


def test_list_shows_mine_and_shared_with_a_cursor(member, editor, api_client):
    for i in range(3):
        make_capture(member, title=f"Mine {i}")
    make_capture(editor, title="Editor private")
    make_capture(editor, title="Editor shared", visibility="org")
    client = api_client(member)
    first = client.get("/api/v1/captures", {"limit": 2}).json()
    rest = client.get("/api/v1/captures", {"limit": 2, "cursor": first["next_cursor"]}).json()
    titles = [c["title"] for c in first["items"] + rest["items"]]
    assert sorted(titles) == ["Editor shared", "Mine 0", "Mine 1", "Mine 2"]
    assert rest["next_cursor"] is None
    mine = client.get("/api/v1/captures", {"mine": "true"}).json()["items"]
    assert len(mine) == 3
    garbage = client.get("/api/v1/captures", {"cursor": "garbage"})
    assert garbage.status_code == 422
    assert "cursor" in garbage.json()["error"]["fields"]


def test_private_captures_are_404_to_others_and_outsiders(member, editor, outsider, api_client):
    capture = make_capture(member)
    assert api_client(member).get(f"/api/v1/captures/{capture.public_id}").status_code == 200
    for other in (editor, outsider):
        client = api_client(other)
        assert client.get(f"/api/v1/captures/{capture.public_id}").status_code == 404
        promote = client.post(
            f"/api/v1/captures/{capture.public_id}/promote", {}, content_type=JSON
        )
        assert promote.status_code == 404
        assert client.get("/api/v1/captures").json()["items"] == []
    assert api_client(member).get("/api/v1/captures/not-a-uuid").status_code == 404


def test_outsider_cannot_see_a_shared_capture(member, outsider, api_client):
    capture = make_capture(member, visibility="org")
    assert api_client(outsider).get(f"/api/v1/captures/{capture.public_id}").status_code == 404


def test_dry_run_previews_without_saving(member, api_client):
    capture = make_capture(member, steps=[TWO_EXAMPLES])
    response = api_client(member).post(
        f"/api/v1/captures/{capture.public_id}/promote?dry_run=true", {}, content_type=JSON
    )
    assert response.status_code == 200
    body = response.json()
    assert body["steps"][0]["template"] == (
        "Write a LinkedIn post about our {{ topic }} for {{ audience }}"
    )
    assert [(i["name"], i["origin"]) for i in body["inputs"]] == [
        ("topic", "examples"),
        ("audience", "examples"),
    ]
    assert not Workflow.objects.exists()


def test_promote_with_spans_creates_the_draft(member, api_client):
    capture = make_capture(member, context_slugs=["brand_voice"])
    response = api_client(member).post(
        f"/api/v1/captures/{capture.public_id}/promote",
        {"spans": [{"step": 0, "text": "Huddle", "name": "product"}], "title": "Launch post"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    workflow = Workflow.objects.get()
    assert body["workflow"]["slug"] == workflow.slug == "launch-post"
    assert body["workflow"]["url"] == "/o/acme/library/launch-post/"
    assert body["preview"]["context_to_attach"] == ["brand_voice"]
    assert (workflow.visibility, workflow.status, workflow.owner) == (
        "private",
        "draft",
        member.user,
    )
    detail = api_client(member).get(f"/api/v1/captures/{capture.public_id}").json()
    assert detail["promoted_to"] == "launch-post"


def test_promote_problems_are_422_naming_the_span(member, api_client):
    capture = make_capture(member)
    response = api_client(member).post(
        f"/api/v1/captures/{capture.public_id}/promote",
        {"spans": [{"step": 0, "text": "absent", "name": "x"}]},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["spans.0"] == ["“absent” is not in step 1."]


def test_viewers_may_read_shared_captures_but_not_promote(member, viewer, api_client):
    capture = make_capture(member, visibility="org")
    client = api_client(viewer)
    assert client.get(f"/api/v1/captures/{capture.public_id}").status_code == 200
    response = client.post(
        f"/api/v1/captures/{capture.public_id}/promote?dry_run=true", {}, content_type=JSON
    )
    assert response.status_code == 403
