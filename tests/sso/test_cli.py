"""``huddle sso``: the operator maps domains for an organisation (any domain, through the
service and its event; never one another organisation holds) and reads its SSO status."""

from __future__ import annotations

import json

import pytest

from huddle.cli import run
from huddle.core.models import Event
from huddle.sso.models import SsoConfig, SsoDomain
from huddle.sso.services import scim_token_create

pytestmark = pytest.mark.django_db


def test_the_operator_maps_any_domain_with_its_event(org, owner, capsys):
    assert run(["sso", "domain", "add", "--org", "acme", "@Acme-Corp.COM"]) == 0
    assert "acme-corp.com now signs in to acme." in capsys.readouterr().out
    mapped = SsoDomain.objects.get(domain="acme-corp.com")
    assert mapped.organization == org
    event = Event.objects.get(organization=org, kind="sso.domain_added")
    assert event.actor is None
    assert event.object_id == str(mapped.public_id)


def test_a_domain_another_organisation_holds_is_refused_naming_it(org, other_org, capsys):
    SsoDomain.objects.create(organization=other_org, domain="globex.com")
    assert run(["sso", "domain", "add", "--org", "acme", "globex.com"]) == 2
    err = capsys.readouterr().err
    assert f"globex.com is mapped to another organisation, {other_org.slug}" in err
    assert f"huddle sso domain remove --org {other_org.slug} globex.com" in err
    assert "Traceback" not in err
    assert SsoDomain.objects.get(domain="globex.com").organization == other_org
    assert not Event.objects.filter(kind="sso.domain_added").exists()


@pytest.mark.parametrize("bad", ["not a domain", "localhost", "", "a..b.com"])
def test_a_malformed_domain_is_one_line_and_writes_nothing(org, capsys, bad):
    assert run(["sso", "domain", "add", "--org", "acme", bad]) == 2
    err = capsys.readouterr().err
    assert "is not an e-mail domain" in err
    assert len(err.strip().splitlines()) == 1
    assert not SsoDomain.objects.exists()


def test_list_and_remove(org, capsys):
    for name in ("b-corp.com", "a-corp.com"):
        assert run(["sso", "domain", "add", "--org", "acme", name]) == 0
    capsys.readouterr()
    assert run(["sso", "domain", "list", "--org", "acme"]) == 0
    assert capsys.readouterr().out.split() == ["a-corp.com", "b-corp.com"]
    assert run(["sso", "domain", "remove", "--org", "acme", "a-corp.com"]) == 0
    assert "a-corp.com is no longer mapped to acme." in capsys.readouterr().out
    assert Event.objects.filter(organization=org, kind="sso.domain_removed").count() == 1
    assert run(["sso", "domain", "list", "--org", "acme", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == ["b-corp.com"]


def test_removing_a_domain_of_another_organisation_is_refused(org, other_org, capsys):
    SsoDomain.objects.create(organization=other_org, domain="globex.com")
    assert run(["sso", "domain", "remove", "--org", "acme", "globex.com"]) == 2
    assert "globex.com is not mapped to acme." in capsys.readouterr().err
    assert SsoDomain.objects.filter(domain="globex.com").exists()


def test_an_unknown_organisation_is_one_line(db, capsys):
    assert run(["sso", "domain", "list", "--org", "nope"]) == 2
    assert "No organisation 'nope'" in capsys.readouterr().err


def test_status_shows_the_configuration_without_the_secret(org, owner, capsys):
    assert run(["sso", "status", "--org", "acme"]) == 0
    out = capsys.readouterr().out
    assert "OIDC: not configured" in out
    assert "SCIM token: none (provisioning is off)" in out
    SsoConfig.objects.create(
        organization=org,
        oidc_discovery_url="https://login.acme-corp.com/.well-known/openid-configuration",
        oidc_client_id="huddle",
        oidc_secret_encrypted="gAAAA-encrypted",
    )
    SsoDomain.objects.create(organization=org, domain="acme-corp.com")
    token, _raw = scim_token_create(actor=owner.actor)
    assert run(["sso", "status", "--org", "acme"]) == 0
    out = capsys.readouterr().out
    issuer = "https://login.acme-corp.com/.well-known/openid-configuration"
    assert f"OIDC: {issuer} (client huddle, secret set)" in out
    assert "Domains: acme-corp.com" in out
    assert f"SCIM token: {token.prefix}… (last used never)" in out
    assert "encrypted" not in out
    assert run(["sso", "status", "--org", "acme", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["oidc"]["secret_set"] is True
    assert status["scim"]["token"]["prefix"] == token.prefix
    assert status["scim"]["people"] == {"active": 0, "inactive": 0}
