"""Upload jobs: parsed by the worker outside any transaction, progress on a page only their
uploader sees, and a clean failure (message shown, file removed) when their worker dies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from huddle.context import jobs, services
from huddle.context.models import ContextAsset, UploadJob
from huddle.context.parsing import tables
from tests.context.helpers import CAMPAIGN_CSV, make_asset
from tests.imports.conftest import work

pytestmark = pytest.mark.django_db


def queue(persona, capture, content: bytes = CAMPAIGN_CSV.encode(), **fields) -> UploadJob:
    fields = {"kind": "campaign_data", "slug": "q3_results", "title": "Q3"} | fields
    with capture(execute=True):
        return jobs.upload_job_for_asset(
            actor=persona.actor, file=SimpleUploadedFile("q3.csv", content), **fields
        )


def page(client, job: UploadJob, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(f"/o/acme/context/uploads/{job.public_id}/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_the_file_is_parsed_outside_any_transaction(editor, monkeypatch):
    """On SQLite a transaction holds the write lock of every organisation: a parse of seconds
    inside one stopped every other write (issue 18, item 4)."""
    seen: list[bool] = []
    build = tables._build

    def spy(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return build(*args, **kwargs)

    monkeypatch.setattr(tables, "_build", spy)
    make_asset(editor, kind="campaign_data", slug="q3_results")
    asset = ContextAsset.objects.get()
    services.asset_update(
        actor=editor.actor, asset=asset, upload=services.Upload("q4.csv", CAMPAIGN_CSV.encode())
    )
    assert seen == [False, False]
    assert asset.versions.count() == 2


def test_the_worker_saves_the_asset_and_deletes_the_file(
    editor, media, django_capture_on_commit_callbacks
):
    job = queue(editor, django_capture_on_commit_callbacks, description="Quarter 3", draft=True)
    stored = media / job.file.name
    assert stored.exists()
    assert (job.status, job.percent, job.file_name) == ("queued", 0, "q3.csv")
    assert work() == 1
    job.refresh_from_db()
    assert (job.status, job.percent, job.version_number, job.error) == ("done", 100, 1, "")
    asset = job.asset
    assert (asset.slug, asset.description, asset.status) == ("q3_results", "Quarter 3", "draft")
    assert asset.latest_number == 1
    assert not stored.exists()
    assert job.file.name == ""


def test_progress_and_stage_show_while_it_runs(login, editor, django_capture_on_commit_callbacks):
    job = queue(editor, django_capture_on_commit_callbacks)
    client = login(editor)
    assert b"Waiting to start" in page(client, job).content
    UploadJob.objects.filter(pk=job.pk).update(
        status="running", percent=47, stage="12,000 rows read", heartbeat_at=timezone.now()
    )
    fragment = page(client, job, htmx=True).content.decode()
    assert fragment.startswith('<section id="upload-job"')
    assert 'hx-trigger="every 1s"' in fragment
    assert 'value="47"' in fragment
    assert "12,000 rows read" in fragment


def test_a_job_nobody_takes_says_so_after_a_minute(
    login, editor, django_capture_on_commit_callbacks
):
    job = queue(editor, django_capture_on_commit_callbacks)
    client = login(editor)
    assert b"No worker has started it yet" not in page(client, job).content
    UploadJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert b"No worker has started it yet" in page(client, job).content


def test_a_job_whose_worker_died_is_shown_failed_and_its_file_removed(
    login, api_client, editor, media, django_capture_on_commit_callbacks
):
    job = queue(editor, django_capture_on_commit_callbacks)
    stored = media / job.file.name
    stale = timezone.now() - timedelta(seconds=jobs.LEASE_SECONDS + 1)
    UploadJob.objects.filter(pk=job.pk).update(
        status="running", started_at=stale, heartbeat_at=stale
    )
    shown = page(login(editor), job).content.decode()
    assert 'data-status="failed"' in shown
    assert "The worker reading this file stopped before it finished" in shown
    assert "every 1s" not in shown
    assert not stored.exists()
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("failed", "")
    body = api_client(editor).get(f"/api/v1/context/uploads/{job.public_id}").json()
    assert (body["status"], body["error"]) == ("failed", jobs.STOPPED)


def test_a_job_still_beating_is_left_running(editor, media, django_capture_on_commit_callbacks):
    job = queue(editor, django_capture_on_commit_callbacks)
    UploadJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(seconds=5)
    )
    assert jobs.upload_jobs_expire() == 0
    assert (media / job.file.name).exists()


def test_a_job_expired_under_a_stalled_worker_saves_nothing_afterwards(
    editor, monkeypatch, django_capture_on_commit_callbacks
):
    """The worker stalls past the lease while parsing; when it comes back the job has been
    failed (and its file deleted): it must not save the asset behind the member's back."""
    job = queue(editor, django_capture_on_commit_callbacks)
    parse = services.upload_parse

    def stall(**kwargs):
        parsed = parse(**kwargs)
        stale = timezone.now() - timedelta(seconds=jobs.LEASE_SECONDS + 1)
        UploadJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
        assert jobs.upload_jobs_expire() == 1  # another worker, or a page, notices
        return parsed

    monkeypatch.setattr(services, "upload_parse", stall)
    assert work() == 1
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", jobs.STOPPED)
    assert not ContextAsset.objects.exists()


def test_a_slug_taken_while_the_file_was_read_fails_the_job(
    editor, django_capture_on_commit_callbacks
):
    job = queue(editor, django_capture_on_commit_callbacks)
    make_asset(editor, kind="other", slug="q3_results")
    assert work() == 1
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "There is already a context asset 'q3_results'.")
    assert ContextAsset.objects.count() == 1


def test_a_member_who_left_before_the_worker_ran_gets_nothing_saved(
    editor, django_capture_on_commit_callbacks
):
    job = queue(editor, django_capture_on_commit_callbacks)
    editor.membership.delete()
    assert work() == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (
        "failed",
        "You are no longer a member of this organisation.",
    )
    assert not ContextAsset.objects.exists()


def test_a_new_version_from_the_edit_page(login, editor, django_capture_on_commit_callbacks):
    asset = make_asset(editor, kind="campaign_data", slug="q3_results")
    client = login(editor)
    more = CAMPAIGN_CSV.encode() + b"2026-10-01,Email,X,1,1,1,1,1\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/o/acme/context/{asset.public_id}/edit/",
            {"title": "Q3", "changelog": "October", "file": SimpleUploadedFile("q.csv", more)},
        )
    job = UploadJob.objects.get()
    assert response["Location"] == f"/o/acme/context/uploads/{job.public_id}/"
    assert work() == 1
    shown = page(client, job).content.decode()
    assert "Version 2 of Q3 is saved" in shown
    asset.refresh_from_db()
    assert asset.approved_version.row_count == 5
    assert asset.approved_version.changelog == "October"


def test_only_the_uploader_sees_the_job(
    login, api_client, personas, django_capture_on_commit_callbacks
):
    job = queue(personas["editor"], django_capture_on_commit_callbacks)
    assert page(login(personas["editor"]), job).status_code == 200
    for who in ("owner", "admin", "member", "viewer", "outsider"):
        assert page(login(personas[who]), job).status_code == 404, who
        response = api_client(personas[who]).get(f"/api/v1/context/uploads/{job.public_id}")
        assert response.status_code == 404, who


def test_a_viewer_cannot_upload(viewer, django_capture_on_commit_callbacks):
    from huddle.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        queue(viewer, django_capture_on_commit_callbacks)
    assert not UploadJob.objects.exists()


def test_the_openapi_schema_documents_the_upload_jobs(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/context/upload", "/api/v1/context/{asset_id}/versions/upload"):
        response = paths[path]["post"]["responses"]["202"]
        assert response["content"]["application/json"]["schema"]["$ref"].endswith("/UploadJobOut")
    job = paths["/api/v1/context/uploads/{job_id}"]["get"]
    assert job["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/UploadJobOut"
    )
    fields = schema["components"]["schemas"]["UploadJobOut"]["properties"]
    assert {"status", "percent", "stage", "error", "asset", "version"} <= fields.keys()


def test_a_members_new_version_waits_for_approval(
    login, member, editor, django_capture_on_commit_callbacks
):
    asset = make_asset(member, kind="campaign_data", slug="q3_results", title="Q3")
    services.asset_approve(actor=editor.actor, asset=asset)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.upload_job_for_version(
            actor=member.actor, asset=asset, file=SimpleUploadedFile("q.csv", CAMPAIGN_CSV.encode())
        )
    assert work() == 1
    shown = page(login(member), job).content.decode()
    assert "Version 2 of Q3 is saved; it waits for an editor" in shown


def test_an_asset_gone_private_since_is_not_named_on_the_job(
    login, api_client, owner, editor, django_capture_on_commit_callbacks
):
    asset = make_asset(owner, kind="campaign_data", slug="q3_results", title="Q3 secret plan")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.upload_job_for_version(
            actor=editor.actor, asset=asset, file=SimpleUploadedFile("q.csv", CAMPAIGN_CSV.encode())
        )
    assert work() == 1
    client = login(editor)
    assert "Version 2 of Q3 secret plan is saved" in page(client, job).content.decode()
    services.asset_set_sharing(actor=owner.actor, asset=asset, visibility="private", team=None)
    shown = page(client, job).content.decode()
    assert "Saved." in shown
    assert "secret plan" not in shown
    body = api_client(editor).get(f"/api/v1/context/uploads/{job.public_id}").json()
    assert (body["status"], body["asset"], body["version"]) == ("done", None, 2)


def test_uploads_are_rate_limited_per_member_with_a_429_on_the_api_and_the_page(
    login, api_client, editor, member, media, monkeypatch
):
    from huddle.core import ratelimit

    monkeypatch.setitem(ratelimit.LIMITS, "upload", ratelimit.Limit(2, 3600))
    client = api_client(editor)

    def send(slug: str):
        data = {"kind": "campaign_data", "slug": slug, "title": slug}
        data["file"] = SimpleUploadedFile("q3.csv", CAMPAIGN_CSV.encode())
        return client.post("/api/v1/context/upload", data)

    assert [send(slug).status_code for slug in ("a1", "a2")] == [202, 202]
    refused = send("a3")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "You uploaded many files in the last hour" in refused.json()["error"]["message"]
    assert int(refused["Retry-After"]) > 0
    upload = SimpleUploadedFile("q.csv", CAMPAIGN_CSV.encode())
    page = login(editor).post(
        "/o/acme/context/new/campaign_data/",
        {"slug": "a4", "title": "A4", "visibility": "org", "file": upload},
    )
    assert page.status_code == 429
    assert "You uploaded many files in the last hour" in page.content.decode()
    assert UploadJob.objects.count() == 2
    assert len(list(media.joinpath("context-uploads").iterdir())) == 2
    # Another member's uploads are counted apart.
    other = api_client(member).post(
        "/api/v1/context/upload",
        {"kind": "other", "slug": "notes", "title": "N", "file": SimpleUploadedFile("n.md", b"x")},
    )
    assert other.status_code != 429
