"""Workflows meet context: references, rights, the assembly preview, and "where it's used"."""

from __future__ import annotations

import pytest

from huddle.context import services as context_services
from huddle.core.errors import HuddleError, ValidationFailed
from huddle.library import services
from huddle.library.assembly import assemble
from huddle.library.rendering import render_version
from tests.context.helpers import make_asset
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


def test_a_workflow_pulls_context_in_by_reference(editor, member):
    make_asset(editor, "brand", "brand_voice")
    workflow = make_workflow(
        editor,
        visibility="org",
        steps=["Write about {{ product }} in our voice:\n{{ context.brand_voice }}"],
    )
    version = services.latest_version(workflow)
    assert version.context_refs == [{"slug": "brand_voice", "version": None}]
    rendered = render_version(member.actor, version, {"product": "Huddle"})
    assert "Plain, warm and **confident**." in rendered.steps[0].text


def test_per_kind_attributes_render(editor):
    make_asset(editor, "campaign_data", "q3_results")
    workflow = make_workflow(
        editor, steps=["{{ context.q3_results.table }}\n---\n{{ context.q3_results }}"], inputs=[]
    )
    text = render_version(editor.actor, services.latest_version(workflow), {}).steps[0].text
    table, summary = text.split("\n---\n")
    assert "| date" in table or "| Date" in table
    assert "Launch" in summary


def test_unknown_attribute_is_a_clear_error(editor):
    make_asset(editor, "brand", "brand_voice")
    workflow = make_workflow(editor, steps=["{{ context.brand_voice.nonsense }}"], inputs=[])
    with pytest.raises(ValidationFailed, match="nonsense"):
        render_version(editor.actor, services.latest_version(workflow), {})


def test_a_reference_the_renderer_may_not_see_is_an_error_naming_the_slug(editor, member):
    asset = make_asset(editor, "persona", "persona_cmo")
    workflow = make_workflow(
        editor, visibility="org", steps=["For {{ context.persona_cmo }}"], inputs=[]
    )
    context_services.asset_set_sharing(
        actor=editor.actor, asset=asset, visibility="private", team=None
    )
    with pytest.raises(HuddleError) as error:
        render_version(member.actor, services.latest_version(workflow), {})
    assert error.value.message == "Context 'persona_cmo' does not exist or you can't see it."


def test_pinned_versions_render_that_version(editor):
    asset = make_asset(editor, "other", "notes", data={"text": "first"})
    context_services.asset_update(actor=editor.actor, asset=asset, data={"text": "second"})
    workflow = make_workflow(
        editor,
        steps=["{{ context.notes }}"],
        inputs=[],
        content={"context_refs": [{"slug": "notes", "version": 1}]},
    )
    text = render_version(editor.actor, services.latest_version(workflow), {}).steps[0].text
    assert text.strip().endswith("first")
    assert "second" not in text


def test_assembly_marks_blocks_and_counts_tokens(editor):
    make_asset(editor, "brand", "brand_voice")
    make_asset(editor, "campaign_data", "q3_results")
    workflow = make_workflow(
        editor,
        steps=[
            "Report for {{ product }}.\n{{ context.q3_results.table }}\n{{ context.brand_voice }}"
        ],
    )
    assembly = assemble(editor.actor, services.latest_version(workflow), {"product": "Huddle"})
    segments = assembly.parts[0].segments
    assert [s.context for s in segments if s.context] == ["q3_results.table", "brand_voice"]
    assert segments[0].text == "Report for Huddle.\n"
    assert all(s.tokens > 0 for s in segments if s.text.strip())
    assert assembly.report.total == sum(b.tokens for b in assembly.report.blocks)
    assert not assembly.report.over
    assert "\ue000" not in "".join(s.text for s in segments)


def test_over_budget_advice_offers_the_summary_instead_of_the_table(editor):
    make_asset(editor, "campaign_data", "q3_results")
    big = "word " * 9000
    workflow = make_workflow(
        editor,
        steps=["{{ notes }}\n{{ context.q3_results.table }}"],
        inputs=[{"name": "notes", "type": "long_text"}],
    )
    assembly = assemble(
        editor.actor, services.latest_version(workflow), {"notes": big[:49000]}, budget="8k"
    )
    assert assembly.report.over
    assert assembly.report.advice[0].action in {"use_summary", "trim"}
    assert any("Trim" in a.message or "summary" in a.message for a in assembly.report.advice)


def test_assembly_page_shows_marked_blocks(editor, member, login):
    make_asset(editor, "brand", "brand_voice")
    workflow = make_workflow(
        editor, visibility="org", steps=["About {{ product }}:\n{{ context.brand_voice }}"]
    )
    client = login(member)
    page = client.get(f"/o/acme/library/{workflow.slug}/assembly/")
    assert page.status_code == 200
    response = client.post(
        f"/o/acme/library/{workflow.slug}/assembly/", {"in_product": "Huddle", "budget": "8k"}
    )
    assert b'<mark class="ctx"' in response.content
    assert b"context.brand_voice" in response.content
    assert b"tokens of 8192" in response.content


def test_asset_page_lists_the_workflows_that_use_it(editor, member, login):
    asset = make_asset(editor, "brand", "brand_voice")
    make_workflow(
        editor,
        title="Voice check",
        visibility="org",
        steps=["{{ context.brand_voice }} {{ product }}"],
    )
    make_workflow(editor, title="Private user", steps=["{{ context.brand_voice }} {{ product }}"])
    make_workflow(editor, title="Unrelated", visibility="org")
    page = login(member).get(f"/o/acme/context/{asset.public_id}/")
    assert b"Voice check" in page.content
    assert b"Private user" not in page.content
    assert b"Unrelated" not in page.content
