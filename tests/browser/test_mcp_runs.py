"""A run started from a prompt inside an AI assistant (MCP) shows its source on the runs page and
the run's page, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from huddle.mcp import prompts
from huddle.mcp.tools import call_tool
from tests.factories import PASSWORD
from tests.mcp.helpers import small_library

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_runs_page_shows_a_run_from_an_ai_assistant(
    page: Page, live_server, output_path: str, editor, member, width
):
    library = small_library(editor, member)
    prompts.get_prompt(member.actor, library["endorsed"].slug, {})
    call_tool(member.actor, "log_run", {"workflow": library["endorsed"].slug, "rating": 5})
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/runs/")
    row = page.get_by_role("row").filter(has_text="Press release")
    expect(row).to_contain_text("AI assistant (MCP)")
    expect(row.get_by_role("cell", name="AI assistant (MCP)")).to_be_visible()
    page.screenshot(path=f"{output_path}/runs-{width}.png", full_page=True)
    row.get_by_role("link").first.click()
    expect(page.locator(".meta").first).to_contain_text("AI assistant (MCP)")
