"""Capturing, sharing and promoting, through the services; who may do what."""

from __future__ import annotations

import pytest

from huddle.accounts.models import Team
from huddle.capture import queries, services
from huddle.capture.models import Capture
from huddle.capture.promote import Span
from huddle.capture.services import CaptureData
from huddle.core.errors import NotFound, PermissionDenied, ValidationFailed
from huddle.core.models import Event
from huddle.core.stats import organization_stats
from huddle.library.models import Workflow
from huddle.library.rendering import content_of, render_version
from huddle.library.services import latest_version
from tests.capture.helpers import TWO_EXAMPLES, make_capture

pytestmark = pytest.mark.django_db


def test_a_capture_starts_private_to_its_author(member, editor, owner):
    capture = make_capture(member)
    assert capture.visibility == "private"
    assert capture.source == "typed"
    assert queries.get_capture(member.actor, capture.public_id) == capture
    for other in (editor, owner):
        with pytest.raises(NotFound):
            queries.get_capture(other.actor, capture.public_id)
        assert not queries.visible_captures(other.actor).exists()
    assert Event.objects.filter(kind="capture.created").count() == 1
    assert organization_stats(capture.organization)["captures"] == 1


def test_outsiders_never_see_a_capture_even_shared(member, outsider):
    capture = make_capture(member, visibility="org")
    with pytest.raises(NotFound):
        queries.get_capture(outsider.actor, capture.public_id)


def test_viewers_cannot_capture(viewer):
    with pytest.raises(PermissionDenied):
        make_capture(viewer)


def test_capture_data_names_every_problem():
    with pytest.raises(ValidationFailed) as caught:
        CaptureData.from_data(
            {
                "title": "",
                "tool": "notepad",
                "steps": [{"text": "", "examples": ["only an example"]}],
                "context_slugs": "brand_voice, Bad Slug!",
                "minutes_before": "an hour",
                "minutes_after": -3,
            }
        )
    fields = caught.value.fields
    assert set(fields) == {
        "title", "tool", "steps", "steps.0.text", "context_slugs", "minutes_before",
        "minutes_after",
    }  # fmt: skip


def test_capture_data_keeps_prompts_exactly_and_skips_empty_rows():
    data = CaptureData.from_data(
        {
            "title": " Report ",
            "steps": [
                "  Typed  {{x}}\n",
                {"text": "", "examples": []},
                {"text": "Two", "examples": "Ex"},
            ],
            "context_slugs": ["brand_voice", "brand_voice", "personas"],
            "minutes_before": "90",
        }
    )
    assert data.title == "Report"
    assert data.steps == (
        {"text": "  Typed  {{x}}\n", "examples": []},
        {"text": "Two", "examples": ["Ex"]},
    )
    assert data.context_slugs == ("brand_voice", "personas")
    assert data.minutes_before == 90


def test_sharing_with_a_team_and_editing_rights(member, editor, org):
    team = Team.objects.create(organization=org, slug="content", name="Content")
    editor.membership.teams.add(team)
    capture = make_capture(member)
    with pytest.raises(NotFound):
        services.capture_share(actor=editor.actor, capture=capture, visibility="org")
    with pytest.raises(ValidationFailed):
        services.capture_share(actor=member.actor, capture=capture, visibility="team")
    services.capture_share(actor=member.actor, capture=capture, visibility="team", team=team)
    assert queries.get_capture(editor.actor, capture.public_id) == capture
    # Editors may tidy up shared captures, as with shared workflows.
    data = CaptureData.from_capture(capture)
    services.capture_update(
        actor=editor.actor,
        capture=capture,
        data=CaptureData(**{**data.__dict__, "goal": "Better goal"}),
    )
    capture.refresh_from_db()
    assert capture.goal == "Better goal"


def test_members_cannot_change_someone_elses_shared_capture(member, org):
    from huddle.accounts.models import Role
    from tests.conftest import _persona

    other = _persona(org, Role.MEMBER, "other@acme.test")
    capture = make_capture(other, visibility="org")
    with pytest.raises(PermissionDenied):
        services.capture_delete(actor=member.actor, capture=capture)
    with pytest.raises(PermissionDenied):
        services.capture_promote(actor=member.actor, capture=capture, spans=[])


def test_delete_keeps_the_promoted_workflow(member):
    capture = make_capture(member)
    workflow, _ = services.capture_promote(actor=member.actor, capture=capture, spans=[])
    services.capture_delete(actor=member.actor, capture=capture)
    assert not Capture.objects.exists()
    assert Workflow.objects.filter(pk=workflow.pk).exists()


def test_promote_with_a_selected_span_makes_a_private_draft_prompt(member):
    capture = make_capture(
        member,
        negative_constraints="No emojis",
        manual_edits="The first line",
        minutes_before=45,
        minutes_after=10,
        context_text="Our voice: plain words.",
    )
    workflow, _preview = services.capture_promote(
        actor=member.actor, capture=capture, spans=[Span("Huddle", "product", 0)]
    )
    assert (workflow.kind, workflow.visibility, workflow.status) == ("prompt", "private", "draft")
    assert workflow.owner == member.user
    assert workflow.title == capture.title
    assert workflow.summary == capture.goal
    version = latest_version(workflow)
    assert version.steps == [
        {
            "name": "step_1",
            "template": "Write a LinkedIn post announcing {{ product }} to marketing leaders.",
        }
    ]
    assert version.inputs[0]["name"] == "product"
    assert version.inputs[0]["default"] == "Huddle"
    assert (version.negative_constraints, version.manual_edits, version.baseline_minutes) == (
        "No emojis", "The first line", 45,
    )  # fmt: skip
    assert version.system == "Our voice: plain words."
    capture.refresh_from_db()
    assert capture.promoted_to == workflow
    assert Event.objects.filter(kind="capture.promoted").exists()
    rendered = render_version(member.actor, version, {"product": "Rituals"})
    assert (
        rendered.steps[0].text == "Write a LinkedIn post announcing Rituals to marketing leaders."
    )


def test_promote_infers_inputs_from_examples_in_a_chain(member):
    capture = make_capture(member, steps=[TWO_EXAMPLES, "Now make it shorter. No {{hashtags}}."])
    workflow, preview = services.capture_promote(actor=member.actor, capture=capture, spans=[])
    assert workflow.kind == "chain"
    content = content_of(latest_version(workflow))
    assert (
        content.steps[0].template
        == "Write a LinkedIn post about our {{ topic }} for {{ audience }}"
    )
    assert [(i.name, i.default) for i in content.inputs] == [
        ("topic", "new CRM"),
        ("audience", "CFOs"),
    ]
    assert preview.input_origins == {"topic": "examples", "audience": "examples"}
    rendered = render_version(
        member.actor, latest_version(workflow), {"topic": "X", "audience": "Y"}
    )
    assert rendered.steps[1].text == "Now make it shorter. No {{hashtags}}."


def test_promote_with_braces_in_the_typed_prompt_never_breaks(member):
    typed = "Fill in {{customer_name}} and {% keep %} this {# too"
    capture = make_capture(member, steps=[typed])
    workflow, _ = services.capture_promote(actor=member.actor, capture=capture, spans=[])
    version = latest_version(workflow)
    assert version.inputs == []
    assert render_version(member.actor, version, {}).steps[0].text == typed


def test_bad_spans_fail_promotion_by_field_and_write_nothing(member):
    capture = make_capture(member)
    with pytest.raises(ValidationFailed) as caught:
        services.capture_promote(
            actor=member.actor,
            capture=capture,
            spans=[Span("Not there", "x", 0), Span("Huddle", "steps", 0)],
        )
    assert set(caught.value.fields) == {"spans.0", "spans.1"}
    assert not Workflow.objects.exists()


def test_unknown_context_links_are_listed_not_fatal(member):
    capture = make_capture(member, context_slugs=["brand_voice"])
    workflow, preview = services.capture_promote(actor=member.actor, capture=capture, spans=[])
    assert preview.context_to_attach == ["brand_voice"]
    assert latest_version(workflow).context_refs == []


def test_promoting_again_makes_a_new_workflow(member):
    capture = make_capture(member)
    first, _ = services.capture_promote(actor=member.actor, capture=capture, spans=[])
    second, _ = services.capture_promote(
        actor=member.actor, capture=capture, spans=[], title="Take 2"
    )
    assert first != second
    assert second.title == "Take 2"
    capture.refresh_from_db()
    assert capture.promoted_to == second


def test_preview_saves_nothing_and_reports_problems(member):
    capture = make_capture(member)
    preview = services.promote_preview(capture, [Span("zzz", "x", 0)], actor=member.actor)
    assert "spans.0" in preview.problems
    assert preview.as_data()["steps"][0]["template"].startswith("Write a LinkedIn post")
    assert not Workflow.objects.exists()
