"""Stored XSS in a real browser: pages full of hostile names, titles, templates, Markdown and run
outputs fire no dialog and send no request away from the server (tests/security/ has the rest)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.factories import PASSWORD
from tests.security.routes import PAGES
from tests.security.seed import seed_org

pytestmark = pytest.mark.django_db(transaction=True)

# Two organisations, so each payload combination fits the shortest field (token names).
COMBINATIONS = {
    "xss-html": "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'><svg onload=alert(3)>",
    "xss-md": "[a](javascript:alert(4)) ![b](https://evil.test/x.png) <SCRIPT SRC=//evil.test/x>",
}
PAGE_NAMES = [
    "organization_home", "members", "teams", "team", "library_index", "workflow_detail",
    "workflow_edit", "context_asset", "context_preview", "context_pack", "capture_detail",
    "asks_index", "wins_index", "digest_detail", "insights_members", "activity",
]  # fmt: skip
MEMBER_PAGES = ["run_detail", "pattern_detail"]


def test_hostile_text_runs_no_script_and_calls_no_outside_origin(page: Page, live_server):
    dialogs: list[str] = []
    outside: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    blocked: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlsplit(request.url).hostname not in {"127.0.0.1", "localhost"}
            else None
        ),
    )
    # Chromium reports a request the Content-Security-Policy stopped, then fails it ("csp") unsent.
    page.on(
        "requestfailed",
        lambda request: (
            blocked.append(request.url) if "csp" in (request.failure or "").lower() else None
        ),
    )
    visited = 0
    for slug, text in COMBINATIONS.items():
        world = seed_org(slug, text=text)
        for role, names in (("owner", PAGE_NAMES), ("member", MEMBER_PAGES)):
            page.context.clear_cookies()
            page.goto(f"{live_server.url}/accounts/login/")
            page.get_by_label("Email").fill(world.people[role].user.email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state("networkidle")
            for name in names:
                path = reverse(name, kwargs={"org_slug": world.org.slug, **PAGES[name](world.ids)})
                response = page.goto(live_server.url + path)
                assert response.status == 200, path
                page.wait_for_load_state("networkidle")
                visited += 1
    assert visited == len(COMBINATIONS) * (len(PAGE_NAMES) + len(MEMBER_PAGES))
    assert dialogs == []
    assert outside, "the hostile Markdown image was not even attempted: is the test still aimed?"
    assert [url for url in outside if url not in blocked] == []
