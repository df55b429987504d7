"""OAuth for ``/mcp``, as ChatGPT's and claude.ai's connectors use it: discovery, dynamic
registration, the authorization code with PKCE on a consent page, the token bound to the member
and the organisation they chose, and revocation from the API tokens page."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from huddle.core.models import Event
from tests.mcp.helpers import rpc, small_library
from tests.mcp.oauth_flow import (
    REDIRECT,
    authorize_url,
    code_of,
    connect,
    consent,
    exchange,
    pkce,
    refresh,
    register,
)


@pytest.fixture
def library(editor, member):
    return small_library(editor, member)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["result"]["prompts"]]


def test_the_401_of_mcp_points_at_the_protected_resource_metadata(db):
    response = rpc(Client(), "tools/list")
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'resource_metadata="http://testserver/.well-known/oauth-protected-resource"' in challenge


def test_the_metadata_names_the_authorization_server_and_its_endpoints(db):
    resource = Client().get("/.well-known/oauth-protected-resource").json()
    assert resource["authorization_servers"] == ["http://testserver"]
    server = Client().get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == "http://testserver"
    assert server["authorization_endpoint"] == "http://testserver/oauth/authorize/"
    assert server["token_endpoint"] == "http://testserver/oauth/token/"
    assert server["registration_endpoint"] == "http://testserver/oauth/register/"
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert "password" not in server["grant_types_supported"]


def test_the_whole_flow_over_http_ends_with_a_revoked_token_refused(library, login, member, org):
    browser = login(member)
    tokens = connect(browser, org)
    assert set(tokens["scope"].split()) == {"mcp", f"org:{org.public_id}"}
    bearer = tokens["access_token"]
    assert not bearer.startswith("hud_")
    listed = names(rpc(Client(), "prompts/list", token=bearer))
    assert library["private"].slug in listed  # the member's own draft: it acts as them

    page = browser.get(reverse("tokens", args=[org.slug]))
    assert b"ChatGPT" in page.content
    connection = page.context["connections"][0]
    revoked = browser.post(reverse("connection_revoke", args=[org.slug, connection.pk]))
    assert revoked.status_code == 302
    assert Event.objects.filter(kind="oauth.revoked", organization=org).exists()

    refused = rpc(Client(), "prompts/list", token=bearer)
    assert refused.status_code == 401
    assert "resource_metadata=" in refused["WWW-Authenticate"]
    renewed = refresh(tokens)
    assert renewed.status_code == 400  # the refresh token died with the connection


def test_a_refreshed_token_stays_in_the_chosen_organisation(library, login, member, org):
    tokens = connect(login(member), org)
    renewed = refresh(tokens)
    assert renewed.status_code == 200, renewed.content
    assert f"org:{org.public_id}" in renewed.json()["scope"].split()
    assert library["launch"].slug in names(
        rpc(Client(), "prompts/list", token=renewed.json()["access_token"])
    )


def test_without_pkce_no_code_is_issued(db, login, member, org):
    client_id = register(Client())
    url = authorize_url(client_id, "x").replace("&code_challenge=x&code_challenge_method=S256", "")
    response = login(member).get(url)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "error=invalid_request" in response["Location"]
    assert "code=" not in response.get("Location", "")


def test_a_wrong_code_verifier_gets_no_token(db, login, member, org):
    client_id = register(Client())
    _verifier, challenge = pkce()
    query = code_of(consent(login(member), authorize_url(client_id, challenge), org))
    other_verifier, _ = pkce()
    response = exchange(Client(), client_id, query["code"][0], other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_denying_sends_the_client_back_with_access_denied(db, login, member, org):
    client_id = register(Client())
    _verifier, challenge = pkce()
    query = code_of(consent(login(member), authorize_url(client_id, challenge), org, allow=False))
    assert query["error"] == ["access_denied"]
    assert "code" not in query


def test_a_signed_out_visitor_is_sent_to_huddles_login_first(db):
    client_id = register(Client())
    _verifier, challenge = pkce()
    response = Client().get(authorize_url(client_id, challenge))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_an_organisation_the_member_is_not_in_cannot_be_chosen(db, login, member, other_org):
    client_id = register(Client())
    _verifier, challenge = pkce()
    response = consent(login(member), authorize_url(client_id, challenge), other_org)
    assert response.status_code == 200  # the form again, with the error
    assert "organization" in response.context["form"].errors


def test_a_token_of_one_organisation_sees_nothing_of_another(
    library, login, member, org, other_org, outsider
):
    from tests.factories import make_workflow

    theirs = make_workflow(outsider, title="Globex secret plan", inputs=[], steps=["x"])
    tokens = connect(login(member), org)
    bearer = tokens["access_token"]
    listed = names(rpc(Client(), "prompts/list", token=bearer))
    assert theirs.slug not in listed
    got = rpc(Client(), "prompts/get", {"name": theirs.slug}, token=bearer)
    assert got.json()["error"]["message"] == "Not found."
    # And the outsider's own connection sees none of the member's organisation.
    outsider_tokens = connect(login(outsider), other_org, name="Claude")
    assert library["launch"].slug not in names(
        rpc(Client(), "prompts/list", token=outsider_tokens["access_token"])
    )


def test_a_member_cannot_disconnect_anothers_app(library, login, member, editor, org):
    tokens = connect(login(member), org)
    connection = login(member).get(reverse("tokens", args=[org.slug])).context["connections"][0]
    response = login(editor).post(reverse("connection_revoke", args=[org.slug, connection.pk]))
    assert response.status_code == 404
    assert names(rpc(Client(), "prompts/list", token=tokens["access_token"]))


def test_a_removed_members_oauth_token_gets_401(library, login, owner, member, org):
    from huddle.accounts import services as accounts

    tokens = connect(login(member), org)
    accounts.membership_remove(actor=owner.actor, membership=member.membership)
    assert rpc(Client(), "prompts/list", token=tokens["access_token"]).status_code == 401


def test_registration_refuses_grants_other_than_the_authorization_code(db):
    metadata = {"client_name": "x", "redirect_uris": [REDIRECT], "grant_types": ["password"]}
    response = Client().post("/oauth/register/", json.dumps(metadata), "application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


@pytest.mark.parametrize(
    ("uri", "accepted"),
    [
        ("https://chatgpt.com/connector_platform_oauth_redirect", True),
        ("http://127.0.0.1:33418/oauth/callback", True),  # a desktop app's loopback listener
        ("http://localhost:33418/oauth/callback", True),
        ("http://attacker.example/callback", False),  # a code sent in the clear
    ],
)
def test_registration_takes_https_or_loopback_redirect_uris_only(db, uri, accepted):
    metadata = {"client_name": "x", "redirect_uris": [uri]}
    response = Client().post("/oauth/register/", json.dumps(metadata), "application/json")
    assert (response.status_code == 201) is accepted, response.content
    if not accepted:
        assert response.json()["error"] == "invalid_redirect_uri"
        assert uri in response.json()["error_description"]


def test_registrations_from_one_address_are_limited_and_the_refusal_registers_nothing(db):
    from oauth2_provider.models import Application

    from huddle.core.ratelimit import LIMITS

    metadata = json.dumps({"client_name": "loop", "redirect_uris": [REDIRECT]})
    for _ in range(LIMITS["oauth_register"].limit):
        assert Client().post("/oauth/register/", metadata, "application/json").status_code == 201
    refused = Client().post("/oauth/register/", metadata, "application/json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many client registrations" in refused.json()["error_description"]
    assert Application.objects.count() == LIMITS["oauth_register"].limit
    elsewhere = Client(REMOTE_ADDR="10.1.2.3").post(
        "/oauth/register/", metadata, "application/json"
    )
    assert elsewhere.status_code == 201  # another address is not held back


def test_the_worker_prunes_registrations_nobody_connected_and_keeps_connected_apps(
    library, login, member, org
):
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import Application, Grant

    from huddle.accounts.oauth import registrations_prune
    from huddle.accounts.tasks import oauth_prune_task

    register(Client(), "Abandoned")
    half_done = register(Client(), "Consented, never exchanged")
    _verifier, challenge = pkce()
    consent(login(member), authorize_url(half_done, challenge), org)
    Grant.objects.update(expires=timezone.now() - timedelta(minutes=1))
    connected = connect(login(member), org)["client_id"]
    fresh = register(Client(), "Registered a minute ago")
    day_old = timezone.now() - timedelta(days=2)
    Application.objects.exclude(client_id=fresh).update(created=day_old)

    assert registrations_prune() == 2
    left = set(Application.objects.values_list("client_id", flat=True))
    assert left == {connected, fresh}
    assert not Grant.objects.exists()  # expired codes go too
    assert oauth_prune_task.call() == 0  # nothing more; the chain queues its next run
    tokens_page = login(member).get(reverse("tokens", args=[org.slug]))
    assert b"ChatGPT" in tokens_page.content  # the connected app is still listed
