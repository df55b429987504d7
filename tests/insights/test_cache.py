"""The report is reused while nothing changed, and rebuilt as soon as something did."""

from __future__ import annotations

import pytest

from huddle.insights.metrics import report as report_module
from huddle.insights.metrics.data import Scope
from huddle.insights.metrics.window import Window
from huddle.runs.services import Figures, StepRecord, run_record
from tests.insights.simulate import AS_OF

pytestmark = pytest.mark.django_db


def test_a_report_is_reused_until_the_organisation_changes(org, owner, member, monkeypatch):
    calls = []
    real = report_module.build
    monkeypatch.setattr(report_module, "build", lambda *a: calls.append(1) or real(*a))
    scope, window = Scope(org), Window(AS_OF, 8)
    first = report_module.build_cached(owner.actor, scope, window)
    again = report_module.build_cached(owner.actor, scope, window)
    assert len(calls) == 1
    assert again.divide.members == first.divide.members
    run_record(
        actor=member.actor,
        workflow=None,
        version=None,
        inputs={},
        steps=[StepRecord("s", "p", "o")],
        final_text="o",
        figures=Figures(minutes_spent=1, baseline_minutes=5),
    )
    report_module.build_cached(owner.actor, scope, window)
    assert len(calls) == 2
    report_module.build_cached(member.actor, scope, window)  # another person: their own entry
    assert len(calls) == 3
