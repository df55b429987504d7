import pytest
from django.test import Client

from huddle.accounts import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["owner", "admin", "editor", "member", "viewer"])
def test_me_tells_the_user_organisation_and_role(personas, api_client, who):
    response = api_client(personas[who]).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == personas[who].user.email
    assert body["organization"]["slug"] == "acme"
    assert body["role"] == who


def test_a_token_acts_only_in_its_own_organisation(outsider, api_client):
    body = api_client(outsider).get("/api/v1/me").json()
    assert body["organization"]["slug"] == "globex"


def _assert_401(response):
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "token" in error["message"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer hud_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer x" * 100],
)
def test_missing_or_wrong_tokens_get_a_json_401(db, header):
    headers = {"authorization": header} if header else {}
    _assert_401(Client(headers=headers).get("/api/v1/me"))


def test_revoked_token_gets_401(member):
    token, raw = services.token_create(actor=member.actor, name="x")
    services.token_revoke(actor=member.actor, token=token)
    _assert_401(Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/me"))


def test_token_of_a_removed_member_gets_401(owner, member):
    _token, raw = services.token_create(actor=member.actor, name="x")
    services.membership_remove(actor=owner.actor, membership=member.membership)
    _assert_401(Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/me"))


def test_token_follows_the_members_current_role(owner, member):
    _token, raw = services.token_create(actor=member.actor, name="x")
    services.membership_set_role(actor=owner.actor, membership=member.membership, role="viewer")
    body = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/me").json()
    assert body["role"] == "viewer"


def test_session_login_does_not_open_the_api(member, login):
    _assert_401(login(member).get("/api/v1/me"))


def test_stats_counts_only_the_tokens_organisation(owner, member, outsider, api_client):
    body = api_client(owner).get("/api/v1/stats").json()
    assert body["members"] == 2
    assert body["teams"] == 0


def test_openapi_schema_is_published_with_bearer_auth(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/me" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
