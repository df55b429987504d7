"""Connecting ChatGPT to Huddle by OAuth: the member signs in, sees which app asks and for which
organisation, allows it, lands back in the app with a code, and finds the app on the API tokens
page, on a desktop and on a phone."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page, Route, expect

from tests.factories import PASSWORD
from tests.mcp.oauth_flow import REDIRECT, authorize_url, exchange, pkce, register

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_connects_chatgpt_on_the_consent_page(
    page: Page, live_server, output_path: str, org, member, width
):
    client_id = register(Client(), "ChatGPT")
    verifier, challenge = pkce()
    landed: list[str] = []

    def back_in_chatgpt(route: Route) -> None:  # no internet here: the redirect stops at us
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Back in ChatGPT</p>")

    page.route(f"{REDIRECT}**", back_in_chatgpt)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + authorize_url(client_id, challenge, state="s-123"))
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Connect ChatGPT to Huddle?")
    expect(page.get_by_label("Organisation")).to_contain_text(org.name)
    allow = page.get_by_role("button", name="Allow")
    expect(allow).to_be_visible()
    box = allow.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= width  # reachable on a phone
    page.screenshot(path=f"{output_path}/consent-{width}.png", full_page=True)
    allow.click()

    expect(page.get_by_text("Back in ChatGPT")).to_be_visible()
    query = parse_qs(urlsplit(landed[-1]).query)
    assert query["state"] == ["s-123"]
    # ChatGPT exchanges the code; the member then finds it among their connected apps.
    assert exchange(Client(), client_id, query["code"][0], verifier).status_code == 200
    page.goto(f"{live_server.url}/o/{org.slug}/settings/tokens/")
    apps = page.get_by_role("table", name="Connected apps")
    expect(apps).to_contain_text("ChatGPT")
