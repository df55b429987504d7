"""SAML 2.0 sign-in against a real identity provider (pysaml2's, in a second process): the whole
SP-initiated flow over HTTP, and bad metadata, a wrong audience, an expired and a replayed
assertion, each refused with a message and an event."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from huddle.accounts.models import Membership, Role, User
from huddle.core.models import Event
from huddle.sso import services
from huddle.sso.models import MemberAttributes, SsoConfig, SsoDomain
from tests.factories import MembershipFactory, UserFactory
from tests.sso.samlidp.process import running_saml_idp
from tests.sso.samlidp.serve import ALICE, PASSWORD

SP_ENTITY = "http://localhost/sso/saml/acme/metadata/"
ACS = "http://localhost/sso/saml/acme/acs/"


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory):
    with running_saml_idp(tmp_path_factory.mktemp("samlidp"), SP_ENTITY, ACS) as provider:
        yield provider


@pytest.fixture
def boss(db, org):
    user = UserFactory(email="boss@acme-corp.com")
    return MembershipFactory(organization=org, user=user, role=Role.OWNER)


@pytest.fixture
def acme(db, org, boss, saml_idp):
    from huddle.accounts.policy import Actor

    saml_idp.fault("ok")
    services.sso_saml_save(actor=Actor(boss), metadata_xml=saml_idp.metadata)
    SsoDomain.objects.create(organization=org, domain="acme-corp.com")
    return org


def _assertion(client, saml_idp) -> dict[str, str]:
    """Start at Huddle and get the IdP's signed response (what its page would post)."""
    offer = client.post("/accounts/sso/", {"email": "alice@acme-corp.com"})
    assert "/sso/saml/acme/login/" in offer.content.decode()
    start = client.post("/sso/saml/acme/login/")
    assert start.status_code == 302
    assert start["Location"].startswith(saml_idp.url)
    login_page = requests.get(start["Location"], timeout=10)
    assert "Acme SAML sign-in" in login_page.text
    carried = dict(re.findall(r'name="(SAMLRequest|RelayState)" value="([^"]*)"', login_page.text))
    credentials = {"username": ALICE, "password": PASSWORD}
    page = requests.post(
        f"{saml_idp.url}/sso",
        {**{k: html.unescape(v) for k, v in carried.items()}, **credentials},
        timeout=10,
    )
    assert "Signed in at Acme" in page.text
    fields = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', page.text))
    action = html.unescape(re.search(r'action="([^"]+)"', page.text)[1])
    assert action == ACS
    return {k: html.unescape(v) for k, v in fields.items()}


def _post_to_huddle(client, fields: dict[str, str]):
    accepted = client.post(urlsplit(ACS).path, fields)
    assert accepted.status_code == 302
    return client.get(accepted["Location"])


@pytest.fixture
def client():
    # Browsers always send Host, and python3-saml reads it and wants a real host name;
    # Django's test client sends none.
    return Client(HTTP_HOST="localhost")


def _refusals(org) -> list[str]:
    return [e.data["reason"] for e in Event.objects.filter(organization=org, kind="sso.refused")]


def test_a_person_signs_in_by_saml_and_joins_as_a_member(acme, saml_idp, client):
    response = _post_to_huddle(client, _assertion(client, saml_idp))
    assert response.status_code == 302, response.content
    assert response["Location"] == "/o/acme/"
    user = User.objects.get(email="alice@acme-corp.com")
    assert user.name == "Alice Ng"
    assert Membership.objects.get(organization=acme, user=user).role == Role.MEMBER
    assert client.get("/o/acme/").status_code == 200
    # departmentNumber and stateOrProvinceName (as OIDs) are kept for insights.
    where = MemberAttributes.objects.get(organization=acme, user=user)
    assert (where.department, where.region) == ("Brand", "APAC")


def test_a_replayed_assertion_is_refused(acme, saml_idp, client):
    fields = _assertion(client, saml_idp)
    assert _post_to_huddle(client, fields).status_code == 302
    client.logout()
    replayed = _post_to_huddle(client, fields)
    assert replayed.status_code == 403
    assert "replayed assertion" in replayed.content.decode()
    assert "_auth_user_id" not in client.session
    assert _refusals(acme) == ["replayed"]


@pytest.mark.parametrize(
    ("fault", "reason", "message"),
    [
        ("wrong_audience", "wrong_audience", "issued for another application (wrong audience)"),
        ("expired", "expired", "had expired"),
    ],
)
def test_faulty_assertions_are_refused_with_a_message_and_an_event(
    acme, saml_idp, client, fault, reason, message
):
    saml_idp.fault(fault)
    response = _post_to_huddle(client, _assertion(client, saml_idp))
    assert response.status_code == 403
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _refusals(acme) == [reason]
    assert not User.objects.filter(email="alice@acme-corp.com").exists()


@pytest.mark.parametrize(
    "metadata",
    ["not xml at all", "<EntityDescriptor/>", '<?xml version="1.0"?><a><b></a>'],
)
def test_bad_metadata_is_refused_with_a_message_and_an_event(db, org, boss, login, metadata):
    response = login(boss.user).post(
        f"/o/{org.slug}/settings/sso/saml/", {"saml_metadata": metadata}
    )
    assert response.status_code == 422
    assert "not usable SAML metadata" in response.content.decode()
    assert not SsoConfig.objects.filter(organization=org).exclude(saml_metadata="").exists()
    assert _refusals(org) == ["bad_metadata"]
