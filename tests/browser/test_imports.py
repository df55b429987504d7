"""A member uploads a ChatGPT export, watches the import's progress reach done, opens the pattern
found in it and promotes it to a draft workflow.

The worker is the test itself: once the upload is queued, the test runs the queued job
(``import_job_run``), then the pattern mining it queued (``mining_run``), while the page keeps
polling every second, as ``huddle worker`` would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.capture.importers.jobs import import_job_run, mining_run
from huddle.capture.models import Capture, ImportJob
from huddle.demo import load_demo
from huddle.library.models import Workflow
from tests.browser.test_library import log_in
from tests.imports.builders import chatgpt_zip, claude_chat, claude_zip, simple_chat

pytestmark = pytest.mark.django_db(transaction=True)

POST = "Write a LinkedIn post about {} for {}. Keep it short and don't use emojis."
FILLS = [("Huddle", "CFOs"), ("Rituals", "founders"), ("the CRM", "marketers"),
         ("Insights", "ops managers")]  # fmt: skip


def _upload(page: Page, base: str, export: Path, service: str) -> None:
    """From the captures page, the way a member finds it: import ``export`` as ``service``'s."""
    page.goto(f"{base}/o/acme/captures/")
    page.get_by_role("link", name="Import chat history").click()
    page.get_by_label("Which service is the export from?").select_option(service)
    page.get_by_label("The export file").set_input_files(str(export))
    page.get_by_role("button", name="Import").click()


def test_import_watch_progress_and_promote_a_pattern(
    page: Page, live_server, output_path: str, tmp_path: Path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    chats = [simple_chat(f"c{n}", POST.format(*fill)) for n, fill in enumerate(FILLS)]
    export = chatgpt_zip(tmp_path / "chatgpt-export.zip", chats)
    base = live_server.url
    log_in(page, base, "max@acme.test")
    _upload(page, base, export, "chatgpt")

    expect(page.get_by_role("heading", name="Importing chatgpt-export.zip")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Waiting to start")
    job = ImportJob.objects.get()
    import_job_run(job.pk)  # the worker
    expect(page.locator("[data-status]")).to_have_text("Done", timeout=10_000)
    expect(page.locator("[data-percent]")).to_have_text("100%")
    expect(page.locator("#job")).to_contain_text("4 prompts imported")
    expect(page.locator("[data-mining]")).to_contain_text("Waiting to look for patterns")
    mining_run(job.pk)  # the worker's mining queue
    page.screenshot(path=str(Path(output_path) / "import-done.png"), full_page=True)

    page.get_by_role("link", name="See your patterns (1)").click()
    page.get_by_role("link", name="Write a LinkedIn post about").click()
    expect(page.locator("#template")).to_have_text(
        "Write a LinkedIn post about {{ topic }} for {{ audience }}. "
        "Keep it short and don't use emojis."
    )
    expect(page.get_by_role("listitem").filter(has_text="don't use emojis")).to_be_visible()
    # Issue 19: the preview lets the member rename an inferred input before anything is made.
    page.get_by_label("Name of the input for “Huddle”").fill("subject")
    page.get_by_role("button", name="Update the preview").click()
    expect(page.locator("#template")).to_contain_text("about {{ subject }} for {{ audience }}")
    assert not Workflow.objects.filter(title__startswith="Weekly").exists()
    page.get_by_label("Workflow title").fill("Weekly LinkedIn post from my history")
    page.screenshot(path=str(Path(output_path) / "pattern.png"), full_page=True)
    page.get_by_role("button", name="Create the draft workflow").click()

    expect(page.get_by_role("status").first).to_contain_text("is a draft workflow")
    workflow = Workflow.objects.get(title="Weekly LinkedIn post from my history")
    assert page.url.endswith(f"/o/acme/library/{workflow.slug}/")
    expect(page.get_by_label("Subject")).to_have_value(workflow.versions.get().inputs[0]["default"])
    assert (workflow.kind, workflow.status, workflow.visibility) == ("prompt", "draft", "private")


def test_a_claude_export_chosen_as_chatgpt_fails_saying_which_service_it_is(
    page: Page, live_server, tmp_path: Path, settings
):
    """Issue 19: choosing the wrong export type is the usual mistake; the job page says which
    service the file is from, and nothing is imported."""
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    export = claude_zip(
        tmp_path / "claude-data.zip", [claude_chat("k1", "Brief", POST.format(*FILLS[0]))]
    )
    captures = Capture.objects.count()
    base = live_server.url
    log_in(page, base, "max@acme.test")
    _upload(page, base, export, "chatgpt")

    expect(page.get_by_role("heading", name="Importing claude-data.zip")).to_be_visible()
    import_job_run(ImportJob.objects.get().pk)  # the worker
    expect(page.locator("[data-status]")).to_have_text("Failed", timeout=10_000)
    expect(page.locator("#job")).to_contain_text(
        "This looks like a Claude export, not ChatGPT. Choose “Claude” as the service"
    )
    assert Capture.objects.count() == captures


def test_look_again_runs_in_the_worker_and_its_page_follows_it(
    page: Page, live_server, tmp_path: Path, settings
):
    """ "Look again" ran the mining inside the request (minutes for a long history); now the
    worker does, and the page the member lands on updates itself when it is done."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor
    from huddle.capture.importers import jobs
    from huddle.capture.models import MiningJob, Pattern

    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    chats = [simple_chat(f"c{n}", POST.format(*fill)) for n, fill in enumerate(FILLS)]
    export = chatgpt_zip(tmp_path / "chatgpt-export.zip", chats)
    max_ = Actor(Membership.objects.get(user__email="max@acme.test", organization__slug="acme"))
    upload = SimpleUploadedFile("chatgpt-export.zip", export.read_bytes())
    job = jobs.import_job_create(actor=max_, source="chatgpt", upload=upload)
    import_job_run(job.pk)
    mining_run(job.pk)
    Pattern.objects.all().delete()

    base = live_server.url
    log_in(page, base, "max@acme.test")
    page.goto(f"{base}/o/acme/captures/patterns/")
    page.get_by_role("button", name="Look again").click()
    expect(page.get_by_role("heading", name="Looking for patterns")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Waiting to look for patterns…")
    jobs.mining_job_run(MiningJob.objects.get().pk)  # the worker's mining queue
    expect(page.locator("[data-patterns]")).to_have_text(
        "1 pattern in your imported prompts.", timeout=10_000
    )
    page.get_by_role("link", name="See your patterns").click()
    expect(page.get_by_role("link", name="Write a LinkedIn post about")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_empty_export_is_named_next_to_the_file_field_and_nothing_is_queued(
    page: Page, live_server, tmp_path: Path, width
):
    page.set_viewport_size({"width": width, "height": 900})
    load_demo()
    empty = tmp_path / "export.zip"
    empty.write_bytes(b"")
    base = live_server.url
    log_in(page, base, "max@acme.test")
    _upload(page, base, empty, "claude")
    expect(page.get_by_role("alert")).to_contain_text("Please fix the problems marked below.")
    field = page.locator(".field", has=page.get_by_label("The export file"))
    expect(field).to_contain_text("The submitted file is empty.")
    # The service chosen stays chosen.
    expect(page.get_by_label("Which service is the export from?")).to_have_value("claude")
    assert not ImportJob.objects.exists()
