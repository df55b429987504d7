"""Creating, versioning and approving assets; per-kind validation and rendering; the resolver."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huddle.accounts.models import Visibility
from huddle.context import services
from huddle.context.models import ContextAsset, ContextVersion, Status
from huddle.context.resolve import ContextRef, context_blocks_for, context_slugs_visible
from huddle.context.services import Upload
from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from huddle.core.models import Event
from tests.context.helpers import CAMPAIGN_CSV, make_asset, pdf_bytes
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


# --- status and approval ---------------------------------------------------------------------


def test_editor_asset_starts_approved_member_asset_starts_draft(editor, member):
    by_editor = make_asset(editor, slug="brand_voice")
    by_member = make_asset(member, slug="member_brand")
    assert by_editor.status == Status.APPROVED
    assert by_editor.approved_version.number == 1
    assert by_member.status == Status.DRAFT
    assert by_member.approved_version is None
    assert Event.objects.filter(kind="context.created").count() == 2


def test_editor_may_save_as_draft(editor):
    asset = make_asset(editor, draft=True)
    assert asset.status == Status.DRAFT


def test_viewer_cannot_create(viewer):
    with pytest.raises(PermissionDenied):
        make_asset(viewer)


def test_member_cannot_approve_editor_can(member, editor):
    asset = make_asset(member, slug="persona_x", kind="persona")
    with pytest.raises(PermissionDenied):
        services.asset_approve(actor=member.actor, asset=asset)
    services.asset_approve(actor=editor.actor, asset=asset)
    asset.refresh_from_db()
    assert asset.status == Status.APPROVED
    assert asset.approved_version.number == 1


def test_members_new_version_waits_while_the_approved_one_stays_in_use(member, editor):
    asset = make_asset(member, kind="other", slug="notes")
    services.asset_approve(actor=editor.actor, asset=asset)
    services.asset_update(actor=member.actor, asset=asset, data={"text": "Changed by member"})
    asset.refresh_from_db()
    assert asset.latest_number == 2
    assert asset.approved_version.number == 1
    block = context_blocks_for(editor.actor, [ContextRef("notes")])["notes"]
    assert block.version == 1
    assert "Anything" in block.text
    services.asset_approve(actor=editor.actor, asset=asset)
    block = context_blocks_for(editor.actor, [ContextRef("notes")])["notes"]
    assert (block.version, "Changed by member" in block.text) == (2, True)


def test_only_owner_or_editor_can_edit(member, editor, owner):
    asset = make_asset(editor, kind="other", slug="notes")
    with pytest.raises(PermissionDenied):
        services.asset_update(actor=member.actor, asset=asset, data={"text": "x"})
    version = services.asset_update(actor=owner.actor, asset=asset, data={"text": "by owner"})
    assert version.number == 2


def test_versions_are_immutable(editor):
    asset = make_asset(editor)
    version = asset.approved_version
    version.changelog = "rewritten history"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    assert ContextVersion.objects.get(pk=version.pk).changelog == "First version."


def test_archived_asset_stops_resolving_and_cannot_be_edited(editor):
    asset = make_asset(editor)
    services.asset_archive(actor=editor.actor, asset=asset)
    with pytest.raises(HuddleError, match="'brand_voice' does not exist"):
        context_blocks_for(editor.actor, [ContextRef("brand_voice")])
    with pytest.raises(ValidationFailed, match="archived"):
        services.asset_update(actor=editor.actor, asset=asset, data={"voice": "x"})
    services.asset_restore(actor=editor.actor, asset=asset)
    assert context_blocks_for(editor.actor, [ContextRef("brand_voice")])


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["Brand", "1brand", "brand-voice", "brand voice", "", "a" * 51])
def test_slugs_must_work_as_template_identifiers(editor, slug):
    with pytest.raises(ValidationFailed) as caught:
        make_asset(editor, slug=slug)
    assert "slug" in caught.value.fields


def test_slug_is_unique_per_organisation_only(editor, outsider):
    make_asset(editor)
    with pytest.raises(ValidationFailed, match="already a context asset 'brand_voice'"):
        make_asset(editor)
    assert make_asset(outsider).organization == outsider.org


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("brand", {}, "voice"),
        ("persona", {"goals": "x"}, "role"),
        ("messaging", {"pillars": [{"name": "A"}]}, "positioning"),
        ("messaging", {"positioning": "P", "pillars": [{"proof_points": ["x"]}]}, "pillars"),
        ("glossary", {"terms": [{"term": "synergy", "kind": "banned"}]}, "terms"),
        ("glossary", {"terms": [{"term": "x", "kind": "slang"}]}, "terms"),
        ("glossary", {"terms": []}, "terms"),
        ("other", {"text": "  "}, "text"),
        ("persona", {"role": "r", "goals": ["x" * 1001]}, "goals"),
    ],
)
def test_each_kind_validates_its_shape(editor, kind, data, field):
    with pytest.raises(ValidationFailed) as caught:
        make_asset(editor, kind=kind, slug="thing", data=data)
    assert field in caught.value.fields
    assert not ContextAsset.objects.exists()


def test_campaign_data_needs_a_table(editor):
    with pytest.raises(ValidationFailed, match="needs a CSV or XLSX"):
        make_asset(editor, kind="campaign_data", slug="q3", upload=None)


def test_bad_upload_leaves_nothing_half_saved(editor):
    asset = make_asset(editor, kind="campaign_data", slug="q3_results")
    ragged = Upload("q4.csv", CAMPAIGN_CSV.encode() + b"1,2\n")
    with pytest.raises(ValidationFailed, match="Row 6"):
        services.asset_update(actor=editor.actor, asset=asset, upload=ragged)
    with pytest.raises(ValidationFailed):
        make_asset(editor, kind="campaign_data", slug="q4_results", upload=ragged)
    asset.refresh_from_db()
    assert asset.latest_number == 1
    assert ContextVersion.objects.count() == 1
    assert list(ContextAsset.objects.values_list("slug", flat=True)) == ["q3_results"]


# --- rendering per kind ----------------------------------------------------------------------


def test_brand_renders_sections_and_parts(editor):
    make_asset(editor, title="Acme voice")
    block = context_blocks_for(editor.actor, [ContextRef("brand_voice")])["brand_voice"]
    assert block.text.startswith("# Acme voice\n\n## Voice and tone\n\nPlain, warm")
    assert block["do"] == "- Use short sentences\n- Say 'you'"
    assert block["dont"] == "- Use jargon"
    assert str(block) == block.text == block["text"]
    with pytest.raises(KeyError):
        block["goals"]


def test_persona_parts(editor):
    make_asset(editor, kind="persona", slug="persona_cmo", title="The CMO")
    block = context_blocks_for(editor.actor, [ContextRef("persona_cmo")])["persona_cmo"]
    assert block["role"] == "CMO at a 200-person SaaS"
    assert block["goals"] == "- Pipeline growth\n- Brand trust"
    assert "## In their words\n\n- Show me the numbers." in block.text


def test_messaging_renders_a_tree(editor):
    make_asset(editor, kind="messaging", slug="messaging")
    block = context_blocks_for(editor.actor, [ContextRef("messaging")])["messaging"]
    assert block["pillars"] == (
        "- Faster\n  - Saves 3 hours a week\n- Safer\n  - Self-hosted\n  - Audit log"
    )
    assert block["positioning"] == "The team's AI know-how, shared."


def test_glossary_renders_preferred_banned_and_products(editor):
    make_asset(editor, kind="glossary", slug="glossary")
    block = context_blocks_for(editor.actor, [ContextRef("glossary")])["glossary"]
    assert block["banned"] == "- leverage → use"
    assert block["products"] == "- Huddle"
    assert block["preferred"] == "- customers (not users)"


def test_campaign_data_gives_the_summary_by_default_and_the_table_on_request(editor):
    make_asset(editor, kind="campaign_data", slug="q3_results", title="Q3 results")
    block = context_blocks_for(editor.actor, [ContextRef("q3_results")])["q3_results"]
    assert block.text == block["summary"]
    assert "Campaign results: 4 rows, 2026-07-01 to 2026-09-30." in block.text
    assert "| Email | 2,000 | 80 | 200.00 | 10 | 3 | 4.00% | 20.00 | 3.75% |" in block.text
    assert block["table"].splitlines()[0] == (
        "| date | channel | campaign | impressions | clicks | spend | leads | conversions |"
    )
    assert "| 2026-07-01 | Email | Launch | 1000 | 50 | 100 | 5 | 2 |" in block["table"]


def test_large_table_part_is_capped(editor):
    rows = "".join(f"2026-07-01,Email,K{i},10,1,1,1,0\n" for i in range(300))
    head = CAMPAIGN_CSV.splitlines()[0] + "\n"
    make_asset(
        editor, kind="campaign_data", slug="big", upload=Upload("b.csv", (head + rows).encode())
    )
    table = context_blocks_for(editor.actor, [ContextRef("big")])["big"]["table"]
    assert table.count("\n| 2026-07-01") == 100
    assert table.endswith("(200 more rows not shown; 300 in all.)")


def test_uploaded_documents_become_brand_or_other_text(editor):
    make_asset(editor, slug="guide", upload=Upload("guide.pdf", pdf_bytes("Warm and brief")))
    make_asset(editor, kind="other", slug="memo", upload=Upload("memo.md", b"# Memo\nHello"))
    blocks = context_blocks_for(editor.actor, [ContextRef("guide"), ContextRef("memo")])
    assert "Warm and brief" in blocks["guide"]["voice"]
    assert blocks["memo"].text.endswith("# Memo\nHello")


def test_glossary_from_csv(editor):
    csv = b"term,kind,replacement\nsynergy,banned,teamwork\n"
    make_asset(editor, kind="glossary", slug="glossary", upload=Upload("g.csv", csv), data=None)
    block = context_blocks_for(editor.actor, [ContextRef("glossary")])["glossary"]
    assert block["banned"] == "- synergy → teamwork"


# --- the reference-rights rule ---------------------------------------------------------------


def test_reference_to_invisible_asset_is_an_error_naming_the_slug(editor, member, org):
    make_asset(editor, slug="secret_plan", visibility=Visibility.PRIVATE)
    with pytest.raises(HuddleError) as caught:
        context_blocks_for(member.actor, [ContextRef("secret_plan")])
    error = caught.value
    assert (error.code, error.status) == ("context_not_found", 422)
    assert error.message == "Context 'secret_plan' does not exist or you can't see it."
    assert error.fields == {"context": ["secret_plan"]}
    with pytest.raises(HuddleError) as missing:
        context_blocks_for(member.actor, [ContextRef("no_such_thing")])
    assert missing.value.message == "Context 'no_such_thing' does not exist or you can't see it."
    assert context_blocks_for(editor.actor, [ContextRef("secret_plan")])


def test_team_visibility(editor, member, org):
    team = TeamFactory(organization=org)
    make_asset(editor, slug="social_voice", visibility=Visibility.TEAM, team=team)
    with pytest.raises(HuddleError):
        context_blocks_for(member.actor, [ContextRef("social_voice")])
    member.membership.teams.add(team)
    assert context_blocks_for(member.actor, [ContextRef("social_voice")])


def test_other_organisations_assets_never_resolve(editor, outsider):
    make_asset(editor)
    with pytest.raises(HuddleError, match="'brand_voice' does not exist"):
        context_blocks_for(outsider.actor, [ContextRef("brand_voice")])


def test_draft_only_asset_does_not_resolve_even_for_its_owner(member):
    make_asset(member, kind="other", slug="draft_notes")
    with pytest.raises(HuddleError, match="'draft_notes' does not exist"):
        context_blocks_for(member.actor, [ContextRef("draft_notes")])
    assert "draft_notes" not in context_slugs_visible(member.actor)


def test_exact_version_pins(editor):
    asset = make_asset(editor, kind="other", slug="notes")
    services.asset_update(actor=editor.actor, asset=asset, data={"text": "Second"})
    blocks = context_blocks_for(editor.actor, [ContextRef("notes", 1)])
    assert (blocks["notes"].version, "Anything" in blocks["notes"].text) == (1, True)
    assert context_blocks_for(editor.actor, [ContextRef("notes")])["notes"].version == 2
    with pytest.raises(HuddleError) as caught:
        context_blocks_for(editor.actor, [ContextRef("notes", 9)])
    assert caught.value.message == "Context 'notes' version 9 does not exist or you can't see it."


def test_resolving_five_references_takes_one_query(editor):
    slugs = ["brand_voice", "persona_cmo", "messaging", "glossary", "q3_results"]
    kinds = ["brand", "persona", "messaging", "glossary", "campaign_data"]
    for slug, kind in zip(slugs, kinds, strict=True):
        make_asset(editor, kind=kind, slug=slug)
    actor = editor.actor
    with CaptureQueriesContext(connection) as queries:
        blocks = context_blocks_for(actor, [ContextRef(s) for s in slugs])
    assert len(queries) == 1
    assert sorted(blocks) == sorted(slugs)
    assert context_slugs_visible(actor) == set(slugs)


def test_sharing_and_archive_need_edit_rights(editor, member):
    asset = make_asset(editor)
    with pytest.raises(PermissionDenied):
        services.asset_archive(actor=member.actor, asset=asset)
    private = make_asset(editor, slug="private_one", visibility=Visibility.PRIVATE)
    with pytest.raises(NotFound):
        services.asset_set_sharing(
            actor=member.actor, asset=private, visibility=Visibility.ORG, team=None
        )


def test_demo_context_is_loaded_once_with_the_agreed_slugs(db):
    from huddle.context.models import ContextPack
    from huddle.demo import load_demo

    load_demo()
    load_demo()
    slugs = set(ContextAsset.objects.values_list("slug", flat=True))
    assert slugs == {
        "brand_voice",
        "persona_cmo",
        "persona_ops_manager",
        "persona_founder",
        "glossary",
        "messaging",
        "q3_results",
    }
    assert ContextVersion.objects.count() == 7
    q3 = ContextAsset.objects.get(slug="q3_results")
    assert q3.status == Status.APPROVED
    assert q3.approved_version.row_count == 500
    assert q3.approved_version.data["summary"]["date_from"] >= "2026-07-01"
    assert ContextPack.objects.get().name == "Brand basics"
