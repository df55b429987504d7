"""An owner turns on provisioning: creates the SCIM token, copies it, and an identity provider
pushes a group that appears on the page, where the owner picks the role it grants."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership, Role
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _owner_signs_in(page: Page, live_server, width: int) -> None:
    """The owner of Acme Marketing, signed in at ``width`` pixels."""
    page.set_viewport_size({"width": width, "height": 900})
    org = OrganizationFactory(slug="acme", name="Acme Marketing")
    owner = UserFactory(email="owner@acme.test")
    MembershipFactory(organization=org, user=owner, role=Role.OWNER)
    _sign_in(page, live_server, owner.email)


@pytest.mark.parametrize("width", [1280, 390])
def test_owner_creates_the_scim_token_and_gives_a_pushed_group_a_role(
    page: Page, live_server, width
):
    _owner_signs_in(page, live_server, width)
    page.goto(f"{live_server.url}/o/acme/settings/")
    page.get_by_role("link", name="Single sign-on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on and provisioning")
    expect(page.get_by_text("No SCIM token: provisioning is off.")).to_be_visible()
    page.get_by_role("button", name="Create SCIM token").click()
    expect(page.get_by_role("status")).to_contain_text("Copy the SCIM token now")
    raw = page.get_by_label("New SCIM token").input_value()
    assert raw.startswith("scim_")
    expect(page.locator("#scim-url")).to_have_text(f"{live_server.url}/scim/v2")

    # The identity provider pushes a person and a group with them in it.
    idp = Client(headers={"authorization": f"Bearer {raw}"})
    user = idp.post(
        "/scim/v2/Users",
        json.dumps({"userName": "dana@acme-corp.com", "name": {"formatted": "Dana Lee"}}),
        content_type="application/scim+json",
    ).json()
    idp.post(
        "/scim/v2/Groups",
        json.dumps({"displayName": "Campaign Leads", "members": [{"value": user["id"]}]}),
        content_type="application/scim+json",
    )
    page.reload()
    expect(page.get_by_text("Provisioned people: 1 active, 0 deactivated.")).to_be_visible()
    row = page.get_by_role("row", name="Campaign Leads")
    expect(row).to_be_visible()
    row.get_by_label("Role granted by Campaign Leads").select_option("editor")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Members of Campaign Leads now get Editor.")).to_be_visible()
    assert Membership.objects.get(user__email="dana@acme-corp.com").role == Role.EDITOR
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1 && !e.closest('.table-scroll')).map(e => e.tagName + '.' +"
        " e.className + '#' + e.id)"
    )
    assert not wide, f"the page scrolls sideways: {wide}"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_refused_sign_in_setting_is_named_next_to_its_field_with_what_was_typed(
    page: Page, live_server, width
):
    _owner_signs_in(page, live_server, width)
    page.goto(f"{live_server.url}/o/acme/settings/sso/")
    page.get_by_label("Discovery URL").fill("http://idp.acme-corp.com/.well-known/x")
    page.get_by_label("Client ID").fill("huddle-web")
    page.get_by_role("button", name="Save sign-in settings").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "The discovery URL must start with https://."
    )
    field = page.locator(".field", has=page.get_by_label("Discovery URL"))
    expect(field).to_contain_text("Use the issuer's https:// address.")
    expect(page.get_by_label("Discovery URL")).to_have_value(
        "http://idp.acme-corp.com/.well-known/x"
    )
    expect(page.get_by_label("Client ID")).to_have_value("huddle-web")
    # The field's own message: nothing the owner did not touch is marked.
    expect(page.locator(".field", has=page.get_by_label("Client ID"))).not_to_contain_text("Use")
