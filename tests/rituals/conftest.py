"""Fixtures of the ritual tests: planted runs and workflows, and the runs tests' fake network
(a local HTTP server, name look-ups that never leave the machine, recorded connections)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from huddle.library import services as library_services
from huddle.runs import services as run_services
from huddle.runs.services import Figures, StepRecord
from tests.factories import make_workflow
from tests.runs.conftest import connections, fake_dns, fake_server  # noqa: F401

# A fixed week: Monday 2 March 2026 to Sunday 8 March 2026 (UTC).
WEEK = "2026-W10"
IN_WEEK = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen_week(monkeypatch):
    """Make "now" a Wednesday of ``WEEK`` for services that ask for the current week."""
    from huddle.rituals import services

    monkeypatch.setattr(
        services.weeks,
        "current_week",
        lambda tz="UTC", now=None: (
            WEEK
            if now is None
            else services.weeks.week_of(now.astimezone(services.weeks.zone(tz)).date())
        ),
    )
    return WEEK


def shared_workflow(persona, title="Monthly report", **kw):
    workflow = make_workflow(persona, title=title, **kw)
    return library_services.workflow_publish(
        actor=persona.actor, workflow=workflow, visibility="org"
    )


def run(persona, workflow=None, *, spent=10, baseline=60, rating=None, when=IN_WEEK):
    return run_services.run_record(
        actor=persona.actor,
        workflow=workflow,
        version=None,
        inputs={},
        steps=[StepRecord(name="s", prompt="p", output="o")],
        final_text="o",
        figures=Figures(minutes_spent=spent, baseline_minutes=baseline, rating=rating),
        started_at=when,
    )
