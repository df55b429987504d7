"""Issue 19, item 8: /api/v1/docs shows the API in Swagger UI, served by the app itself under
the Content-Security-Policy (its files came from a CDN the policy blocked: a blank page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_from_the_app_under_the_csp(page: Page, live_server):
    refused: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Huddle API")
    expect(page.get_by_text("/api/v1/brand/check").first).to_be_visible()
    assert [u for u in outside if not u.startswith("data:")] == []
    assert refused == []
