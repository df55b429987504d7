"""The insights report never pauses the garbage collector inside a web request (a process-wide
switch other threads share); the ``huddle insights`` batch command may."""

from __future__ import annotations

import gc
import json

import pytest

from huddle.cli import run
from tests.insights.simulate import AS_OF, standard_team

PERIOD = f"?as_of={AS_OF}&weeks=8"


@pytest.fixture
def pauses(monkeypatch):
    """How many times ``gc.disable`` was called."""
    calls = []
    real = gc.disable

    def disable():
        calls.append(1)
        real()

    monkeypatch.setattr(gc, "disable", disable)
    return calls


def test_the_insights_page_and_api_leave_the_collector_running(org, admin, login, api_client,
                                                              pauses):  # fmt: skip
    standard_team(org)
    assert login(admin).get(f"/o/acme/insights/{PERIOD}").status_code == 200
    assert api_client(admin).get(f"/api/v1/insights{PERIOD}").status_code == 200
    assert pauses == []
    assert gc.isenabled()


def test_the_batch_command_pauses_the_collector_and_restores_it(org, capsys, pauses):
    standard_team(org)
    assert run(["insights", "--org", "acme", "--as-of", AS_OF.isoformat(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["members"]
    assert pauses == [1]
    assert gc.isenabled()
