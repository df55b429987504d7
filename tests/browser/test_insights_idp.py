"""An owner reads Insights divided the way the identity provider places people: a table by
department and one by region, readable at phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership
from huddle.demo import DEMO_PASSWORD, load_demo
from huddle.sso.services import Person, scim_user_create
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _members():
    return (
        Membership.objects.filter(organization__slug="acme")
        .select_related("user", "organization")
        .order_by("user__email")
    )


def _place(memberships, attributes: dict[str, str]) -> None:
    """The identity provider provisions existing members with where they sit."""
    for membership in memberships:
        scim_user_create(
            organization=membership.organization,
            person=Person(
                user_name=membership.user.email,
                email=membership.user.email,
                attributes=attributes,
            ),
        )


@pytest.mark.parametrize("width", [1280, 390])
def test_the_owner_sees_figures_by_department_and_by_region(page: Page, live_server, width):
    load_demo()
    memberships = Membership.objects.filter(organization__slug="acme").select_related("user")
    for n, membership in enumerate(memberships.order_by("user__email")[:4]):
        # The identity provider provisions existing members with where they sit.
        scim_user_create(
            organization=membership.organization,
            person=Person(
                user_name=membership.user.email,
                email=membership.user.email,
                attributes={"department": "Legal" if n < 2 else "Brand", "region": "EMEA"},
            ),
        )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "olivia@acme.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/insights/")
    departments = page.get_by_role("region", name="By department")
    legal = departments.get_by_role("row", name="Legal")
    expect(legal.get_by_role("cell").nth(1)).to_have_text("2")  # members
    expect(departments.get_by_role("row", name="Brand")).to_be_visible()
    regions = page.get_by_role("region", name="By region")
    expect(regions.get_by_role("row", name="EMEA")).to_be_visible()
    expect(page.get_by_role("heading", name="By division")).to_have_count(0)
    regions.scroll_into_view_if_needed()
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_sees_small_departments_and_teams_by_head_count_only(
    page: Page, live_server, width
):
    load_demo()
    _place(_members()[:2], {"department": "Legal"})
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "maya@acme.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/insights/")
    legal = page.get_by_role("region", name="By department").get_by_role("row", name="Legal")
    expect(legal).to_contain_text("Fewer than 5 people: not shown")
    expect(page.get_by_role("option", name="Content (fewer than 5 people)")).to_be_disabled()
    legal.scroll_into_view_if_needed()
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_does_not_see_a_department_two_people_short_of_the_organisation(
    page: Page, live_server, width
):
    load_demo()
    everyone = _members().count()
    _place(_members()[: everyone - 2], {"department": "Marketing"})
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "maya@acme.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/acme/insights/")
    row = page.get_by_role("region", name="By department").get_by_role("row", name="Marketing")
    # The organisation's figures minus this department's would be the other two people's.
    expect(row).to_contain_text("Within 2 people of a larger group: not shown")
    expect(row.get_by_role("cell").nth(1)).to_have_text(str(everyone - 2))
    row.scroll_into_view_if_needed()
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
