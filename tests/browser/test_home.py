"""Issue 19, item 1: the home page people start their day on, in a real Chromium at desktop
and phone widths: a brand-new organisation's checklist, and the demo's "what to run today"."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts import services
from huddle.demo import DEMO_PASSWORD, load_demo
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def test_a_new_organisations_owner_gets_a_checklist_and_is_greeted_by_email(
    page: Page, live_server, output_path
):
    user = services.user_create(email="new@fresh.test", password="a-long-enough-passphrase")
    services.organization_create(creator=user, slug="fresh", name="Fresh Co")
    log_in(page, live_server.url, "new@fresh.test", "a-long-enough-passphrase")
    page.goto(f"{live_server.url}/o/fresh/")
    expect(page.locator(".greeting")).to_contain_text("Welcome, new@fresh.test.")
    setup = page.get_by_role("region", name="Get your team started")
    expect(setup).to_contain_text("4 of 4 steps left")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
    page.screenshot(path=str(Path(output_path) / "home-new-390.png"), full_page=True)
    setup.get_by_role("link", name="Add context").click()
    expect(page).to_have_url(f"{live_server.url}/o/fresh/context/")


def test_the_demo_home_says_what_to_run_today(page: Page, live_server, output_path):
    load_demo()
    log_in(page, live_server.url, "maya@acme.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/")
    today = page.get_by_role("region", name="What to run today")
    expect(today.get_by_role("link", name="Run it").first).to_be_visible()
    expect(page.get_by_role("region", name="Your time saved")).to_contain_text("this week")
    expect(page.get_by_role("region", name="This week's wins")).to_be_visible()
    expect(page.get_by_role("region", name="Open asks")).to_be_visible()
    for size, name in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
        page.screenshot(path=str(Path(output_path) / f"home-{name}.png"), full_page=True)
    today.get_by_role("link", name="Run it").first.click()
    page.wait_for_url("**/library/*/run/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
