"""The owner's single sign-on page: the SCIM token shown once, revoked, and group roles."""

from __future__ import annotations

import re

import pytest

from huddle.accounts.models import Role
from huddle.core.crypto import decrypt
from huddle.core.models import Event
from huddle.sso import services
from huddle.sso.models import ScimGroup, ScimToken, SsoConfig, SsoDomain
from tests.factories import MembershipFactory, UserFactory


def _url(org, name: str = "") -> str:
    return f"/o/{org.slug}/settings/sso/{name}"


def test_owner_creates_a_scim_token_that_is_shown_once_and_works(db, org, owner, login, client):
    page = login(owner)
    assert "No SCIM token" in page.get(_url(org)).content.decode()
    created = page.post(_url(org, "scim-token/"))
    html = created.content.decode()
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    raw = re.search(r'value="(scim_[^"]+)"', html)[1]
    assert "http://testserver/scim/v2" in html
    token = ScimToken.objects.get(organization=org)
    assert token.token_hash != raw
    assert raw not in str(token.__dict__)
    assert raw not in page.get(_url(org)).content.decode()  # shown once
    assert (
        client.get("/scim/v2/Users", headers={"authorization": f"Bearer {raw}"}).status_code == 200
    )
    assert Event.objects.filter(
        organization=org, kind="scim.token_created", actor=owner.user
    ).exists()


def test_replacing_the_token_stops_the_old_one(db, org, owner, login, client):
    _old, old_raw = services.scim_token_create(actor=owner.actor)
    login(owner).post(_url(org, "scim-token/"))
    assert (
        client.get("/scim/v2/Users", headers={"authorization": f"Bearer {old_raw}"}).status_code
        == 401
    )


def test_revoking_stops_provisioning_at_once(db, org, owner, login, client):
    token, raw = services.scim_token_create(actor=owner.actor)
    response = login(owner).post(_url(org, f"scim-token/{token.public_id}/revoke/"), follow=True)
    assert "SCIM token revoked" in response.content.decode()
    assert (
        client.get("/scim/v2/Users", headers={"authorization": f"Bearer {raw}"}).status_code == 401
    )
    assert Event.objects.filter(organization=org, kind="scim.token_revoked").exists()


def test_owner_sets_the_role_a_group_grants(db, org, owner, login):
    group = services.scim_group_create(organization=org, display_name="Sales")
    response = login(owner).post(
        _url(org, f"groups/{group.public_id}/role/"), {"role": "editor"}, follow=True
    )
    assert "Members of Sales now get Editor" in response.content.decode()
    group.refresh_from_db()
    assert group.role == Role.EDITOR


def test_a_group_cannot_grant_owner(db, org, owner, login):
    group = services.scim_group_create(organization=org, display_name="Sales")
    response = login(owner).post(
        _url(org, f"groups/{group.public_id}/role/"), {"role": "owner"}, follow=True
    )
    assert "not a role a group can grant" in response.content.decode()
    assert ScimGroup.objects.get(pk=group.pk).role == ""


def test_admins_and_below_cannot_see_or_use_the_page(db, org, personas, login):
    for name in ("admin", "editor", "member", "viewer"):
        client = login(personas[name])
        assert client.get(_url(org)).status_code == 403
        assert client.post(_url(org, "scim-token/")).status_code == 403
    assert login(personas["outsider"]).get(_url(org)).status_code == 404
    assert not ScimToken.objects.exists()


def test_owner_configures_oidc_and_the_secret_is_stored_encrypted(db, org, owner, login):
    page = login(owner)
    response = page.post(
        _url(org, "oidc/"),
        {
            "discovery_url": "https://login.acme-corp.com/.well-known/openid-configuration",
            "client_id": "huddle",
            "client_secret": "s3cret-value",
            "sso_required": "on",
        },
        follow=True,
    )
    assert "Single sign-on settings saved." in response.content.decode()
    config = SsoConfig.objects.get(organization=org)
    assert config.sso_required
    assert "s3cret-value" not in config.oidc_secret_encrypted
    assert decrypt(config.oidc_secret_encrypted) == "s3cret-value"
    html = page.get(_url(org)).content.decode()
    assert "s3cret-value" not in html
    assert "A secret is stored (encrypted)" in html
    page.post(_url(org, "oidc/"), {"discovery_url": config.oidc_discovery_url, "client_id": "x"})
    config.refresh_from_db()
    assert decrypt(config.oidc_secret_encrypted) == "s3cret-value"  # empty keeps the secret
    assert Event.objects.filter(organization=org, kind="sso.config_changed").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"discovery_url": "http://idp.acme-corp.com/x", "client_id": "c"},
            "must start with https",
        ),
        ({"discovery_url": "https://idp.acme-corp.com/x", "client_id": ""}, "Give both"),
        ({"discovery_url": "", "client_id": "", "sso_required": "on"}, "before requiring"),
    ],
)
def test_bad_oidc_settings_are_refused_with_a_message(db, org, owner, login, data, message):
    response = login(owner).post(_url(org, "oidc/"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not SsoConfig.objects.exists()


def test_an_owner_maps_only_the_domain_of_their_own_address(db, org, login):
    boss = MembershipFactory(
        organization=org, user=UserFactory(email="boss@acme-corp.com"), role=Role.OWNER
    )
    page = login(boss.user)
    refused = page.post(_url(org, "domains/"), {"domain": "gmail.com"})
    assert refused.status_code == 422
    assert "only the domain of your own address" in refused.content.decode()
    page.post(_url(org, "domains/"), {"domain": "@Acme-Corp.com"})
    domain = SsoDomain.objects.get(organization=org)
    assert domain.domain == "acme-corp.com"
    page.post(_url(org, f"domains/{domain.public_id}/remove/"))
    assert not SsoDomain.objects.exists()


def test_a_domain_belongs_to_one_organisation_at_most(db, org, other_org, login):
    SsoDomain.objects.create(organization=other_org, domain="acme-corp.com")
    boss = MembershipFactory(
        organization=org, user=UserFactory(email="boss@acme-corp.com"), role=Role.OWNER
    )
    response = login(boss.user).post(_url(org, "domains/"), {"domain": "acme-corp.com"})
    assert response.status_code == 422
    assert "already mapped" in response.content.decode()


def test_an_unknown_group_role_is_named_and_nothing_changes(db, org, owner, login):
    group = services.scim_group_create(organization=org, display_name="Sales")
    services.scim_group_set_role(actor=owner.actor, group=group, role="editor")
    response = login(owner).post(
        _url(org, f"groups/{group.public_id}/role/"), {"role": "superuser"}, follow=True
    )
    assert (
        "That is not a role a group can grant. Role: Select a valid choice. superuser is not "
        "one of the available choices."
    ) in response.content.decode()
    assert ScimGroup.objects.get(pk=group.pk).role == Role.EDITOR


def test_a_too_long_discovery_url_is_named_next_to_its_field_and_nothing_is_saved(
    db, org, owner, login
):
    long_url = "https://idp.acme-corp.com/" + "x" * 500
    response = login(owner).post(
        _url(org, "oidc/"), {"discovery_url": long_url, "client_id": "huddle"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Discovery URL: Ensure this value has at most 500 characters (it has 526)." in html
    field = html[html.index('id="id_discovery_url"') : html.index('for="id_client_id"')]
    assert "Ensure this value has at most 500 characters" in field
    assert f'value="{long_url}"' in field  # what was typed stays in the field
    assert 'value="huddle"' in html
    assert not SsoConfig.objects.exists()


def test_a_refused_oidc_setting_shows_its_problem_next_to_the_field(db, org, owner, login):
    response = login(owner).post(
        _url(org, "oidc/"), {"discovery_url": "http://idp.acme-corp.com/x", "client_id": "c"}
    )
    html = response.content.decode()
    field = html[html.index('id="id_discovery_url"') : html.index('for="id_client_id"')]
    assert "Use the issuer&#x27;s https:// address." in field


def test_a_missing_domain_is_named_and_nothing_is_mapped(db, org, owner, login):
    response = login(owner).post(_url(org, "domains/"), {})
    assert response.status_code == 422
    assert "Domain: Give the part after @, e.g. example.com." in response.content.decode()
    assert not SsoDomain.objects.exists()


def test_metadata_past_the_limit_is_refused_and_saml_stays_off(db, org, owner, login):
    from huddle.sso.forms import MAX_METADATA_CHARS

    response = login(owner).post(
        _url(org, "saml/"), {"saml_metadata": "<" + "x" * MAX_METADATA_CHARS + ">"}
    )
    assert response.status_code == 422
    assert "Identity provider metadata: Ensure this value has at most" in (
        response.content.decode()
    )
    assert not SsoConfig.objects.filter(organization=org).exclude(saml_metadata="").exists()
