"""The report is reused while nothing changed, and rebuilt as soon as something did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from huddle.insights.metrics import report as report_module
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.window import Window, day_start, monday
from huddle.runs.services import Figures, StepRecord, run_record
from tests.insights.simulate import AS_OF, standard_team

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


def _memberweek_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "insights_memberweek" in q["sql"]]


def test_complete_weeks_are_read_once_while_runs_arrive_in_the_live_week(org, report_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huddle.runs.models import Run

    standard_team(org)
    first = report_for(org).as_dict()
    late = Run.objects.filter(organization=org).order_by("-started_at").first()
    Run.objects.create(  # in the week holding as_of: the live week
        organization=org,
        user=late.user,
        workflow=late.workflow,
        started_at=day_start(AS_OF),
        minutes_spent=1,
        baseline_minutes=600,
    )
    with CaptureQueriesContext(connection) as queries:
        after = report_for(org).as_dict()
    assert after["time_saved_minutes"] == pytest.approx(first["time_saved_minutes"] + 599)
    assert _memberweek_queries(queries.captured_queries) == []


def test_a_change_to_a_past_week_or_to_a_workflow_is_seen_at_once(org, report_for):
    from huddle.runs.models import Run

    simulation = standard_team(org)
    week = report_for(org).phases[-2]  # its four weeks are all complete (history)
    # A workflow its owner ran in a complete week of the last phase span goes to someone who
    # never ran it: the old owner's runs become reuse.
    past = day_start(monday(AS_OF))
    own = Run.objects.filter(
        organization=org,
        started_at__gte=past - timedelta(weeks=3),
        started_at__lt=past,
        workflow__owner=F("user"),
    ).first()
    workflow = own.workflow
    ran = set(Run.objects.filter(workflow=workflow).values_list("user", flat=True))
    workflow.owner = next(u for u in simulation.users.values() if u.pk not in ran)
    workflow.save()
    moved = report_for(org).phases[-2]
    # The old owner may be in the top group, whose reuse is counted apart (phases.py).
    assert (moved.reuse, moved.top_reuse) > (week.reuse, week.top_reuse)
    own.delete()  # a run of a complete week
    assert report_for(org).phases[-2].runs == moved.runs - 1


def test_a_new_version_that_uses_context_is_seen_at_once(org, report_for):
    """Workflows' attributes are cached by their state; a version is part of that state."""
    from uuid import uuid4

    from huddle.library.models import Workflow
    from huddle.runs.models import Run

    standard_team(org)
    before = sum(p.context_runs for p in report_for(org).members)
    ran = Run.objects.filter(organization=org, workflow__isnull=False).values("workflow")
    workflow = next(
        w
        for w in Workflow.objects.filter(pk__in=ran).order_by("pk")
        if not w.versions.exclude(context_refs=[]).exists()
    )
    version = workflow.versions.order_by("-number").first()
    version.pk, version.public_id = None, uuid4()
    version._state.adding = True
    version.number += 1
    version.context_refs = [{"slug": "brand-voice"}]
    version.save()  # the workflow itself is not saved: its updated_at stays
    assert sum(p.context_runs for p in report_for(org).members) > before
