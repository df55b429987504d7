"""An editor uploads a campaign CSV, watches the worker read it, sees its preview and summary,
then the token counts.

The worker is the test itself, as in ``test_imports``: once the upload is queued, the test runs
the job (``upload_job_run``) while the page keeps polling every second.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from huddle.context.jobs import upload_job_run
from huddle.context.models import UploadJob
from huddle.demo import DEMO_PASSWORD, load_demo
from tests.browser.test_foundation import log_in
from tests.context.helpers import CAMPAIGN_CSV

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload_then_work(page: Page, name: str, *, progress: bool = False) -> None:
    """On the job's page after an upload: see it wait, (``progress``) see the worker's
    progress as the page polls, run the job, see it done and open the asset."""
    expect(page.get_by_role("heading", name=f"Reading {name}")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Waiting to start")
    job = UploadJob.objects.get(file_name=name)
    if progress:  # what a worker half-way through a large table writes
        UploadJob.objects.filter(pk=job.pk).update(
            status="running", percent=40, stage="2,000 rows read", heartbeat_at=timezone.now()
        )
        expect(page.locator("[data-status]")).to_have_text("Reading the file")
        expect(page.get_by_role("progressbar", name="Reading progress")).to_have_attribute(
            "value", "40"
        )
        expect(page.locator("[data-stage]")).to_have_text("2,000 rows read")
        UploadJob.objects.filter(pk=job.pk).update(status="queued")  # the worker's own turn
    upload_job_run(job.pk)  # the worker
    expect(page.locator("[data-status]")).to_have_text("Done", timeout=10_000)


def test_upload_campaign_csv_see_summary_preview_and_token_counts(
    page: Page, live_server, tmp_path: Path, output_path: str
):
    load_demo()
    log_in(page, live_server.url, "erin@acme.test", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Context").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Context")
    expect(page.get_by_role("table")).to_contain_text("q3_results")

    page.get_by_role("link", name="Campaign data A CSV or XLSX").click()
    csv_file = tmp_path / "october.csv"
    csv_file.write_bytes(("\ufeff" + CAMPAIGN_CSV).replace(",", ";").encode("utf-8"))
    page.get_by_label("Title").fill("October results")
    page.get_by_label("Slug").fill("october_results")
    page.get_by_label("File").set_input_files(str(csv_file))
    page.get_by_role("button", name="Create").click()

    upload_then_work(page, "october.csv", progress=True)
    expect(page.locator("#upload-job")).to_contain_text(
        "October results is saved: use {{ context.october_results }}"
    )
    page.screenshot(path=str(Path(output_path) / "upload-done.png"), full_page=True)
    page.get_by_role("link", name="Open October results").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("October results")
    expect(page.get_by_text("Values are separated by semicolons.")).to_be_visible()
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("4 rows, 2026-07-01 to 2026-09-30")
    totals = page.get_by_role("table", name="Totals and rates")
    expect(totals.get_by_role("row", name="Email")).to_contain_text("4.00%")
    preview = page.get_by_role("table", name="Table preview")
    expect(preview.get_by_role("row")).to_have_count(5)
    expect(preview).to_contain_text("Paid social")
    page.screenshot(path=str(Path(output_path) / "campaign.png"), full_page=True)

    page.get_by_role("link", name="Preview with token counts").click()
    expect(page.locator("#budget-share")).to_contain_text(
        "tokens for {{ context.october_results }}"
    )
    table_block = page.get_by_role("region", name="{{ context.october_results.table }}")
    expect(table_block).to_contain_text("tokens")
    expect(table_block).to_contain_text("| 2026-07-01 | Email | Launch |")
    page.get_by_label("Target model").select_option("8k")
    expect(page.locator("#budget-share")).to_contain_text("of a 8k budget (8192 tokens")


def test_reference_an_uploaded_table_from_a_workflow_and_see_the_assembly(
    page: Page, live_server, tmp_path: Path, output_path: str
):
    load_demo()
    log_in(page, live_server.url, "erin@acme.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/context/")
    page.get_by_role("link", name="Campaign data A CSV or XLSX").click()
    csv_file = tmp_path / "october.csv"
    csv_file.write_text(CAMPAIGN_CSV, encoding="utf-8")
    page.get_by_label("Title").fill("October results")
    page.get_by_label("Slug").fill("october_results")
    page.get_by_label("File").set_input_files(str(csv_file))
    page.get_by_role("button", name="Create").click()
    upload_then_work(page, "october.csv")

    page.goto(f"{live_server.url}/o/acme/library/new/")
    page.get_by_label("Title").fill("October readout")
    page.get_by_label("Prompt").fill(
        "Summarise for {{ audience }}:\n{{ context.october_results.table }}"
    )
    page.get_by_role("button", name="+ Add input").click()
    page.locator("#input_name_0").fill("audience")
    expect(page.locator("#validation")).to_contain_text("Context: october_results")
    page.get_by_role("button", name="Save workflow").click()
    page.get_by_role("link", name="Assembly preview").click()
    page.get_by_label("Audience").fill("the board")
    page.get_by_label("Target model").select_option("8k")
    page.get_by_role("button", name="Assemble").click()
    block = page.locator("mark.ctx")
    expect(block).to_contain_text("context.october_results.table")
    expect(block).to_contain_text("| 2026-07-01 | Email | Launch |")
    expect(page.get_by_role("heading", name="tokens of 8192")).to_be_visible()
    page.screenshot(path=str(Path(output_path) / "assembly.png"), full_page=True)
