"""Issue 19, item 7: no page scrolls sideways on a 390 px phone or at 1,366 px, the main menu
collapses behind one button on a phone, and every kind of text box is styled."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership
from huddle.capture.models import Pattern
from huddle.demo import DEMO_PASSWORD, load_demo
from huddle.library.models import Workflow
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LONG = "Write a LinkedIn post announcing {{ product }} " + "with a very-long-unbroken-word " * 40


def _pattern() -> Pattern:
    adam = Membership.objects.select_related("user", "organization").get(
        user__email="adam@acme.test", organization__slug="acme"
    )
    return Pattern.objects.create(
        organization=adam.organization,
        owner=adam.user,
        signature="layout",
        title="Write a LinkedIn post announcing a thing",
        template=LONG + "x" * 300,
        variables=[{"name": "product", "default": "Huddle " + "y" * 200, "examples": ["z" * 200]}],
        examples=[],
        size=5,
    )


def test_no_page_scrolls_sideways(page: Page, live_server, output_path):
    load_demo()
    pattern = _pattern()
    workflow = Workflow.objects.get(organization__slug="acme", slug="linkedin-launch-post")
    base = f"{live_server.url}/o/acme"
    pages = [
        "/", "/library/", f"/library/{workflow.slug}/", f"/library/{workflow.slug}/assembly/",
        f"/library/{workflow.slug}/run/", "/library/new/", "/captures/", "/captures/patterns/",
        f"/captures/patterns/{pattern.public_id}/", "/context/", "/brand/check/", "/runs/",
        "/wins/", "/asks/", "/members/", "/insights/", "/wins/digest/",
    ]  # fmt: skip
    log_in(page, live_server.url, "adam@acme.test", DEMO_PASSWORD)
    wide = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for path in pages:
            page.goto(base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                wide.append(f"{path} at {size['width']}px: {width}px")
    assert wide == [], "\n".join(wide)
    page.goto(f"{base}/captures/patterns/{pattern.public_id}/")
    page.screenshot(path=str(Path(output_path) / "pattern-390.png"), full_page=True)


def test_the_menu_collapses_on_a_phone(page: Page, live_server):
    load_demo()
    log_in(page, live_server.url, "adam@acme.test", DEMO_PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/o/acme/")
    nav = page.get_by_role("navigation", name="Main")
    toggle = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()
    header = page.locator(".topbar").bounding_box()
    assert header is not None
    assert header["height"] < 80  # one row: brand, organisation, menu button
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Library")
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()


def test_search_and_type_less_boxes_are_styled(page: Page, live_server):
    load_demo()
    log_in(page, live_server.url, "adam@acme.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/library/")
    boxes = page.locator("main input[type=search], main input:not([type])")
    assert boxes.count() > 0
    for k in range(boxes.count()):
        radius = boxes.nth(k).evaluate("el => getComputedStyle(el).borderTopLeftRadius")
        assert radius == "6px"
