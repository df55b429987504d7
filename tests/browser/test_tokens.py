"""A member makes a token for Cursor on a phone and copies Cursor's MCP settings, token included
by the page for the tools that take it in the file."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from huddle.demo import load_demo
from tests.browser.test_library import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_make_a_token_and_copy_an_ai_tools_settings_on_a_phone(browser: Browser, live_server):
    load_demo()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    log_in(page, live_server.url, "max@acme.test")
    page.goto(f"{live_server.url}/o/acme/settings/")
    page.get_by_role("link", name="API tokens and AI tools (MCP)").click()
    page.get_by_label("Name").fill("Claude on my laptop")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("New API token").input_value()
    assert token.startswith("hud_")

    tools = page.get_by_role("region", name="Use the library inside your AI tools")
    tools.get_by_text("OpenAI Responses API / Agents SDK").click()
    snippet = tools.locator("#mcp-openai")
    expect(snippet).to_be_visible()
    tools.locator("[data-copy='#mcp-openai']").click()
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied["server_url"] == f"{live_server.url}/mcp"
    assert copied["headers"] == {"Authorization": f"Bearer {token}"}
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_revokes_a_members_token_from_the_access_page(
    browser: Browser, live_server, width
):
    from django.test import Client

    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor
    from huddle.accounts.services import token_create

    load_demo()
    max_ = Membership.objects.select_related("user", "organization").get(
        user__email="max@acme.test", organization__slug="acme"
    )
    _token, raw = token_create(actor=Actor(max_), name="Zapier sync")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "adam@acme.test")
    page.goto(f"{live_server.url}/o/acme/settings/")
    page.get_by_role("link", name="Members' tokens and connected apps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access from AI tools and scripts")
    tokens = page.get_by_role("table", name="API tokens")
    expect(tokens).to_contain_text("Max Member")
    tokens.get_by_role("button", name="Revoke Zapier sync of Max Member").click()
    expect(page.get_by_role("status").first).to_contain_text("Token Zapier sync revoked")
    expect(page.get_by_role("table", name="API tokens")).to_have_count(0)
    expect(page.get_by_text("No member has a working API token.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    me = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert me.status_code == 401
    context.close()
