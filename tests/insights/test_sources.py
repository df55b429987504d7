"""What other apps feed insights: captures made, and the on-brand score in the quality factor."""

from __future__ import annotations

import pytest
from django.utils import timezone

from huddle.brand.models import RunBrandCheck
from huddle.capture.models import Capture
from huddle.runs.services import Figures, StepRecord, run_record

pytestmark = pytest.mark.django_db


def _run(persona):
    return run_record(
        actor=persona.actor,
        workflow=None,
        version=None,
        inputs={},
        steps=[StepRecord("s", "p", "out")],
        final_text="out",
        figures=Figures(minutes_spent=5, baseline_minutes=20, rating=4),
    )


def _score(run, score):
    """Set the score of the check the run got when it was recorded (every completed run has one)."""
    check = RunBrandCheck.objects.get(run=run)
    check.score = score
    check.save()
    return check


def _profile(report, email):
    return next(p for p in report.members if p.email == email)


def test_captures_made_count_in_the_member_profile(org, owner, member, report_for):
    Capture.objects.create(
        organization=org, owner=member.user, title="Messy", steps=[{"text": "x"}]
    )
    report = report_for(org, owner.actor, as_of=timezone.localdate())
    assert _profile(report, member.user.email).captures == 1


def test_the_on_brand_score_counts_in_quality(org, owner, member, editor, report_for):
    today = timezone.localdate()
    for _ in range(3):
        _score(_run(member), 100)
        _score(_run(editor), 20)
    report = report_for(org, owner.actor, as_of=today)
    good, poor = _profile(report, member.user.email), _profile(report, editor.user.email)
    assert (good.brand_score, poor.brand_score) == (100, 20)
    assert good.components["quality"] > poor.components["quality"]


def test_a_new_brand_check_of_a_past_week_changes_the_score_at_once(org, owner, member, report_for):
    from datetime import timedelta

    from huddle.runs.models import Run

    today = timezone.localdate()
    run = _run(member)
    Run.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(weeks=2))
    check = _score(run, 90)
    report = report_for(org, owner.actor, as_of=today)
    assert _profile(report, member.user.email).brand_score == 90  # a complete week: history
    check.score = 30  # re-checked against a stricter ruleset
    check.save()
    report = report_for(org, owner.actor, as_of=today)
    assert _profile(report, member.user.email).brand_score == 30
