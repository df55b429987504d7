import pytest
from django.test import Client

from huddle.runs.models import Run
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


def test_log_a_manual_run_through_the_api(member, api_client):
    workflow = make_workflow(member, visibility="org")
    response = api_client(member).post(
        "/api/v1/runs",
        {
            "workflow": workflow.slug,
            "inputs": {"product": "Huddle"},
            "output": "Draft",
            "final_text": "Draft!",
            "minutes_spent": 10,
            "baseline_minutes": 40,
            "rating": 5,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["minutes_saved"], body["rating"], body["workflow"]) == (30, 5, workflow.slug)
    assert body["texts_visible"] is True
    assert Run.objects.get().version.number == 1


def test_bad_figures_get_a_422_naming_the_field(member, api_client):
    response = api_client(member).post(
        "/api/v1/runs", {"output": "x", "rating": 7}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["rating"] == ["The rating is 1 to 5 stars."]


def test_runs_of_invisible_workflows_are_404_and_viewers_403(member, editor, viewer, api_client):
    private = make_workflow(editor)
    response = api_client(member).post(
        "/api/v1/runs", {"workflow": private.slug, "output": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    shared = make_workflow(editor, title="Shared", visibility="org")
    response = api_client(viewer).post(
        "/api/v1/runs", {"workflow": shared.slug, "output": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_list_pages_with_a_cursor_and_hides_private_texts(member, editor, api_client):
    workflow = make_workflow(editor, visibility="org")
    client = api_client(member)
    for i in range(5):
        client.post(
            "/api/v1/runs",
            {
                "workflow": workflow.slug,
                "output": f"out {i}",
                "final_text": f"SECRET {i}",
                "share_text": i == 0,
            },
            content_type="application/json",
        )
    first = client.get("/api/v1/runs", {"limit": 3}).json()
    second = client.get("/api/v1/runs", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 3
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    ids = [r["id"] for r in first["items"] + second["items"]]
    assert len(set(ids)) == 5
    owner_view = api_client(editor).get("/api/v1/runs").json()["items"]
    visible = {r["final_text"] for r in owner_view}
    assert visible == {"SECRET 0", None}


def test_outsider_token_sees_no_runs(member, outsider, api_client):
    api_client(member).post("/api/v1/runs", {"output": "x"}, content_type="application/json")
    assert api_client(outsider).get("/api/v1/runs").json()["items"] == []
    assert Client().get("/api/v1/runs").status_code == 401
