"""Resources: the context a member may use in templates, packs, and templates for parts and
rendered prompts; everything else is not found."""

from __future__ import annotations

import pytest

from huddle.context import pack_services
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.mcp import resources
from huddle.runs.models import Run
from tests.context.helpers import make_asset
from tests.mcp.helpers import small_library


@pytest.fixture
def library(editor, member):
    return small_library(editor, member)


def text_of(actor, uri: str) -> str:
    [content] = resources.read_resource(actor, uri).contents
    return content.text


def test_members_see_the_context_they_may_use_and_the_packs(library, editor, member, outsider):
    pack_services.pack_create(
        actor=editor.actor, organization=editor.org, name="Basics", assets=[library["voice"]]
    )
    listed = {r.uri: r for r in resources.list_resources(member.actor).resources}
    assert "huddle://acme/context/brand_voice" in listed
    [pack] = [uri for uri in listed if "/packs/" in uri]
    assert "Plain words, short sentences." in text_of(member.actor, pack)
    assert "Plain words" in text_of(member.actor, "huddle://acme/context/brand_voice")
    assert resources.list_resources(outsider.actor).resources == []


def test_campaign_data_offers_its_summary_and_its_table(editor, member):
    asset = make_asset(editor, kind="campaign_data", slug="q3_results")
    uris = [r.uri for r in resources.list_resources(member.actor).resources]
    base = f"huddle://acme/context/{asset.slug}"
    assert [base, f"{base}/table"] == [u for u in uris if u.startswith(base)]
    assert "| Paid social |" in text_of(member.actor, f"{base}/table")
    assert text_of(member.actor, base) == text_of(member.actor, f"{base}/summary")


def test_an_unknown_part_lists_the_parts(library, member):
    with pytest.raises(ValidationFailed, match="brand_voice has no part 'goals'; it has text"):
        text_of(member.actor, "huddle://acme/context/brand_voice/goals")


def test_the_prompt_template_renders_with_query_inputs_and_records_no_run(library, member):
    uri = f"huddle://acme/workflows/{library['launch'].slug}/prompt?product=Widget+2"
    assert text_of(member.actor, uri).endswith("Write about Widget 2.")
    assert not Run.objects.exists()
    [context, prompt] = resources.list_templates(member.actor).resource_templates
    assert prompt.uri_template == "huddle://acme/workflows/{slug}/prompt{?inputs*}"
    assert context.uri_template == "huddle://acme/context/{slug}/{part}"


@pytest.mark.parametrize(
    "uri",
    [
        "huddle://globex/context/brand_voice",
        "https://acme/context/brand_voice",
        "huddle://acme/context/nope",
        "huddle://acme/workflows/nope/prompt",
        "huddle://acme/packs/not-an-id",
        "huddle://acme/elsewhere",
    ],
)
def test_anything_else_is_not_found(library, member, uri):
    with pytest.raises(HuddleError) as caught:
        text_of(member.actor, uri)
    assert caught.value.status in (404, 422)
    assert isinstance(caught.value, NotFound) or caught.value.code == "context_not_found"


def test_another_organisations_member_reads_nothing_even_naming_it_right(library, outsider):
    with pytest.raises(NotFound):
        text_of(outsider.actor, "huddle://acme/context/brand_voice")
    with pytest.raises(HuddleError, match="does not exist or you can't see it"):
        text_of(outsider.actor, "huddle://globex/context/brand_voice")
