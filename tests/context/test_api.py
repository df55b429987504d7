"""``/api/v1/context``: CRUD, versions, uploads and renderings, with the token's rights."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huddle.accounts.models import Visibility
from huddle.context.models import ContextAsset, Status
from tests.context.helpers import CAMPAIGN_CSV, SAMPLE_DATA, make_asset
from tests.imports.conftest import work

pytestmark = pytest.mark.django_db
BASE = "/api/v1/context"


def test_list_shows_only_what_the_token_may_see_with_pagination(api_client, editor, member):
    make_asset(editor, slug="brand_voice")
    make_asset(editor, kind="persona", slug="persona_cmo")
    make_asset(editor, kind="other", slug="secret", visibility=Visibility.PRIVATE)
    client = api_client(member)
    first = client.get(BASE, {"limit": 1}).json()
    assert first["items"][0]["reference"] == "{{ context.brand_voice }}"
    second = client.get(BASE, {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [a["slug"] for a in second["items"]] == ["persona_cmo"]
    assert second["next_cursor"] is None
    assert api_client(member).get(BASE, {"kind": "persona"}).json()["items"][0]["slug"] == (
        "persona_cmo"
    )


def test_create_from_json_and_validation_errors(api_client, editor, member):
    response = api_client(editor).post(
        BASE,
        {"kind": "persona", "slug": "persona_cmo", "title": "CMO", "data": SAMPLE_DATA["persona"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    bad = api_client(editor).post(
        BASE,
        {"kind": "persona", "slug": "Persona", "title": "CMO", "data": {}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "slug" in bad.json()["error"]["fields"]
    drafted = api_client(member).post(
        BASE,
        {"kind": "other", "slug": "notes", "title": "Notes", "data": {"text": "hi"}},
        content_type="application/json",
    )
    assert drafted.json()["status"] == "draft"


def test_viewer_cannot_create(api_client, viewer):
    response = api_client(viewer).post(
        BASE,
        {"kind": "other", "slug": "notes", "title": "Notes", "data": {"text": "hi"}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def upload(client, capture, path: str, data: dict) -> tuple[dict, dict]:
    """POST an upload (202 with a queued job), run the worker, GET the job: both bodies."""
    with capture(execute=True):
        response = client.post(path, data)
    assert response.status_code == 202, response.content
    queued = response.json()
    assert (queued["status"], queued["percent"]) == ("queued", 0)
    assert work() == 1
    job = client.get(f"{BASE}/uploads/{queued['id']}")
    assert job.status_code == 200
    return queued, job.json()


def test_upload_a_campaign_csv_then_render_summary_and_table(
    api_client, editor, django_capture_on_commit_callbacks
):
    client = api_client(editor)
    queued, job = upload(
        client,
        django_capture_on_commit_callbacks,
        f"{BASE}/upload",
        {
            "kind": "campaign_data",
            "slug": "q3_results",
            "title": "Q3",
            "file": SimpleUploadedFile("q3.csv", CAMPAIGN_CSV.encode()),
        },
    )
    assert queued["asset"] is None
    assert (job["status"], job["percent"], job["version"]) == ("done", 100, 1)
    asset_id = job["asset"]["id"]
    assert job["asset"]["slug"] == "q3_results"
    rendered = client.get(f"{BASE}/{asset_id}/render").json()
    assert rendered["part"] == "text"
    assert "Campaign results: 4 rows" in rendered["text"]
    assert rendered["tokens"] > 50
    assert rendered["parts"] == ["summary", "table", "text"]
    table = client.get(f"{BASE}/{asset_id}/render", {"part": "table"}).json()
    assert table["text"].startswith("| date | channel |")
    unknown = client.get(f"{BASE}/{asset_id}/render", {"part": "goals"})
    assert unknown.status_code == 422


def test_bad_upload_says_where(api_client, editor, django_capture_on_commit_callbacks):
    _queued, job = upload(
        api_client(editor),
        django_capture_on_commit_callbacks,
        f"{BASE}/upload",
        {
            "kind": "campaign_data",
            "slug": "q3_results",
            "title": "Q3",
            "file": SimpleUploadedFile("q3.csv", b"channel,clicks\nEmail,lots\n"),
        },
    )
    assert job["status"] == "failed"
    assert job["error"] == "Row 2, column B ('clicks'): 'lots' is not a number."
    assert job["asset"] is None
    assert not ContextAsset.objects.exists()


def test_what_is_refused_on_receipt_is_a_422_and_no_job(api_client, editor):
    from huddle.context.models import UploadJob

    client = api_client(editor)
    response = client.post(
        f"{BASE}/upload",
        {
            "kind": "campaign_data",
            "slug": "q3_results",
            "title": "Q3",
            "file": SimpleUploadedFile("q3.xlsx", b"date,clicks\n2026-07-01,1\n"),
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "q3.xlsx is not a readable XLSX workbook: it is not a zip archive, as every .xlsx file is."
    )
    taken = client.post(
        f"{BASE}/upload",
        {
            "kind": "other",
            "slug": "Not A Slug",
            "title": "Notes",
            "file": SimpleUploadedFile("notes.md", b"# Notes"),
        },
    )
    assert taken.status_code == 422
    assert "slug" in taken.json()["error"]["fields"]
    assert not UploadJob.objects.exists()


def test_too_large_upload_is_413(api_client, editor, settings):
    settings.HUDDLE_MAX_UPLOAD_MB = 1
    response = api_client(editor).post(
        f"{BASE}/upload",
        {
            "kind": "other",
            "slug": "big",
            "title": "Big",
            "file": SimpleUploadedFile("big.md", b"x" * (1024 * 1024 + 100)),
        },
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "upload_too_large"


def test_versions_approve_and_archive(api_client, editor, member):
    asset = make_asset(member, kind="other", slug="notes")
    member_client, editor_client = api_client(member), api_client(editor)
    created = member_client.post(
        f"{BASE}/{asset.public_id}/versions",
        {"data": {"text": "Second"}, "changelog": "More"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["approved"] is False
    versions = editor_client.get(f"{BASE}/{asset.public_id}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert versions["next_cursor"] is None
    assert (
        member_client.post(
            f"{BASE}/{asset.public_id}/approve", {}, content_type="application/json"
        ).status_code
        == 403
    )
    approved = editor_client.post(
        f"{BASE}/{asset.public_id}/approve", {"version": 2}, content_type="application/json"
    )
    assert approved.json()["approved"] is True
    one = editor_client.get(f"{BASE}/{asset.public_id}/versions/1").json()
    assert one["data"] == {"text": "Anything *else*."}
    archived = editor_client.delete(f"{BASE}/{asset.public_id}")
    assert archived.json()["status"] == Status.ARCHIVED


def test_version_upload(api_client, editor, django_capture_on_commit_callbacks):
    asset = make_asset(editor, kind="campaign_data", slug="q3_results")
    client = api_client(editor)
    queued, job = upload(
        client,
        django_capture_on_commit_callbacks,
        f"{BASE}/{asset.public_id}/versions/upload",
        {
            "file": SimpleUploadedFile(
                "q3.csv", CAMPAIGN_CSV.encode() + b"2026-10-01,Email,X,1,1,1,1,1\n"
            )
        },
    )
    assert (queued["action"], queued["asset"]["id"]) == ("version", str(asset.public_id))
    assert (job["status"], job["version"]) == ("done", 2)
    version = client.get(f"{BASE}/{asset.public_id}/versions/2").json()
    assert version["row_count"] == 5


def test_outsider_gets_404_everywhere(api_client, editor, outsider):
    asset = make_asset(editor)
    client = api_client(outsider)
    assert client.get(BASE).json() == {"items": [], "next_cursor": None}
    for path in ["", "/versions", "/versions/1", "/render"]:
        response = client.get(f"{BASE}/{asset.public_id}{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert client.delete(f"{BASE}/{asset.public_id}").status_code == 404
    assert (
        client.post(
            f"{BASE}/{asset.public_id}/approve", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{BASE}/{asset.public_id}/versions", {"data": {}}, content_type="application/json"
        ).status_code
        == 404
    )


def test_without_a_token_is_401(client):
    assert client.get(BASE).status_code == 401


def test_stats_count_context_assets(api_client, editor):
    make_asset(editor)
    assert api_client(editor).get("/api/v1/stats").json()["context_assets"] == 1
