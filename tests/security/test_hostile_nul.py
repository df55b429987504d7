"""NUL characters (``\\x00``) in what people send: refused by name with a 400, nothing written.

PostgreSQL's text columns refuse NUL, so before these checks ``POST /api/v1/runs`` with a NUL in
``output`` answered an HTML 500 there; on SQLite it was stored. The suite runs on both.
"""

from __future__ import annotations

import pytest

from huddle.accounts.models import Organization
from huddle.runs.models import Run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"output": "Done.\x00", "minutes_spent": 3}, "output"),
        ({"output": "Done.", "inputs": {"product": "Hud\x00dle"}}, "inputs.product"),
        ({"output": "Done.", "inputs": {"pro\x00duct": "Huddle"}}, "inputs.pro\\u0000duct"),
        ({"output": "Done.", "steps": [{"name": "a", "output": "x\x00"}]}, "steps[0].output"),
    ],
)
def test_a_nul_in_a_json_body_is_refused_by_its_place(member, api_client, body, where):
    response = api_client(member).post("/api/v1/runs", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_body"
    assert f"NUL character (\\u0000) in {where}" in error["message"]
    assert not Run.objects.exists()


def test_a_nul_in_an_api_query_parameter_is_a_json_400(member, api_client):
    response = api_client(member).get("/api/v1/workflows?q=launch%00")
    assert response.status_code == 400
    assert "'q' holds a NUL character" in response.json()["error"]["message"]


def test_a_nul_in_a_page_form_is_a_400_page_and_changes_nothing(client, owner):
    client.force_login(owner.user)
    response = client.post("/o/acme/settings/", {"name": "Acme\x00 Corp"})
    assert response.status_code == 400
    assert "&#x27;name&#x27; holds a NUL character" in response.content.decode()
    assert Organization.objects.get(slug="acme").name == "Acme Marketing"


def test_a_nul_in_a_page_query_string_is_a_400_page(client, member):
    client.force_login(member.user)
    response = client.get("/o/acme/library/?q=brief%00")
    assert response.status_code == 400
    assert "&#x27;q&#x27; holds a NUL character" in response.content.decode()
