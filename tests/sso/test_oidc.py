"""OpenID Connect sign-in against a real provider (django-oauth-toolkit, in a second process):
the full authorization-code flow over HTTP, and each refusal with its message and event."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from huddle.accounts.models import Membership, Role, User
from huddle.core.crypto import encrypt
from huddle.core.models import Event
from huddle.sso.models import MemberAttributes, ScimUser, SsoConfig, SsoDomain
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.sso.idp.process import running_idp

CALLBACK = "http://testserver/sso/oidc/acme/login/callback/"


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    with running_idp(tmp_path_factory.mktemp("idp"), [CALLBACK]) as provider:
        yield provider


@pytest.fixture
def acme(db, org, idp):
    idp.fault("ok")
    SsoConfig.objects.create(
        organization=org,
        oidc_discovery_url=idp.discovery_url,
        oidc_private_network=True,  # the test provider listens on 127.0.0.1
        oidc_client_id=idp.client_id,
        oidc_secret_encrypted=encrypt(idp.client_secret),
    )
    SsoDomain.objects.create(organization=org, domain="acme-corp.com")
    return org


def _sign_in(client, idp, email: str = "alice@acme-corp.com"):
    """Start at Huddle, sign in at the provider, come back to Huddle's callback."""
    offer = client.post("/accounts/sso/", {"email": email})
    assert offer.status_code == 200
    assert f"form-action 'self' {idp.url}" in offer["Content-Security-Policy"]
    start = client.post("/sso/oidc/acme/login/")
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(idp.url)
    browser = requests.Session()
    login_page = browser.get(start["Location"], timeout=10)
    assert "Acme Identity sign-in" in login_page.text
    next_url = re.search(r'name="next" value="([^"]*)"', login_page.text)[1].replace("&amp;", "&")
    signed_in = browser.post(
        login_page.url,
        data={
            "username": idp.user,
            "password": idp.password,
            "csrfmiddlewaretoken": browser.cookies["idp_csrf"],
            "next": next_url,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302
    back = browser.get(idp.url + signed_in.headers["Location"], allow_redirects=False, timeout=10)
    callback = back.headers["Location"]
    assert callback.startswith(CALLBACK), callback
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def _refusals(org) -> list[str]:
    return [e.data["reason"] for e in Event.objects.filter(organization=org, kind="sso.refused")]


def test_a_new_person_signs_in_and_joins_as_a_member(acme, idp, client):
    response = _sign_in(client, idp)
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    user = User.objects.get(email="alice@acme-corp.com")
    assert user.name == "Alice Ng"
    assert not user.has_usable_password()
    assert Membership.objects.get(organization=acme, user=user).role == Role.MEMBER
    assert client.get("/o/acme/").status_code == 200
    assert Event.objects.filter(organization=acme, kind="sso.signed_in", actor=user).exists()
    # The department claim and the standard address claim's region are kept for insights.
    where = MemberAttributes.objects.get(organization=acme, user=user)
    assert (where.department, where.region) == ("Marketing", "EMEA")


def test_an_existing_account_is_linked_by_its_verified_address(acme, idp, client):
    alice = UserFactory(email="alice@acme-corp.com")
    MembershipFactory(organization=acme, user=alice, role=Role.EDITOR)
    assert _sign_in(client, idp).status_code == 302
    assert User.objects.filter(email__iexact="alice@acme-corp.com").count() == 1
    assert int(client.session["_auth_user_id"]) == alice.pk
    assert Membership.objects.get(organization=acme, user=alice).role == Role.EDITOR


@pytest.mark.parametrize(
    ("fault", "reason", "message"),
    [
        ("wrong_audience", "wrong_audience", "issued for another application (wrong audience)"),
        ("expired", "expired", "sign-in token from your identity provider had expired"),
        ("other_domain", "unmapped_domain", "alice@elsewhere-corp.com is not in a domain of"),
        ("unverified", "unverified_email", "did not confirm that alice@acme-corp.com is verified"),
    ],
)
def test_faulty_sign_ins_are_refused_with_a_message_and_an_event(
    acme, idp, client, fault, reason, message
):
    idp.fault(fault)
    response = _sign_in(client, idp)
    assert response.status_code == 403
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _refusals(acme) == [reason]
    assert not Membership.objects.filter(
        organization=acme, user__email__endswith="corp.com"
    ).exists()


def test_someone_deactivated_by_provisioning_cannot_sign_in_by_sso(acme, idp, client):
    alice = UserFactory(email="alice@acme-corp.com")
    ScimUser.objects.create(organization=acme, user=alice, user_name=alice.email, active=False)
    response = _sign_in(client, idp)
    assert response.status_code == 403
    assert "removed by your identity provider" in response.content.decode()
    assert _refusals(acme) == ["deactivated"]


def test_an_address_of_no_sso_organisation_is_told_to_use_its_password(acme, client):
    response = client.post("/accounts/sso/", {"email": "bob@unknown-corp.com"})
    assert response.status_code == 400
    assert "does not belong to an organisation that signs in" in response.content.decode()


def test_sso_required_refuses_passwords_of_the_domain_but_owners_keep_theirs(acme, client):
    SsoConfig.objects.filter(organization=acme).update(sso_required=True)
    member = UserFactory(email="carl@acme-corp.com")
    MembershipFactory(organization=acme, user=member, role=Role.ADMIN)
    boss = UserFactory(email="boss@acme-corp.com")
    MembershipFactory(organization=acme, user=boss, role=Role.OWNER)
    refused = client.post("/accounts/login/", {"username": member.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "Acme Marketing signs in with single sign-on" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    allowed = client.post("/accounts/login/", {"username": boss.email, "password": PASSWORD})
    assert allowed.status_code == 302  # the owner's break-glass account
    outside = UserFactory(email="dee@other-corp.com")
    client.logout()
    assert (
        client.post(
            "/accounts/login/", {"username": outside.email, "password": PASSWORD}
        ).status_code
        == 302
    )


def test_logging_out_after_an_oidc_sign_in_goes_on_to_the_providers_logout(acme, idp, client):
    assert _sign_in(client, idp).status_code == 302
    page = client.post("/accounts/logout/")
    assert page.status_code == 200
    html = page.content.decode().replace("&amp;", "&")
    end_session = re.search(r'href="([^"]+/o/logout/[^"]*)"', html)[1]
    query = parse_qs(urlsplit(end_session).query)
    assert end_session.startswith(idp.url)
    assert query["client_id"] == [idp.client_id]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    # The ID token of this sign-in says whose session to end (Okta requires it).
    hint = jwt.decode(query["id_token_hint"][0], options={"verify_signature": False})
    assert hint["aud"] == idp.client_id
    assert hint["email"] == "alice@acme-corp.com"
    assert "You are signed out of Huddle" in html
    assert "_auth_user_id" not in client.session
    assert client.get("/o/acme/").status_code == 302


def test_a_password_log_out_stays_in_huddle(acme, owner, login):
    browser = login(owner.user)
    response = browser.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
