"""``/mcp``: the MCP server over stateless Streamable HTTP, answered by a Django view.

Huddle is a WSGI app (gunicorn's sync workers); the SDK's transport is ASGI. Stateless mode with
JSON responses needs nothing of ASGI: each POST carries a whole JSON-RPC exchange and its answer
is one JSON body, no session survives the request. So the view authenticates the bearer token
(an API token with the API's own check, or an OAuth token of a connected app: ``oauth.py``),
then:

- a request of the handshake era (no ``MCP-Protocol-Version`` header, or 2025-11-25 and before:
  what clients speak today) is answered by ``exchange.py``: the SDK's request kernel driven in
  this thread, ~5 ms less than the SDK's transport (docs/performance.md);
- a request of the 2026-07-28 era goes to the SDK's own entry, a fresh stateless
  ``StreamableHTTPSessionManager``, through a small ASGI call (``_asgi``) run by
  ``async_to_sync``; the handlers' ORM work comes back to this thread (``server.py``).

Why not ASGI workers: docs/mcp.md.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from asgiref.sync import async_to_sync
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from oauth2_provider.www_authenticate import build_bearer_challenge

from huddle.accounts.oauth import oauth_authenticate
from huddle.accounts.policy import Actor
from huddle.accounts.services import token_authenticate
from huddle.core.accesslog import keep_out
from huddle.core.afterwards import collecting, run_after
from huddle.mcp import exchange, tools
from huddle.mcp.server import ACTOR, server

UNAUTHENTICATED = (
    "Missing, unknown or revoked token. Send 'Authorization: Bearer <token>' with an API token "
    "or an OAuth access token (see /.well-known/oauth-protected-resource)."
)


def _refusal(request: HttpRequest, status: int, code: int, message: str) -> JsonResponse:
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}
    response = JsonResponse(body, status=status)
    if status == 401:
        # RFC 9728: where an OAuth client (ChatGPT's, claude.ai's connector) finds out how to
        # get a token (huddle/mcp/oauth.py).
        response["WWW-Authenticate"] = build_bearer_challenge(request, realm="huddle")
    return response


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _asks(body: bytes) -> tuple[bool, bool]:
    """(is an ask, is anonymous) for a ``tools/call`` of ``ask_for_help`` in ``body``."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False, False
    calls = message if isinstance(message, list) else [message]
    asked = anonymous = False
    for call in calls:
        params = call.get("params") if isinstance(call, dict) else None
        if not isinstance(params, dict) or params.get("name") != tools.ASK:
            continue
        if call.get("method") == "tools/call":  # type: ignore[union-attr]
            asked = True
            arguments = params.get("arguments")
            anonymous |= isinstance(arguments, dict) and arguments.get("anonymous") is True
    return asked, anonymous


@csrf_exempt
def mcp_endpoint(request: HttpRequest) -> HttpResponse:
    """One MCP exchange as the token's member; 401 without a valid token."""
    if request.method != "POST":
        # Stateless: no session to end (DELETE) and no stream to open (GET). Handed to the SDK,
        # a GET would open a stream that waits for the client to leave, holding the worker.
        response = _refusal(
            request, 405, -32600, "Send MCP requests as POST; this server keeps no stream."
        )
        response["Allow"] = "POST"
        return response
    try:
        body = request.body
    except RequestDataTooBig:
        return _refusal(request, 413, -32600, "The request is too large.")
    asked, anonymous = _asks(body)
    # Asking leaves no time beside the asker: no last-used time, no access-log line when
    # anonymous (as the API's asks do; docs/ARCHITECTURE.md, "Asks and anonymity").
    actor = _authenticate(request, touch=not asked)
    if actor is None:
        return _refusal(request, 401, -32001, UNAUTHENTICATED)
    if anonymous:
        keep_out(request)
    # What the handlers leave for after the answer (a prompt's run) runs once it is sent.
    with collecting() as later:
        return run_after(_answer(request, actor, body), later)


def _answer(request: HttpRequest, actor: Actor, body: bytes) -> HttpResponse:
    version = request.headers.get("mcp-protocol-version")
    if version is None or version in HANDSHAKE_PROTOCOL_VERSIONS:
        # The thread outlives the request (gunicorn): the member it acts as goes with it.
        acting = ACTOR.set(actor)
        try:
            return exchange.answer(request, body, version)
        finally:
            ACTOR.reset(acting)
    status, headers, content = async_to_sync(_asgi)(actor, _scope(request), body)
    response = HttpResponse(content, status=status)
    for name, value in headers:
        if name.lower() not in {"content-length", "date", "server"}:
            response[name] = value
    return response


def _authenticate(request: HttpRequest, *, touch: bool) -> Actor | None:
    """The member a bearer token acts as: an API token (``hud_…``, the API's own check) or an
    OAuth access token of a connected app (``accounts/oauth.py``)."""
    raw = _bearer(request)
    if raw.startswith("hud_"):
        return token_authenticate(raw, touch=touch)
    return oauth_authenticate(request) if raw else None


def _scope(request: HttpRequest) -> dict[str, Any]:
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in request.headers.items()
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
        "server": (request.get_host(), 0),
    }


async def _asgi(
    actor: Actor, scope: dict[str, Any], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run the SDK's stateless transport for one request; return status, headers and body."""
    ACTOR.set(actor)
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()  # no disconnect: the answer is awaited whole
        raise AssertionError  # unreachable

    status = 500
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.extend(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])
            )
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    manager = StreamableHTTPSessionManager(app=server, stateless=True, json_response=True)
    async with manager.run():
        await manager.handle_request(scope, receive, send)
    return status, headers, b"".join(chunks)
