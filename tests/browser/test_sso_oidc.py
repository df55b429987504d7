"""A person of a company that signs in by OpenID Connect: from Huddle's login page to the
company's provider (a real one, django-oauth-toolkit in a second process) and back, in Chromium;
then the same with a token for another application, refused with a message."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership
from huddle.core.crypto import encrypt
from huddle.core.models import Event
from huddle.sso.models import SsoConfig, SsoDomain
from tests.factories import OrganizationFactory
from tests.sso.idp.process import running_idp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def idp(live_server, tmp_path):
    callback = f"{live_server.url}/sso/oidc/acme/login/callback/"
    with running_idp(tmp_path, [callback]) as provider:
        org = OrganizationFactory(slug="acme", name="Acme Marketing")
        SsoConfig.objects.create(
            organization=org,
            oidc_discovery_url=provider.discovery_url,
            oidc_private_network=True,  # the test provider listens on 127.0.0.1
            oidc_client_id=provider.client_id,
            oidc_secret_encrypted=encrypt(provider.client_secret),
        )
        SsoDomain.objects.create(organization=org, domain="acme-corp.com")
        yield provider


def _through_the_provider(page: Page, live_server, idp) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work e-mail").fill("alice@acme-corp.com")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Continue to Acme Marketing's sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Identity sign-in")
    page.get_by_label("Username").fill(idp.user)
    page.get_by_label("Password").fill(idp.password)
    page.get_by_role("button", name="Sign in to Acme").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_person_signs_in_through_the_company_provider(page: Page, live_server, idp, width):
    page.set_viewport_size({"width": width, "height": 900})
    _through_the_provider(page, live_server, idp)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Marketing")
    assert page.url == f"{live_server.url}/o/acme/"
    assert Membership.objects.filter(user__email="alice@acme-corp.com").exists()


def test_a_token_for_another_application_is_refused_with_a_message(page: Page, live_server, idp):
    idp.fault("wrong_audience")
    _through_the_provider(page, live_server, idp)
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on did not work")
    expect(page.get_by_role("alert")).to_contain_text("wrong audience")
    assert Event.objects.filter(kind="sso.refused", data__reason="wrong_audience").exists()
    page.goto(f"{live_server.url}/o/acme/")
    assert "/accounts/login/" in page.url  # not signed in


def test_logging_out_of_huddle_signs_out_at_the_provider_too(page: Page, live_server, idp):
    _through_the_provider(page, live_server, idp)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Marketing")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("Signing you out at Acme Marketing's")
    # The page moves on to the provider, which ends the session without asking again: the
    # ID token of this sign-in says whose it is.
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    # The provider's session is over: signing in again asks for the password.
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work e-mail").fill("alice@acme-corp.com")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Continue to Acme Marketing's sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Identity sign-in")
