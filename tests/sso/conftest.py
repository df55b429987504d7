"""A SCIM client for the organisation ``acme`` (its owner made the token)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from huddle.sso.services import scim_token_create


class Scim:
    """Sends SCIM requests as an identity provider does: JSON bodies, the bearer token."""

    def __init__(self, raw_token: str) -> None:
        self.client = Client(headers={"authorization": f"Bearer {raw_token}"})

    def _send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        if body is None:
            return call(f"/scim/v2{path}")
        return call(f"/scim/v2{path}", json.dumps(body), content_type="application/scim+json")

    def get(self, path: str) -> Any:
        return self._send("get", path)

    def post(self, path: str, body: Any) -> Any:
        return self._send("post", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self._send("put", path, body)

    def patch(self, path: str, *operations: dict[str, Any]) -> Any:
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": list(operations),
        }
        return self._send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self._send("delete", path)


@pytest.fixture
def scim(owner) -> Scim:
    _token, raw = scim_token_create(actor=owner.actor)
    return Scim(raw)
