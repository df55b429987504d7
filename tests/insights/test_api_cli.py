"""``GET /api/v1/insights`` and ``huddle insights``: the same report, privacy respected."""

from __future__ import annotations

import json

import pytest

from huddle.cli import run
from huddle.insights import services
from tests.insights.simulate import AS_OF, standard_team

KEYS = {
    "as_of", "members", "active_members", "power_users", "struggling", "gini", "top10_share",
    "time_saved_minutes", "shared_share", "phase", "know_how_at_risk",
}  # fmt: skip


def test_cli_prints_the_report_as_json(org, capsys):
    standard_team(org)
    code = run(["insights", "--org", "acme", "--as-of", str(AS_OF), "--weeks", "8", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= KEYS
    assert data["as_of"] == str(AS_OF)
    assert [p["email"] for p in data["power_users"]] == ["pat@sim.test", "quinn@sim.test"]
    assert all(p["reasons"] for p in data["power_users"])
    assert data["know_how_at_risk"][0]["owner"] == "hoarder@sim.test"


def test_cli_refuses_an_unknown_organisation_or_team(org, capsys):
    assert run(["insights", "--org", "nope", "--json"]) == 2
    assert run(["insights", "--org", "acme", "--team", "nope", "--json"]) == 2
    assert run(["insights", "--org", "acme", "--weeks", "0", "--json"]) == 2


def test_cli_table_output(org, capsys):
    standard_team(org)
    assert run(["insights", "--org", "acme", "--as-of", str(AS_OF)]) == 0
    assert "power user count" in capsys.readouterr().out


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_api_gives_admins_individual_entries(role, personas, api_client):
    standard_team(personas["owner"].org)
    response = api_client(personas[role]).get(f"/api/v1/insights?as_of={AS_OF}")
    assert response.status_code == 200
    data = response.json()
    assert set(data) >= KEYS
    assert len(data["power_users"]) == 2
    assert data["struggling"]


@pytest.mark.parametrize("role", ["editor", "member", "viewer"])
def test_api_gives_others_aggregates_only(role, personas, api_client):
    standard_team(personas["owner"].org)
    data = api_client(personas[role]).get(f"/api/v1/insights?as_of={AS_OF}").json()
    assert data["power_users"] == []
    assert data["struggling"] == []
    assert data["know_how_at_risk"] == []
    assert data["power_user_count"] == 2
    assert data["gini"] > 0.5


def test_api_in_aggregate_only_mode_has_no_individual_entries_even_for_owners(
    personas, api_client, capsys
):
    standard_team(personas["owner"].org)
    services.settings_update(actor=personas["owner"].actor, aggregate_only=True)
    data = api_client(personas["owner"]).get(f"/api/v1/insights?as_of={AS_OF}").json()
    assert data["power_users"] == []
    assert data["individuals"] is False
    run(["insights", "--org", "acme", "--as-of", str(AS_OF), "--json"])
    assert json.loads(capsys.readouterr().out)["power_users"] == []


def test_api_unknown_team_is_404_and_bad_weeks_422(personas, api_client):
    client = api_client(personas["member"])
    assert client.get("/api/v1/insights?team=nope").status_code == 404
    assert client.get("/api/v1/insights?weeks=0").status_code == 422
