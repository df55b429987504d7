"""A person of a company that signs in by SAML: from Huddle's login page to the company's
identity provider (pysaml2's, in a second process), its sign-in page, and back, in Chromium;
then an assertion for an address of a domain no organisation mapped, refused with a message."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership, Role, User
from huddle.accounts.policy import Actor
from huddle.core.models import Event
from huddle.sso.models import SsoDomain
from huddle.sso.services import sso_saml_save
from tests.factories import MembershipFactory, OrganizationFactory
from tests.sso.samlidp.process import running_saml_idp
from tests.sso.samlidp.serve import ALICE, PARTNER, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def saml_idp(live_server, tmp_path):
    sp = f"{live_server.url}/sso/saml/acme"
    with running_saml_idp(tmp_path, f"{sp}/metadata/", f"{sp}/acs/") as provider:
        org = OrganizationFactory(slug="acme", name="Acme Marketing")
        owner = MembershipFactory(organization=org, role=Role.OWNER)
        sso_saml_save(actor=Actor(owner), metadata_xml=provider.metadata)
        SsoDomain.objects.create(organization=org, domain="acme-corp.com")
        yield provider


def _through_the_provider(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work e-mail").fill(ALICE)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Continue to Acme Marketing's sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme SAML sign-in")
    page.get_by_label("Username").fill(ALICE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to Acme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed in at Acme")
    page.get_by_role("button", name="Continue to Huddle").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_person_signs_in_through_the_company_saml_provider(
    page: Page, live_server, saml_idp, width
):
    page.set_viewport_size({"width": width, "height": 900})
    _through_the_provider(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Marketing")
    assert page.url == f"{live_server.url}/o/acme/"
    user = User.objects.get(email=ALICE)
    assert user.name == "Alice Ng"
    assert Membership.objects.filter(organization__slug="acme", user=user).exists()


def test_an_address_of_an_unmapped_domain_is_refused_with_a_message(
    page: Page, live_server, saml_idp
):
    saml_idp.fault("partner")
    _through_the_provider(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on did not work")
    expect(page.get_by_role("alert")).to_contain_text(
        f"{PARTNER} is not in a domain of Acme Marketing"
    )
    assert Event.objects.filter(kind="sso.refused", data__reason="unmapped_domain").exists()
    assert not User.objects.filter(email=PARTNER).exists()
    page.goto(f"{live_server.url}/o/acme/")
    assert "/accounts/login/" in page.url  # not signed in
