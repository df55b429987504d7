"""``/mcp``: nothing of organisation B ever reaches a member of A, whatever A's members list,
read, get or call, and whatever of B they name; refused requests change nothing."""

from __future__ import annotations

import json

from django.test import Client

from huddle.accounts.services import token_create
from tests.mcp.helpers import rpc
from tests.security.figures import record
from tests.security.seed import seed_org
from tests.security.snapshot import changes, snapshot

CANARY = "CANARY-B-mcp-51e0"


def _listing_calls() -> list[tuple[str, dict]]:
    return [
        ("prompts/list", {}),
        ("resources/list", {}),
        ("resources/templates/list", {}),
        ("tools/list", {}),
        ("tools/call", {"name": "search_library", "arguments": {}}),
        ("tools/call", {"name": "search_library", "arguments": {"q": "Launch"}}),
        ("tools/call", {"name": "search_library", "arguments": {"q": "CANARY"}}),
    ]


def _b_named(a, b) -> list[tuple[str, dict]]:
    """Requests of A's members naming B's objects, by every way a name can be given."""
    bi = b.ids
    b_uri = f"huddle://{b.org.slug}"
    a_uri = f"huddle://{a.org.slug}"
    return [
        ("prompts/get", {"name": bi["workflow_slug"], "arguments": {"product": "x"}}),
        ("prompts/get", {"name": str(bi["workflow"]), "arguments": {"product": "x"}}),
        ("resources/read", {"uri": f"{b_uri}/context/{bi['asset_slug']}"}),
        ("resources/read", {"uri": f"{a_uri}/context/{bi['asset_slug']}"}),
        ("resources/read", {"uri": f"{a_uri}/context/{bi['asset_slug']}/text"}),
        ("resources/read", {"uri": f"{a_uri}/packs/{bi['pack']}"}),
        ("resources/read", {"uri": f"{b_uri}/packs/{bi['pack']}"}),
        ("resources/read", {"uri": f"{a_uri}/workflows/{bi['workflow_slug']}/prompt?product=x"}),
        (
            "tools/call",
            {"name": "render_workflow", "arguments": {"slug": bi["workflow_slug"]}},
        ),
        (
            "tools/call",
            {"name": "log_run", "arguments": {"workflow": bi["workflow_slug"], "rating": 5}},
        ),
        ("tools/call", {"name": "log_run", "arguments": {"run": str(bi["run"]), "rating": 5}}),
        (
            "tools/call",
            {"name": "brand_check", "arguments": {"text": "x", "workflow": bi["workflow_slug"]}},
        ),
    ]


def test_nothing_of_b_reaches_any_member_of_a_through_mcp(db):
    a = seed_org("alpha")
    b = seed_org("bravo", text=CANARY)
    requests = 0
    leaks: list[str] = []
    not_refused: list[str] = []
    client = Client()

    # The control: B's own member does see the canary, so its absence below means something.
    b_token = b.ids["raw_token"]
    control = rpc(client, "prompts/list", token=b_token).content.decode()
    assert CANARY in control

    for role, persona in a.people.items():
        _token, raw = token_create(actor=persona.actor, name="mcp")

        def call(method: str, params: dict, *, raw: str = raw, role: str = role) -> dict:
            nonlocal requests
            requests += 1
            response = rpc(client, method, params, token=raw)
            text = response.content.decode()
            # B's slug may come back only as an echo of a request that named it.
            if CANARY in text or ("bravo" in text and "bravo" not in json.dumps(params)):
                leaks.append(f"{role} {method} {json.dumps(params)}")
            return response.json()

        for method, params in _listing_calls():
            call(method, params)
        listed = call("resources/list", {})["result"]["resources"]
        for resource in listed:
            call("resources/read", {"uri": resource["uri"]})
        for prompt in call("prompts/list", {})["result"]["prompts"]:
            call("prompts/get", {"name": prompt["name"], "arguments": {"product": "x"}})

        before = snapshot()
        for method, params in _b_named(a, b):
            answer = call(method, params)
            refused = "error" in answer or answer.get("result", {}).get("isError") is True
            if not refused:
                not_refused.append(f"{role} {method} {json.dumps(params)}")
        assert changes(before, snapshot()) == [], role

    # A's removed member's old token, and B's token on A's names, are refused the same way.
    assert rpc(client, "prompts/list", token=a.ids["gone_raw_token"]).status_code == 401
    foreign = rpc(client, "prompts/get", {"name": a.ids["workflow_slug"]}, token=b_token)
    assert foreign.json()["error"]["message"] == "Not found."

    assert not leaks, leaks
    assert not not_refused, not_refused
    record("mcp_isolation", requests=requests)
