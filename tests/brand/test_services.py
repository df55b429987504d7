"""Checking through the service, storing a run's check, and the queries insights will use."""

from __future__ import annotations

import pytest

from huddle.brand.models import RunBrandCheck
from huddle.brand.services import MAX_TEXT, brand_check, run_brand_check_record
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.models import Event
from huddle.runs.models import Run
from huddle.runs.services import Figures, StepRecord, run_record
from tests.brand.helpers import brand_context
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(editor):
    brand_context(editor)
    return make_workflow(
        editor, title="LinkedIn post", visibility="org",
        content={"required_elements": ["cta", "question_end"]},
    )  # fmt: skip


def _run(persona, workflow, final_text: str) -> Run:
    return run_record(
        actor=persona.actor,
        workflow=workflow,
        version=workflow.versions.get(),
        inputs={"product": "Huddle"},
        steps=[StepRecord("step_1", "Write it", final_text)],
        final_text=final_text,
        figures=Figures(),
    )


def test_check_adds_the_workflow_required_elements(post, member):
    result = brand_check(actor=member.actor, text="We love synergy.", workflow=post.slug)
    assert result.required == ("cta", "question_end")
    assert [f.rule for f in result.report.findings] == ["banned", "required", "required"]
    assert result.report.blocking


def test_an_invisible_workflow_is_not_found(editor, member, outsider):
    private = make_workflow(editor, title="Secret")
    with pytest.raises(NotFound):
        brand_check(actor=member.actor, text="Hi", workflow=private.slug)
    with pytest.raises(NotFound):
        brand_check(actor=outsider.actor, text="Hi", workflow=private.slug)


def test_too_long_texts_and_unknown_channels_are_refused(member):
    with pytest.raises(ValidationFailed, match="limit is 200,000"):
        brand_check(actor=member.actor, text="x" * (MAX_TEXT + 1))
    with pytest.raises(ValidationFailed) as error:
        brand_check(actor=member.actor, text="Hi", channel="fax")
    assert "linkedin" in error.value.fields["channel"][0]
    assert brand_check(actor=member.actor, text="Hi", channel="LinkedIn").channel == "linkedin"


def test_a_run_check_is_stored_replaced_and_read_back(post, member):
    run = _run(member, post, "Synergy! Book a demo?")
    assert run.brand_check.blocking  # recording a completed run checks it
    stored = run_brand_check_record(actor=member.actor, run=run)
    assert stored.blocking
    assert stored.findings[0]["rule"] == "banned"
    assert stored.sources == ["brand_voice v1", "glossary v1"]
    assert len(stored.ruleset_fingerprint) == 16
    assert Run.objects.get(pk=run.pk).brand_check.score == stored.score
    run.final_text = "Working together works. Book a demo?"
    run.save()
    again = run_brand_check_record(actor=member.actor, run=run)
    assert RunBrandCheck.objects.count() == 1
    assert again.score == 100
    assert Event.objects.filter(kind="run.brand_checked").count() == 3  # recorded, then twice


def test_only_the_author_stores_a_check(post, member, editor):
    run = _run(member, post, "Fine text.")
    with pytest.raises(NotFound):
        run_brand_check_record(actor=editor.actor, run=run)
