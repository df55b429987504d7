"""allauth's calls to an organisation's issuer go through Huddle's outbound client: an owner
cannot point single sign-on at the server's own network (SSRF) unless they say the issuer is on
their private network, and then only at the discovery URL's host."""

from __future__ import annotations

import pytest
import requests

from huddle.accounts.policy import Actor
from huddle.core.errors import ValidationFailed
from huddle.core.models import Event
from huddle.sso import services
from huddle.sso.models import SsoConfig
from huddle.sso.outbound import requests_session
from tests.runs.servers import FakeServer, Reply

DISCOVERY = {"issuer": "http://127.0.0.1", "authorization_endpoint": "http://127.0.0.1/auth"}


@pytest.fixture
def internal():
    """A server on the loopback address: what an attacker would like Huddle to call."""
    with FakeServer().queue(Reply.json(DISCOVERY)) as server:
        yield server


def test_the_session_refuses_a_loopback_address_and_sends_nothing(internal):
    with pytest.raises(requests.ConnectionError, match="loopback"):
        requests_session().get(f"{internal.url}/.well-known/openid-configuration")
    assert internal.requests == []


def test_an_allowed_host_is_reached_with_headers_body_and_json(internal):
    response = requests_session([internal.host_key]).post(
        f"{internal.url}/token", data={"code": "abc"}, headers={"X-Probe": "1"}
    )
    assert response.status_code == 200
    assert response.json() == DISCOVERY
    seen = internal.requests[0]
    assert (seen.method, seen.path, seen.body) == ("POST", "/token", b"code=abc")
    assert seen.headers["x-probe"] == "1"


def test_a_redirect_to_an_internal_address_is_refused(internal):
    """The redirect is followed by ``requests`` through the adapter again, so it is checked."""
    with (
        FakeServer().queue(
            Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        ) as public,
        pytest.raises(requests.ConnectionError, match="link-local"),
    ):
        requests_session([public.host_key]).get(public.url)


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/.well-known/openid-configuration",
        "https://10.0.0.8/.well-known/openid-configuration",
        "http://127.0.0.1:8000/.well-known/openid-configuration",
        "https://[::1]/.well-known/openid-configuration",
    ],
)
def test_saving_an_internal_discovery_url_is_refused_naming_the_field(owner, url):
    with pytest.raises(ValidationFailed) as refused:
        services.sso_config_save(
            actor=Actor(owner.membership),
            discovery_url=url,
            client_id="huddle",
            client_secret="s",
            sso_required=False,
        )
    assert "private network" in refused.value.fields["discovery_url"][0]
    assert not SsoConfig.objects.exists()


def test_an_owner_may_allow_their_private_issuer(owner):
    config = services.sso_config_save(
        actor=Actor(owner.membership),
        discovery_url="https://10.0.0.8/.well-known/openid-configuration",
        client_id="huddle",
        client_secret="s",
        sso_required=False,
        private_network=True,
    )
    assert config.oidc_private_network


def test_the_settings_page_shows_the_refusal_and_keeps_what_was_typed(org, owner, login):
    response = login(owner).post(
        f"/o/{org.slug}/settings/sso/oidc/",
        {"discovery_url": "https://169.254.169.254/x", "client_id": "huddle"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "link-local" in html
    assert 'value="https://169.254.169.254/x"' in html
    assert not SsoConfig.objects.exists()


def test_a_sign_in_to_an_issuer_that_is_not_allowed_is_refused_with_an_event(org, client, internal):
    """A configuration stored before the check (or a name that now resolves inside) still never
    reaches the address: the sign-in stops with a page that says why."""
    SsoConfig.objects.create(
        organization=org,
        oidc_discovery_url=f"{internal.url}/.well-known/openid-configuration",
        oidc_client_id="huddle",
    )
    response = client.post(f"/sso/oidc/{org.slug}/login/")
    assert response.status_code == 403
    assert "could not reach your identity provider" in response.content.decode()
    assert internal.requests == []
    refusal = Event.objects.get(organization=org, kind="sso.refused")
    assert refusal.data["reason"] == "issuer_unreachable"
