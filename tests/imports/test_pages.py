"""Upload page, job page (progress), patterns pages and the API: roles, privacy, the worker."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huddle.capture.importers import jobs
from huddle.capture.models import ImportJob, Pattern, Prompt
from huddle.cli import run
from huddle.library.models import Workflow
from tests.imports.builders import chatgpt_zip, simple_chat
from tests.imports.conftest import work

pytestmark = pytest.mark.django_db

POST = "Write a LinkedIn post about {} for {}. No emojis."
FILLS = [("Huddle", "CFOs"), ("Rituals", "founders"), ("the CRM", "marketers")]


def _zip_bytes(tmp_path) -> bytes:
    chats = [simple_chat(f"c{n}", POST.format(*f)) for n, f in enumerate(FILLS)]
    chats.append(simple_chat("c9", "What is the capital of Peru?"))
    return chatgpt_zip(tmp_path / "export.zip", chats).read_bytes()


def _upload(tmp_path):
    return SimpleUploadedFile("export.zip", _zip_bytes(tmp_path), "application/zip")


def _imported(persona, tmp_path, capture):
    with capture(execute=True):
        job = jobs.import_job_create(
            actor=persona.actor, source="chatgpt", upload=_upload(tmp_path)
        )
    assert work() == 2  # the import, then its pattern mining
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_upload_page_queues_a_job_the_worker_runs(login, member, tmp_path, media):
    """The real ``huddle worker --batch`` (transactional: the worker closes connections)."""
    client = login(member)
    page = client.get("/o/acme/captures/import/")
    assert page.status_code == 200
    assert b"private to you" in page.content
    response = client.post(
        "/o/acme/captures/import/", {"source": "chatgpt", "file": _upload(tmp_path)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/captures/imports/{job.public_id}/"
    assert (job.status, job.owner, job.file_name) == ("queued", member.user, "export.zip")
    assert list(media.joinpath("imports").iterdir())  # stored until processed
    page = client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content
    assert run(["worker", "--batch"]) == 0
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.report["prompts"] == 4
    assert job.report["patterns"] == 1
    assert list(media.joinpath("imports").iterdir()) == []  # deleted after processing
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"every 1s" not in fragment.content
    assert b"4</strong> prompts" in fragment.content


def test_a_refused_file_fails_the_job_with_its_message(
    login, member, tmp_path, media, django_capture_on_commit_callbacks
):
    bad = SimpleUploadedFile("export.zip", b"PK\x03\x04 nope", "application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_job_create(actor=member.actor, source="chatgpt", upload=bad)
    assert work() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert "not a readable zip archive" in job.error
    assert not Prompt.objects.exists()
    assert list(media.joinpath("imports").iterdir()) == []
    page = login(member).get(f"/o/acme/captures/imports/{job.public_id}/")
    assert b"not a readable zip archive" in page.content


def test_upload_page_errors(login, member):
    response = login(member).post("/o/acme/captures/import/", {"source": "chatgpt"})
    assert response.status_code == 422
    assert b"Choose the export" in response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("admin", 200), ("editor", 200), ("member", 200), ("viewer", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_upload_page_roles(login, personas, who, status):
    assert login(personas[who]).get("/o/acme/captures/import/").status_code == status


def test_jobs_patterns_and_promote_are_private(
    login, personas, tmp_path, django_capture_on_commit_callbacks
):
    member = personas["member"]
    job = _imported(member, tmp_path, django_capture_on_commit_callbacks)
    pattern = Pattern.objects.get()
    urls = [
        f"/o/acme/captures/imports/{job.public_id}/",
        f"/o/acme/captures/patterns/{pattern.public_id}/",
    ]
    mine = login(member)
    for url in urls:
        assert mine.get(url).status_code == 200
    listing = mine.get("/o/acme/captures/patterns/")
    assert pattern.title.encode() in listing.content
    for who in ("owner", "admin", "editor", "viewer", "outsider"):
        client = login(personas[who])
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        promote = client.post(f"/o/acme/captures/patterns/{pattern.public_id}/promote/")
        assert promote.status_code == 404, who
        if who != "outsider":
            assert pattern.title.encode() not in client.get("/o/acme/captures/patterns/").content
    response = mine.post(f"/o/acme/captures/patterns/{pattern.public_id}/promote/")
    workflow = Workflow.objects.get(kind="prompt")
    assert response["Location"] == f"/o/acme/library/{workflow.slug}/"
    assert (workflow.owner, workflow.visibility, workflow.status) == (
        member.user, "private", "draft"
    )  # fmt: skip


def test_mine_again_button(login, member, viewer, tmp_path, django_capture_on_commit_callbacks):
    """ "Look again" queues the mining for the worker (it took minutes inside the request for
    a long history) and follows it on its own page."""
    _imported(member, tmp_path, django_capture_on_commit_callbacks)
    Pattern.objects.all().delete()
    assert login(viewer).post("/o/acme/captures/patterns/mine/").status_code == 403
    client = login(member)
    response = client.post("/o/acme/captures/patterns/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/o/acme/captures/patterns/mining/")
    assert Pattern.objects.count() == 0  # not in the request
    again = client.post("/o/acme/captures/patterns/mine/")
    assert again["Location"] == response["Location"]  # one at a time
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to look for patterns" in page
    assert "every 1s" in page
    assert work() == 1
    assert Pattern.objects.count() == 1
    page = client.get(response["Location"], headers={"HX-Request": "1"}).content.decode()
    assert "<strong>1</strong> pattern in your imported prompts" in page
    assert "every 1s" not in page


def test_capture_index_links_to_import_and_patterns(login, member):
    page = login(member).get("/o/acme/captures/").content
    assert b"/o/acme/captures/import/" in page
    assert b"/o/acme/captures/patterns/" in page


def test_api_upload_and_status(api_client, personas, tmp_path, django_capture_on_commit_callbacks):
    client = api_client(personas["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports", {"source": "chatgpt", "file": _upload(tmp_path)})
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert (response.json()["status"], response.json()["mining"]) == ("queued", "waiting")
    assert work() == 2
    status = client.get(f"/api/v1/imports/{job_id}").json()
    assert (status["status"], status["percent"], status["report"]["prompts"]) == ("done", 100, 4)
    assert (status["mining"], status["report"]["patterns"]) == ("done", 1)
    for who in ("admin", "outsider"):
        assert api_client(personas[who]).get(f"/api/v1/imports/{job_id}").status_code == 404
    viewer = api_client(personas["viewer"]).post(
        "/api/v1/imports", {"source": "chatgpt", "file": _upload(tmp_path)}
    )
    assert viewer.status_code == 403
    bad = client.post("/api/v1/imports", {"source": "gemini", "file": _upload(tmp_path)})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {"source": ["Choose ChatGPT or Claude."]}


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"source": "myspace"}, "source", "Select a valid choice. myspace is not one of"),
        ({"source": "chatgpt"}, "file", "Choose the export&#x27;s .zip (or conversations.json)."),
        (
            {"source": "chatgpt", "file": SimpleUploadedFile("export.zip", b"")},
            "file",
            "The submitted file is empty.",
        ),
    ],
)
def test_a_bad_upload_field_is_named_next_to_it_and_no_job_starts(
    login, member, posted, field, message
):
    response = login(member).post("/o/acme/captures/import/", posted)
    html = response.content.decode()
    assert response.status_code == 422
    start = html.index(f'for="{field}"')
    assert message in html[start : html.index("</div>", start)]
    assert not ImportJob.objects.exists()


def test_a_pattern_title_past_its_length_is_named_and_no_workflow_is_made(
    login, member, tmp_path, django_capture_on_commit_callbacks
):
    _imported(member, tmp_path, django_capture_on_commit_callbacks)
    pattern = Pattern.objects.get()
    response = login(member).post(
        f"/o/acme/captures/patterns/{pattern.public_id}/promote/", {"title": "T" * 201}
    )
    html = response.content.decode()
    start = html.index('id="title"')
    assert (
        "Ensure this value has at most 200 characters (it has 201)."
        in (html[start : html.index("</div>", start)])
    )
    assert not Workflow.objects.exists()
