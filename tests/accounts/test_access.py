"""Every member's API tokens and connected AI apps, for those who manage members: the page, the
API, the CLI and the queries, and revoking someone else's from there."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from huddle.accounts import oauth, queries
from huddle.accounts.models import ApiToken
from huddle.accounts.services import membership_remove, token_create, token_revoke
from huddle.cli import run
from huddle.core.errors import PermissionDenied
from huddle.core.models import Event
from tests.mcp.helpers import rpc
from tests.mcp.oauth_flow import connect


def _works(raw: str) -> bool:
    return Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 200


@pytest.fixture
def reach(org, other_org, owner, member, editor, outsider, login):
    """The member's token and connected app, the editor's token, a revoked one and another
    organisation's: what an admin of ``org`` should and should not see."""
    member_token, member_raw = token_create(actor=member.actor, name="Zapier sync")
    editor_token, editor_raw = token_create(actor=editor.actor, name="Cursor")
    gone, _ = token_create(actor=member.actor, name="Old laptop")
    token_revoke(actor=member.actor, token=gone)
    token_create(actor=outsider.actor, name="Globex script")
    app = connect(login(member), org, name="ChatGPT")
    connect(login(outsider), other_org, name="Globex Claude")
    return {
        "member_token": member_token,
        "member_raw": member_raw,
        "editor_token": editor_token,
        "editor_raw": editor_raw,
        "app": app,
    }


def test_admins_see_every_members_working_tokens_and_apps_of_their_organisation_only(
    reach, admin, member, org
):
    tokens = list(queries.organization_tokens(admin.actor))
    assert {t.name for t in tokens} == {"Zapier sync", "Cursor"}
    connections = list(oauth.organization_connections(admin.actor))
    assert [(c.application.name, c.user.email) for c in connections] == [
        ("ChatGPT", member.user.email)
    ]


def test_a_removed_members_tokens_are_not_listed(reach, owner, member):
    membership_remove(actor=owner.actor, membership=member.membership)
    assert {t.name for t in queries.organization_tokens(owner.actor)} == {"Cursor"}
    assert list(oauth.organization_connections(owner.actor)) == []


@pytest.mark.parametrize("role", ["editor", "member", "viewer"])
def test_only_those_who_manage_members_may_list(reach, personas, role):
    with pytest.raises(PermissionDenied):
        queries.organization_tokens(personas[role].actor)
    with pytest.raises(PermissionDenied):
        oauth.organization_connections(personas[role].actor)


def test_the_page_lists_them_and_revoking_there_stops_the_token_at_once(reach, admin, login):
    browser = login(admin)
    page = browser.get(reverse("access", args=["acme"]))
    assert page.status_code == 200
    html = page.content.decode()
    for words in ("Zapier sync", "Cursor", "ChatGPT", "Member Person"):
        assert words in html
    for words in ("Old laptop", "Globex script", "Globex Claude"):
        assert words not in html
    url = reverse("access_token_revoke", args=["acme", reach["member_token"].public_id])
    response = browser.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("access", args=["acme"])
    assert "Token Zapier sync revoked" in response.content.decode()
    assert not _works(reach["member_raw"])
    assert _works(reach["editor_raw"])
    event = Event.objects.get(kind="token.revoked", object_label__startswith="Zapier sync")
    assert event.actor == admin.user


def test_disconnecting_a_members_app_there_stops_its_access(reach, admin, login, org):
    connection = oauth.organization_connections(admin.actor).get()
    browser = login(admin)
    response = browser.post(reverse("access_connection_revoke", args=["acme", connection.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("access", args=["acme"])
    assert rpc(Client(), "tools/list", token=reach["app"]["access_token"]).status_code == 401
    event = Event.objects.get(kind="oauth.revoked")
    assert event.actor == admin.user
    assert event.data["member"] == "member@acme.test"


@pytest.mark.parametrize("role", ["editor", "member", "viewer"])
def test_the_page_is_refused_below_admin(reach, personas, login, role):
    assert login(personas[role]).get(reverse("access", args=["acme"])).status_code == 403


def test_an_editor_still_cannot_revoke_anothers_token_or_app(reach, editor, login, admin):
    browser = login(editor)
    token_url = reverse("token_revoke", args=["acme", reach["member_token"].public_id])
    assert browser.post(token_url).status_code == 404
    connection = oauth.organization_connections(admin.actor).get()
    app_url = reverse("connection_revoke", args=["acme", connection.pk])
    assert browser.post(app_url).status_code == 404
    assert _works(reach["member_raw"])
    assert rpc(Client(), "tools/list", token=reach["app"]["access_token"]).status_code == 200


def test_another_organisations_admin_finds_nothing(reach, outsider, login, admin):
    browser = login(outsider)
    token_url = reverse("access_token_revoke", args=["globex", reach["member_token"].public_id])
    assert browser.post(token_url).status_code == 404
    connection = oauth.organization_connections(admin.actor).get()
    app_url = reverse("access_connection_revoke", args=["globex", connection.pk])
    assert browser.post(app_url).status_code == 404
    assert _works(reach["member_raw"])


def test_the_api_lists_and_revokes_for_admins(reach, admin, member, api_client):
    client = api_client(admin)
    listed = client.get("/api/v1/access").json()
    names = {t["name"]: t for t in listed["tokens"]}
    assert {"Zapier sync", "Cursor", "test"} == set(names)  # "test": the admin's own
    assert names["Zapier sync"]["member"] == member.user.email
    assert names["Zapier sync"]["prefix"] == reach["member_token"].prefix
    assert [(c["app"], c["member"]) for c in listed["connections"]] == [
        ("ChatGPT", member.user.email)
    ]
    gone = client.delete(f"/api/v1/access/tokens/{reach['member_token'].public_id}")
    assert gone.status_code == 204
    assert not _works(reach["member_raw"])
    app = listed["connections"][0]["id"]
    assert client.delete(f"/api/v1/access/connections/{app}").status_code == 204
    assert rpc(Client(), "tools/list", token=reach["app"]["access_token"]).status_code == 401
    assert client.get("/api/v1/access").json()["connections"] == []


def test_the_api_refuses_members_the_list_and_others_tokens(reach, member, editor, api_client):
    client = api_client(member)
    refused = client.get("/api/v1/access")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    editors = client.delete(f"/api/v1/access/tokens/{reach['editor_token'].public_id}")
    assert editors.status_code == 404
    assert _works(reach["editor_raw"])
    # A member revokes their own, through the same endpoint.
    own = client.delete(f"/api/v1/access/tokens/{reach['member_token'].public_id}")
    assert own.status_code == 204
    assert ApiToken.objects.get(pk=reach["member_token"].pk).revoked_at is not None


def _cli(capsys, *args: object) -> tuple[int, str, str]:
    code = run([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, " ".join(captured.err.split())


def test_the_cli_lists_them_as_the_first_owner(reach, owner, member, capsys):
    code, out, _ = _cli(capsys, "token", "list", "--org", "acme", "--json")
    assert code == 0
    listed = json.loads(out)
    assert {t["name"] for t in listed["tokens"]} == {"Zapier sync", "Cursor"}
    assert [(c["app"], c["member"]) for c in listed["connections"]] == [
        ("ChatGPT", member.user.email)
    ]
    code, out, _ = _cli(capsys, "token", "list", "--org", "acme")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "API tokens (2):"
    [zapier] = [line for line in lines if "Zapier sync" in line]
    # The whole id first (what revoke takes), the member, and that it was never used.
    assert zapier.split()[0] == str(reach["member_token"].public_id)
    assert member.user.email in zapier
    assert zapier.endswith("last used never")
    assert "Connected AI apps (1):" in lines
    assert "Globex" not in out


def test_the_cli_refuses_to_list_as_a_plain_member(reach, member, capsys):
    code, out, err = _cli(capsys, "token", "list", "--org", "acme", "--user", member.user.email)
    assert (code, out) == (2, "")
    assert err == "Error: This needs the admin role or higher."


def test_the_cli_revokes_and_disconnects_and_the_events_name_the_member(
    reach, owner, admin, member, capsys
):
    token_id = reach["member_token"].public_id
    code, out, _ = _cli(capsys, "token", "revoke", token_id, "--org", "acme")
    assert code == 0
    assert f"Revoked {member.user.email}'s token Zapier sync" in out
    assert not _works(reach["member_raw"])
    assert _works(reach["editor_raw"])
    event = Event.objects.get(kind="token.revoked", object_label__startswith="Zapier sync")
    assert event.actor == owner.user
    connection = oauth.organization_connections(admin.actor).get()
    code, out, _ = _cli(capsys, "token", "disconnect", connection.pk, "--org", "acme")
    assert code == 0
    assert "ChatGPT" in out
    assert rpc(Client(), "tools/list", token=reach["app"]["access_token"]).status_code == 401
    assert Event.objects.get(kind="oauth.revoked").data["member"] == member.user.email


def test_the_cli_finds_no_token_or_app_of_another_organisation(reach, admin, capsys):
    token_id = reach["member_token"].public_id
    code, _, err = _cli(capsys, "token", "revoke", token_id, "--org", "globex")
    assert code == 2
    assert "not found" in err.lower()
    connection = oauth.organization_connections(admin.actor).get()
    code, _, err = _cli(capsys, "token", "disconnect", connection.pk, "--org", "globex")
    assert code == 2
    assert _works(reach["member_raw"])
    assert rpc(Client(), "tools/list", token=reach["app"]["access_token"]).status_code == 200
    code, _, err = _cli(capsys, "token", "revoke", "not-an-id", "--org", "acme")
    assert code == 2
    assert "not found" in err.lower()


def test_the_cli_says_when_there_is_nothing_to_list(org, owner, capsys):
    code, out, _ = _cli(capsys, "token", "list", "--org", "acme")
    assert code == 0
    assert "No working API tokens." in out
    assert "No connected AI apps." in out


def test_the_cli_prints_a_members_token_name_as_text_not_markup(org, owner, member, capsys):
    token_create(actor=member.actor, name="[red]urgent[/red] [link=https://evil.test]x[/link]")
    code, out, _ = _cli(capsys, "token", "list", "--org", "acme")
    assert code == 0
    assert "[red]urgent[/red] [link=https://evil.test]x[/link]" in out
