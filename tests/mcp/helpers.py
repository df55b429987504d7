"""Speaking MCP to ``/mcp`` from tests: raw JSON-RPC through Django's test client, and a small
library with context for the personas."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, RequestFactory
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from huddle.context import services as context_services
from huddle.library import services as library_services
from tests.factories import make_workflow

# A handshake-era version: the stateless server answers any request without an initialize.
PROTOCOL = "2025-11-25"


def rpc(
    client: Client | RequestFactory,
    method: str,
    params: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    protocol: str = PROTOCOL,
):
    """POST one JSON-RPC request to /mcp; returns the Django response (or, from a
    ``RequestFactory``, the request to hand to the view)."""
    headers = {"accept": "application/json, text/event-stream", "mcp-protocol-version": protocol}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    params = dict(params or {})
    if protocol not in HANDSHAKE_PROTOCOL_VERSIONS:
        # No handshake in this era: each request names its method and says who the client is.
        headers["mcp-method"] = method
        if "name" in params:
            headers["mcp-name"] = str(params["name"])
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": protocol,
            "io.modelcontextprotocol/clientCapabilities": {},
        }
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return client.post("/mcp", json.dumps(body), content_type="application/json", headers=headers)


def result(response) -> dict[str, Any]:
    """The JSON-RPC result of a 200 answer (fails the test with the error otherwise)."""
    assert response.status_code == 200, response.content
    data = response.json()
    assert "result" in data, data
    return data["result"]


def error(response) -> dict[str, Any]:
    data = response.json()
    assert "error" in data, data
    return data["error"]


def small_library(editor, member):
    """A brand voice (approved context), an org-wide workflow using it, an endorsed one, and the
    member's private draft."""
    voice = context_services.asset_create(
        actor=editor.actor,
        organization=editor.org,
        kind="other",
        slug="brand_voice",
        title="Brand voice",
        data={"text": "Plain words, short sentences."},
    )
    launch = make_workflow(
        editor,
        title="Launch post",
        steps=["Follow this voice: {{ context.brand_voice }}\nWrite about {{ product }}."],
        inputs=[{"name": "product", "label": "Product", "help": "What we launch"}],
        summary="A LinkedIn post for a launch.",
    )
    launch = library_services.workflow_publish(
        actor=editor.actor, workflow=launch, visibility="org"
    )
    endorsed = make_workflow(editor, title="Press release", inputs=[], steps=["Write a release."])
    endorsed = library_services.workflow_publish(
        actor=editor.actor, workflow=endorsed, visibility="org"
    )
    endorsed = library_services.workflow_endorse(actor=editor.actor, workflow=endorsed)
    private = make_workflow(member, title="My private notes", inputs=[], steps=["Notes."])
    return {"voice": voice, "launch": launch, "endorsed": endorsed, "private": private}


def without_event_loop[T](work: Callable[[], T]) -> T:
    """``work()`` in a thread of its own that shares this test's database connection (and so its
    transaction). Playwright's sync API keeps an event loop running in the main thread once a
    browser test ran there, and the SDK's own entry (``async_to_sync``) refuses to start beside
    one; gunicorn's workers run none."""
    connection = connections[DEFAULT_DB_ALIAS]

    def run() -> T:
        connections[DEFAULT_DB_ALIAS] = connection
        return work()

    connection.inc_thread_sharing()
    try:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(run).result()
    finally:
        connection.dec_thread_sharing()
