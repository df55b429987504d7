"""A person's first walk through Huddle: log in, switch organisation, invite, see the members."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Invitation
from huddle.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_demo_owner_switches_organisation_invites_and_sees_members(
    page: Page, live_server, output_path: str
):
    demo = load_demo()
    log_in(page, live_server.url, demo.owner_email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Marketing")

    # Switch to the other organisation and back with the switcher.
    page.get_by_label("Switch organisation").click()
    page.get_by_role("link", name="Globex Agency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex Agency")
    expect(page).to_have_url(f"{live_server.url}/o/globex/")
    page.get_by_label("Switch organisation").click()
    page.get_by_role("link", name="Acme Marketing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Marketing")

    # Invite a new colleague as an editor.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_label("Email address").fill("nora@acme.test")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_label("Team", exact=True).select_option(label="Social")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status").first).to_contain_text("Invitation sent to nora@acme.test")
    link = page.get_by_label("Invitation link").input_value()
    assert "/invite/inv_" in link
    pending = page.get_by_role("heading", name="Pending invitations").locator("..")
    expect(pending).to_contain_text("nora@acme.test")
    expect(page.get_by_role("table").first).to_contain_text("Victor Viewer")
    assert Invitation.objects.get(email="nora@acme.test").role == "editor"

    page.screenshot(path=str(Path(output_path) / "members.png"), full_page=True)
    assert (Path(output_path) / "members.png").stat().st_size > 10_000


def test_invited_person_signs_up_from_the_link(page: Page, live_server):
    from huddle.accounts import services
    from huddle.accounts.models import Organization

    load_demo()
    acme = Organization.objects.get(slug="acme")
    _inv, url = services.invitation_create(
        actor=None, organization=acme, email="nora@acme.test", role="member"
    )
    page.goto(url.replace("http://127.0.0.1:8000", live_server.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Acme Marketing")
    page.get_by_label("Your name").fill("Nora New")
    page.get_by_label("Choose a password").fill("nora-loves-long-passphrases")
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Acme Marketing")
    expect(page.locator(".who")).to_have_text("Nora New")


def test_role_change_happens_in_place_with_htmx(page: Page, live_server):
    demo = load_demo()
    log_in(page, live_server.url, demo.owner_email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/members/")
    with page.expect_response(lambda response: "/role/" in response.url) as answer:
        page.get_by_label("Role of Victor Viewer").select_option("member")
    assert answer.value.status == 200
    row = page.get_by_role("row").filter(has_text="Victor Viewer")
    expect(row.get_by_role("status")).to_have_text("Saved")
    page.reload()
    expect(page.get_by_label("Role of Victor Viewer")).to_have_value("member")


def test_the_owner_changes_a_teams_members_by_ticking_them(page: Page, live_server):
    demo = load_demo()
    log_in(page, live_server.url, demo.owner_email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/teams/")
    page.get_by_role("link", name="Social").click()
    members = page.get_by_role("group", name="Members of Social")
    expect(members.get_by_label("Max Member")).to_be_checked()
    members.get_by_label("Max Member").uncheck()
    members.get_by_label("Victor Viewer").check()
    page.get_by_role("button", name="Save members").click()
    expect(page.get_by_role("status").first).to_contain_text("Members of Social saved.")
    expect(members.get_by_label("Victor Viewer")).to_be_checked()
    expect(members.get_by_label("Max Member")).not_to_be_checked()
