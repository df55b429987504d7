"""Walking the OAuth flow of an MCP connector (ChatGPT's, claude.ai's) against Huddle over HTTP:
register, authorize with PKCE as a signed-in member, exchange the code."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client

REDIRECT = "https://chatgpt.com/connector_platform_oauth_redirect"


def register(client: Client, name: str = "ChatGPT") -> str:
    """Dynamic client registration (RFC 7591) of a public client; returns its client id."""
    metadata = {
        "client_name": name,
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    }
    response = client.post("/oauth/register/", json.dumps(metadata), "application/json")
    assert response.status_code == 201, response.content
    return response.json()["client_id"]


def pkce() -> tuple[str, str]:
    """A code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(client_id: str, challenge: str, state: str = "st4te") -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "scope": "mcp",
        "state": state,
    }
    return "/oauth/authorize/?" + urlencode(query)


def consent(browser: Client, url: str, organization: Any, *, allow: bool = True):
    """GET the consent page, then POST its form with ``organization`` chosen."""
    page = browser.get(url)
    assert page.status_code == 200, page.content
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].is_hidden}
    data["organization"] = str(organization.public_id)
    if allow:
        data["allow"] = "on"
    return browser.post(url, data)


def code_of(redirect) -> dict[str, list[str]]:
    assert redirect.status_code == 302, redirect.content
    location = redirect["Location"]
    assert location.startswith(REDIRECT), location
    return parse_qs(urlsplit(location).query)


def exchange(client: Client, client_id: str, code: str, verifier: str):
    return client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )


def connect(browser: Client, organization: Any, name: str = "ChatGPT") -> dict[str, Any]:
    """The whole flow; returns the token response."""
    client = Client()
    client_id = register(client, name)
    verifier, challenge = pkce()
    query = code_of(consent(browser, authorize_url(client_id, challenge), organization))
    response = exchange(client, client_id, query["code"][0], verifier)
    assert response.status_code == 200, response.content
    return {**response.json(), "client_id": client_id}


def refresh(tokens: dict[str, Any]):
    """The connector renewing its access with the refresh token of ``tokens``."""
    return Client().post(
        "/oauth/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": tokens["client_id"],
        },
    )
