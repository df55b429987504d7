"""Context pages: what each role sees and may do; outsiders get 404 everywhere."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huddle.accounts.models import Visibility
from huddle.context import pack_services
from huddle.context.models import ContextAsset, ContextVersion, Status, UploadJob
from tests.context.helpers import CAMPAIGN_CSV, make_asset
from tests.imports.conftest import work

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(name, args=["acme", *args])


@pytest.fixture
def assets(editor):
    return {
        "brand": make_asset(editor, kind="brand", slug="brand_voice"),
        "campaign": make_asset(editor, kind="campaign_data", slug="q3_results", title="Q3"),
    }


@pytest.fixture
def pack(editor, assets):
    return pack_services.pack_create(
        actor=editor.actor,
        organization=editor.org,
        name="Brand basics",
        assets=[assets["brand"], assets["campaign"]],
    )


def all_get_urls(assets, pack) -> list[str]:
    brand, campaign = assets["brand"].public_id, assets["campaign"].public_id
    return [
        url("context_index"),
        url("context_new", "brand"),
        url("context_asset", brand),
        url("context_edit", brand),
        url("context_versions", brand),
        url("context_preview", brand),
        url("context_table_csv", campaign),
        url("context_packs"),
        url("context_pack", pack.public_id),
        url("context_pack_download", pack.public_id, "md"),
        url("context_pack_download", pack.public_id, "zip"),
    ]


def test_outsider_gets_404_on_every_page_and_action(login, outsider, assets, pack):
    client = login(outsider)
    for address in all_get_urls(assets, pack):
        assert client.get(address).status_code == 404, address
    brand = assets["brand"].public_id
    for address in [
        url("context_approve", brand),
        url("context_archive", brand),
        url("context_sharing", brand),
        url("context_pack", pack.public_id),
        url("context_pack_delete", pack.public_id),
    ]:
        assert client.post(address).status_code == 404, address
    assert ContextAsset.objects.filter(status=Status.APPROVED).count() == 2


def test_anonymous_is_sent_to_log_in(client, assets):
    response = client.get(url("context_index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_every_page_renders_for_the_editor(login, editor, assets, pack):
    client = login(editor)
    for address in all_get_urls(assets, pack):
        assert client.get(address).status_code == 200, address


def test_viewer_reads_but_cannot_create_edit_or_approve(login, viewer, assets):
    client = login(viewer)
    page = client.get(url("context_index")).content.decode()
    assert "Q3" in page
    assert "Add context" not in page
    brand = assets["brand"].public_id
    assert client.get(url("context_new", "brand")).status_code == 403
    assert client.get(url("context_edit", brand)).status_code == 403
    assert client.post(url("context_approve", brand)).status_code == 403
    assert client.post(url("context_archive", brand)).status_code == 403


def test_private_asset_is_404_for_other_members(login, editor, member):
    private = make_asset(editor, slug="private_plan", visibility=Visibility.PRIVATE)
    client = login(member)
    assert client.get(url("context_asset", private.public_id)).status_code == 404
    assert "private_plan" not in client.get(url("context_index")).content.decode()


def test_index_filters_by_kind(login, editor, assets):
    page = login(editor).get(url("context_index") + "?kind=campaign_data").content.decode()
    assert "q3_results" in page
    assert "brand_voice" not in page


def test_member_creates_a_persona_as_a_draft_and_an_editor_approves_it(login, member, editor):
    client = login(member)
    response = client.post(
        url("context_new", "persona"),
        {
            "title": "The CMO",
            "slug": "persona_cmo",
            "visibility": "org",
            "role": "CMO",
            "goals": "Growth\nTrust",
        },
    )
    asset = ContextAsset.objects.get(slug="persona_cmo")
    assert response.status_code == 302
    assert asset.status == Status.DRAFT
    page = client.get(response["Location"]).content.decode()
    assert "saved as a draft" in page
    assert "<li>Growth</li>" in page
    login(editor).post(url("context_approve", asset.public_id))
    asset.refresh_from_db()
    assert asset.status == Status.APPROVED


def test_form_errors_show_on_the_field(login, editor):
    response = login(editor).post(
        url("context_new", "brand"),
        {"title": "Voice", "slug": "Bad-Slug", "visibility": "org", "voice": "x"},
    )
    assert response.status_code == 200
    assert "is not a valid context slug" in response.content.decode() or (
        "lowercase letters, digits and underscores" in response.content.decode()
    )
    assert not ContextAsset.objects.exists()


def _upload_then_work(client, path: str, data: dict, capture) -> tuple[UploadJob, str]:
    """Post an upload, check it is queued with a polling page, run the worker: the job and
    the job page's URL."""
    with capture(execute=True):
        response = client.post(path, data)
    job = UploadJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("context_upload_job", job.public_id)
    assert b'hx-trigger="every 1s"' in client.get(response["Location"]).content
    assert work() == 1
    job.refresh_from_db()
    return job, response["Location"]


def test_upload_campaign_csv_shows_summary_and_preview(
    login, editor, django_capture_on_commit_callbacks
):
    client = login(editor)
    upload = SimpleUploadedFile("q3.csv", CAMPAIGN_CSV.encode(), content_type="text/csv")
    job, job_page = _upload_then_work(
        client,
        url("context_new", "campaign_data"),
        {"title": "Q3 results", "slug": "q3_results", "visibility": "org", "file": upload},
        django_capture_on_commit_callbacks,
    )
    assert job.status == "done", job.error
    done = client.get(job_page).content.decode()
    assert "Q3 results is saved" in done
    assert "every 1s" not in done
    page = client.get(url("context_asset", job.asset.public_id)).content.decode()
    assert "4 rows, 2026-07-01 to 2026-09-30" in page
    assert "Paid social" in page
    assert "4.00%" in page  # email CTR
    assert "Download the whole table" in page


def test_ragged_csv_upload_says_which_row_and_saves_nothing(
    login, editor, django_capture_on_commit_callbacks
):
    client = login(editor)
    upload = SimpleUploadedFile("q3.csv", CAMPAIGN_CSV.encode() + b"x,y\n")
    job, job_page = _upload_then_work(
        client,
        url("context_new", "campaign_data"),
        {"title": "Q3", "slug": "q3_results", "visibility": "org", "file": upload},
        django_capture_on_commit_callbacks,
    )
    assert job.status == "failed"
    page = client.get(job_page).content.decode()
    assert "Row 6 has 2 values" in page
    assert 'href="/o/acme/context/new/campaign_data/"' in page  # try again
    assert not ContextAsset.objects.exists()


def test_a_100mb_upload_is_refused_before_it_is_read(settings):
    """The handler stops at the first chunk of a body announced as 100 MB."""
    from django.core.handlers.wsgi import WSGIRequest
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    from huddle.core.errors import HuddleError
    from huddle.core.uploads import refuse_if_too_large

    settings.HUDDLE_MAX_UPLOAD_MB = 20
    upload = SimpleUploadedFile("huge.csv", b"date,clicks\n" + b"2026-07-01,1\n" * 200_000)
    body = encode_multipart(BOUNDARY, {"csrfmiddlewaretoken": "x", "file": upload})

    class Counting(io.BytesIO):
        taken = 0

        def read(self, size=-1):
            chunk = super().read(size)
            Counting.taken += len(chunk)
            return chunk

    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "wsgi.input": Counting(body),
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "CONTENT_LENGTH": str(100 * 1024 * 1024),
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
        }
    )
    with pytest.raises(HuddleError) as caught:
        refuse_if_too_large(request)
    assert caught.value.status == 413
    assert caught.value.message == "The upload is 100.0 MB; uploads are limited to 20 MB."
    assert Counting.taken < len(body) / 4
    assert request.POST["csrfmiddlewaretoken"] == "x"


def test_an_upload_over_the_cap_is_refused(login, editor, settings):
    settings.HUDDLE_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("big.csv", b"date,clicks\n" + b"2026-07-01,1\n" * 90_000)
    response = login(editor).post(
        url("context_new", "campaign_data"),
        {"title": "Q3", "slug": "q3_results", "visibility": "org", "file": upload},
        follow=True,
    )
    assert "uploads are limited to 1 MB" in response.content.decode()
    assert not ContextAsset.objects.exists()


def test_edit_makes_a_new_version_and_history_lists_both(login, editor, assets):
    brand = assets["brand"]
    client = login(editor)
    response = client.post(
        url("context_edit", brand.public_id),
        {"title": "Brand voice", "voice": "Bolder now.", "changelog": "Bolder"},
    )
    assert response.status_code == 302
    assert ContextVersion.objects.filter(asset=brand).count() == 2
    history = client.get(url("context_versions", brand.public_id)).content.decode()
    assert "Bolder" in history
    assert "First version." in history
    old = client.get(url("context_asset", brand.public_id) + "?version=1").content.decode()
    assert "Plain, warm" in old


def test_edit_form_shows_the_current_content(login, editor):
    asset = make_asset(editor, kind="messaging", slug="messaging")
    page = login(editor).get(url("context_edit", asset.public_id)).content.decode()
    assert "Faster\n- Saves 3 hours a week\nSafer" in page


def test_messaging_outline_is_saved_as_a_tree(login, editor):
    login(editor).post(
        url("context_new", "messaging"),
        {
            "title": "Messaging",
            "slug": "messaging",
            "visibility": "org",
            "positioning": "Shared know-how.",
            "pillars": "Faster\n- 3 hours saved\nSafer\n- Self-hosted",
        },
    )
    data = ContextAsset.objects.get(slug="messaging").approved_version.data
    assert data["pillars"] == [
        {"name": "Faster", "proof_points": ["3 hours saved"]},
        {"name": "Safer", "proof_points": ["Self-hosted"]},
    ]


def test_glossary_lines_are_saved(login, editor):
    login(editor).post(
        url("context_new", "glossary"),
        {
            "title": "Glossary",
            "slug": "glossary",
            "visibility": "org",
            "preferred": "customers | users",
            "banned": "leverage → use",
            "products": "Huddle",
        },
    )
    terms = ContextAsset.objects.get(slug="glossary").approved_version.data["terms"]
    assert {"term": "leverage", "kind": "banned", "replacement": "use"} in terms


def test_markdown_is_sanitised_on_the_page(login, editor):
    asset = make_asset(
        editor,
        kind="other",
        slug="notes",
        data={"text": "<script>alert(1)</script> [x](javascript:alert(1)) **bold**"},
    )
    page = login(editor).get(url("context_asset", asset.public_id)).content.decode()
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert "<strong>bold</strong>" in page


def test_preview_shows_token_counts_and_budget(login, editor, assets):
    page = login(editor).get(url("context_preview", assets["campaign"].public_id) + "?budget=8k")
    html = page.content.decode()
    assert "{{ context.q3_results.table }}" in html
    assert "tokens" in html
    assert "of a 8k budget (8192 tokens" in html


def test_archive_and_restore(login, editor, assets):
    brand = assets["brand"]
    client = login(editor)
    client.post(url("context_archive", brand.public_id))
    brand.refresh_from_db()
    assert brand.status == Status.ARCHIVED
    assert "brand_voice" not in client.get(url("context_index")).content.decode()
    client.post(url("context_archive", brand.public_id), {"restore": "1"})
    brand.refresh_from_db()
    assert brand.status == Status.APPROVED


def test_table_csv_download(login, editor, assets):
    response = login(editor).get(url("context_table_csv", assets["campaign"].public_id))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.decode().splitlines()[1].startswith("2026-07-01,Email,Launch")


def test_pack_create_and_export(login, editor, member, assets):
    client = login(editor)
    response = client.post(
        url("context_packs"),
        {"name": "Brand basics", "assets": [assets["brand"].pk, assets["campaign"].pk]},
    )
    assert response.status_code == 302
    page = client.get(response["Location"] + "?target=chatgpt").content.decode()
    assert "of 1500" in page
    markdown = client.get(response["Location"] + "export.md?target=chatgpt").content.decode()
    assert markdown.startswith("# Brand basics")
    assert "## Voice and tone" in markdown
    archive = zipfile.ZipFile(io.BytesIO(client.get(response["Location"] + "export.zip").content))
    assert "knowledge/q3_results.csv" in archive.namelist()


def test_pack_with_an_asset_the_member_cannot_see_names_it(login, editor, member, assets):
    private = make_asset(editor, slug="secret", visibility=Visibility.PRIVATE)
    pack = pack_services.pack_create(
        actor=editor.actor, organization=editor.org, name="Mixed", assets=[assets["brand"], private]
    )
    response = login(member).get(url("context_pack", pack.public_id), follow=True)
    assert "Context &#x27;secret&#x27; does not exist or you can&#x27;t see it." in (
        response.content.decode()
    )


def test_navigation_links_to_context(login, member):
    page = login(member).get(reverse("organization_home", args=["acme"])).content.decode()
    assert f'href="{url("context_index")}"' in page


def test_owner_of_an_asset_narrows_its_sharing_to_a_team(login, editor, member, org):
    from tests.factories import TeamFactory

    team = TeamFactory(organization=org, name="Social")
    asset = make_asset(editor, slug="social_voice")
    response = login(editor).post(
        url("context_sharing", asset.public_id), {"visibility": "team", "team": team.pk}
    )
    assert response.status_code == 302
    assert login(member).get(url("context_asset", asset.public_id)).status_code == 404
    assert (
        login(member)
        .post(url("context_sharing", asset.public_id), {"visibility": "org"})
        .status_code
        == 404
    )


def test_pack_is_edited_by_its_owner_only(login, editor, member, pack, assets):
    client = login(editor)
    response = client.post(
        url("context_pack", pack.public_id),
        {"name": "Just the brand", "assets": [assets["brand"].pk]},
    )
    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.name == "Just the brand"
    assert [i.asset.slug for i in pack.items.all()] == ["brand_voice"]
    forbidden = login(member).post(
        url("context_pack", pack.public_id), {"name": "Mine", "assets": [assets["brand"].pk]}
    )
    assert forbidden.status_code == 403


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("brand", ["Voice and tone", "<strong>confident</strong>", "<li>Use jargon</li>"]),
        ("persona", ["CMO at a 200-person SaaS", "<li>Too many tools</li>", "Show me the numbers"]),
        (
            "messaging",
            ["The team&#x27;s AI know-how", "<strong>Safer</strong>", "<li>Audit log</li>"],
        ),
        ("glossary", ["<td>leverage</td>", "banned", "<td>use</td>"]),
        ("other", ["<em>else</em>"]),
    ],
)
def test_each_kind_has_its_own_page(login, editor, kind, expected):
    asset = make_asset(editor, kind=kind, slug="thing")
    page = login(editor).get(url("context_asset", asset.public_id)).content.decode()
    for text in expected:
        assert text in page
    edit = login(editor).get(url("context_edit", asset.public_id))
    assert edit.status_code == 200


def test_approving_a_version_that_is_not_a_number_says_so_and_changes_nothing(
    login, member, editor
):
    asset = make_asset(member, kind="persona", slug="persona_cmo", draft=True)
    client = login(editor)
    response = client.post(
        url("context_approve", asset.public_id),
        {"version": "two"},
        headers={"referer": url("context_asset", asset.public_id)},
        follow=True,
    )
    asset.refresh_from_db()
    assert asset.status == Status.DRAFT
    assert "Choose a version to approve. Version: Enter a whole number." in (
        response.content.decode()
    )
