"""SCIM isolation: organisation B's SCIM token, aimed at A's people and groups by every SCIM
operation (and by A's ids inside B's bodies), finds nothing and changes nothing; B's lists hold
nothing of A; A's revoked token and no token get 401."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from huddle.sso.models import ScimToken
from tests.security.figures import record
from tests.security.seed import seed_org
from tests.security.snapshot import changes, snapshot

CANARY = "CANARY-of-alpha-7f3e"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def worlds(db):
    return seed_org("alpha", text=CANARY), seed_org("bravo")


def _send(client: Client, method: str, path: str, token: str, body: object = None):
    headers = {"authorization": f"Bearer {token}"}
    call = getattr(client, method)
    if body is None:
        return call(f"/scim/v2{path}", headers=headers)
    return call(
        f"/scim/v2{path}", json.dumps(body), content_type="application/scim+json", headers=headers
    )


def _operations(a_ids: dict, b_ids: dict) -> list[tuple[str, str, object, set[int]]]:
    user, group = a_ids["scim_user"], a_ids["scim_group"]
    b_group = b_ids["scim_group"]
    deactivate = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
    add_a_user = {
        "schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": str(user)}]}],
    }
    return [
        ("get", f"/Users/{user}", None, {404}),
        ("put", f"/Users/{user}", {"schemas": [USER], "userName": "x@evil.com"}, {404}),
        ("patch", f"/Users/{user}", deactivate, {404}),
        ("delete", f"/Users/{user}", None, {404}),
        ("get", f"/Groups/{group}", None, {404}),
        ("put", f"/Groups/{group}", {"schemas": [GROUP], "displayName": "x"}, {404}),
        ("patch", f"/Groups/{group}", add_a_user, {404}),
        ("delete", f"/Groups/{group}", None, {404}),
        # A's person named inside B's own requests
        ("patch", f"/Groups/{b_group}", add_a_user, {400}),
        (
            "post",
            "/Groups",
            {"schemas": [GROUP], "displayName": "Steal", "members": [{"value": str(user)}]},
            {400},
        ),
        ("get", f'/Users?filter=id eq "{user}"', None, {200}),
        ("get", f'/Groups?filter=id eq "{group}"', None, {200}),
    ]


def test_a_scim_token_of_b_touches_nothing_of_a(worlds):
    a, b = worlds
    client = Client()
    before = snapshot()
    failures = []
    operations = _operations(a.ids, b.ids)
    for method, path, body, allowed in operations:
        response = _send(client, method, path, b.ids["scim_raw_token"], body)
        if response.status_code not in allowed:
            failures.append(f"{method} {path}: {response.status_code}")
        if CANARY.encode() in response.content or str(a.ids["scim_user"]).encode() in (
            response.content if method == "get" and "?" in path else b""
        ):
            failures.append(f"{method} {path}: shows A's data")
    for listing in ("/Users", "/Groups", '/Users?filter=userName co "alpha"'):
        response = _send(client, "get", listing, b.ids["scim_raw_token"])
        assert response.status_code == 200
        assert CANARY.encode() not in response.content
        assert b"alpha" not in response.content
    assert not failures, "\n".join(failures)
    assert changes(before, snapshot()) == []
    record("scim_isolation", requests=len(operations) + 3)


def test_a_revoked_or_missing_scim_token_gets_401_and_changes_nothing(worlds):
    a, _b = worlds
    ScimToken.objects.filter(public_id=a.ids["scim_token"]).update(revoked_at="2026-01-01T00:00Z")
    client = Client()
    before = snapshot()
    for method, path, body, _allowed in _operations(a.ids, a.ids):
        for token in (a.ids["scim_raw_token"], "", a.ids["raw_token"]):
            response = _send(client, method, path, token, body)
            assert response.status_code == 401, (method, path, token[:4])
    assert changes(before, snapshot()) == []
