"""An owner uploads a ChatGPT usage report, watches it import, and sees the divide by source and
"Is it closing?" on the insights overview; the upload page fits a 390 px phone.

The worker is the test itself: once the upload is queued, the test runs the queued import
(``upload_run``) while the page polls, as ``huddle worker`` would.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.demo import load_demo
from huddle.usage.models import UsageImport
from huddle.usage.services import upload_run
from tests.browser.test_library import log_in
from tests.usage import reports

pytestmark = pytest.mark.django_db(transaction=True)


def _report(path: Path) -> Path:
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    rows = []
    for week in range(4):
        start = monday - timedelta(weeks=week)
        rows += reports.chatgpt_week(
            start, {"olivia@acme.test": 40, "max@acme.test": 5, "stranger@else.test": 9}
        )
    path.write_bytes(reports.to_csv(reports.CHATGPT_COLUMNS, rows))
    return path


@pytest.mark.parametrize("width", [1280, 390])
def test_an_owner_imports_a_usage_report_and_sees_the_divide_by_source(
    page: Page, live_server, output_path: str, tmp_path: Path, settings, width: int
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.set_viewport_size({"width": width, "height": 900})
    load_demo()
    base = live_server.url
    log_in(page, base, "olivia@acme.test")
    page.goto(f"{base}/o/acme/usage/imports/")
    expect(page.get_by_role("heading", name="Usage reports")).to_be_visible()
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a {width}px screen"
    page.get_by_label("Which report is it?").select_option("chatgpt")
    page.get_by_label("The report (.csv)").set_input_files(str(_report(tmp_path / "week.csv")))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("[data-status]")).to_have_text("Waiting to start")
    upload_run(UsageImport.objects.get().pk)  # the worker
    expect(page.locator("[data-status]")).to_have_text("Done", timeout=10_000)
    expect(page.locator("#usage-import")).to_contain_text("2 of 3 people matched")
    expect(page.locator("#usage-import")).to_contain_text("stranger@else.test")
    page.screenshot(path=str(Path(output_path) / f"usage-import-{width}.png"), full_page=True)

    page.get_by_role("link", name="See the divide on usage and runs").click()
    section = page.locator("#by-source")
    expect(section).to_contain_text("Usage reports cover these weeks (chatgpt)")
    expect(section.locator('[data-basis="usage"]')).to_be_visible()
    expect(page.locator("#closing .verdict").first).to_contain_text("The divide")
    expect(page.locator("#closing-usage")).to_contain_text("divide")  # asked of ChatGPT too
    expect(page.get_by_role("heading", name="Know-how latency")).to_be_visible()
    deadline = time.monotonic() + 15
    while not page.evaluate("!!(window.huddleCharts || {})['chart-closing']"):
        assert time.monotonic() < deadline, "the closing chart was not drawn"
        page.wait_for_timeout(100)
    for section_id in ("closing", "by-source", "latency"):
        wider = page.evaluate(
            f"(e => e.scrollWidth - e.clientWidth)(document.getElementById('{section_id}'))"
        )
        assert wider <= 1, f"#{section_id} is {wider}px wider than its card at {width}px"
    page.locator("#closing").screenshot(path=str(Path(output_path) / f"closing-{width}.png"))
