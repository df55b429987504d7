"""The MCP server over HTTP, against the API's equivalent call in the same run.

    python -m bench.mcp --org bench --context-org acme

Starts ``huddle serve`` (one gunicorn worker) on a free loopback port against the configured
database and, one request at a time from one client connection (gunicorn's sync worker closes
it after each answer; http.client opens it again, as any client of a sync worker does), times:

- ``prompts/list`` (the first page, 50 prompts: endorsed first, each with its arguments) as a
  member of ``--org`` against ``GET /api/v1/workflows?limit=50`` (the same member's first page);
- ``prompts/get`` of a workflow with 5 context references (``bench-mcp-five-refs`` in
  ``--context-org``, made here if missing) against ``POST /api/v1/workflows/<slug>/render`` with
  the same inputs. ``prompts/get`` also records the run it opens (written once its answer is
  sent: ``huddle/core/afterwards.py``); the render records nothing;
- ``tools/list`` (no database): what the MCP layer itself costs per request.

Each MCP call and its API counterpart alternate (which goes first alternates too), so both meet
the host in the same state: on a shared 2-core machine the speed of the same work drifts twofold
within minutes, and two loops run one after the other measured that drift as much as the calls.
Before each timed request an untimed ``GET /healthz`` waits until the worker is free: the time is
what a request meets at an idle server (a person's call), not the tail of the work the one
before left for after its answer. That work is still done by the same worker: a server kept busy
back to back pays it on the next request (``--back-to-back`` measures that).

and how steady the host was meanwhile (``host_jitter``: fixed CPU work's p50 and p95).

Targets (issue 21): ``prompts/list`` p95 ≤ 30 ms at 100k workflows, ``prompts/get`` p95 ≤ 10 ms;
each is reported with its ratio to the API's call.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.common import host_jitter, setup_django, summary, write_result
from bench.http_load import ROOT, _wait, free_port
from bench.render import SLUGS

PROTOCOL = "2025-11-25"
FIVE_REFS = "bench-mcp-five-refs"
INPUTS = {"product": "Huddle", "audience": "CMOs"}


def _token(org: str, email: str | None) -> tuple[str, str]:
    """A fresh API token of a member of ``org`` (``email``, or the first plain member)."""
    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor
    from huddle.accounts.services import token_create

    members = Membership.objects.select_related("user", "organization").filter(
        organization__slug=org
    )
    membership = members.get(user__email=email) if email else members.filter(role="member").first()
    return membership.user.email, token_create(actor=Actor(membership), name="bench")[1]


def _five_refs(org: str, email: str) -> str:
    """The workflow whose one step prints its two inputs and five context assets."""
    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor
    from huddle.library import services
    from huddle.library.content import VersionContent
    from huddle.library.models import Workflow

    membership = Membership.objects.select_related("user", "organization").get(
        organization__slug=org, user__email=email
    )
    actor = Actor(membership)
    if not Workflow.objects.filter(organization=actor.organization, slug=FIVE_REFS).exists():
        template = "Write a post about {{ product }} for {{ audience }}.\n" + "\n".join(
            f"{{{{ context.{slug} }}}}" for slug in SLUGS
        )
        services.workflow_create(
            actor=actor,
            title="Bench: MCP prompt with five context references",
            kind="prompt",
            slug=FIVE_REFS,
            content=VersionContent.from_data(
                {"steps": [template], "inputs": ["product", "audience"]}
            ),
        )
    return FIVE_REFS


class Session:
    """One client connection (reopened after each answer) sending requests with a bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def send(self, method: str, path: str, body: Any = None, headers: Any = None) -> bytes:
        payload = json.dumps(body).encode() if body is not None else None
        self.connection.request(
            method,
            path,
            body=payload,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        response = self.connection.getresponse()
        data = response.read()
        if response.status not in (200, 201):
            raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
        return data

    def rpc(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        headers = {
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": PROTOCOL,
        }
        answer = json.loads(self.send("POST", "/mcp", body, headers))
        if "error" in answer:
            raise SystemExit(f"{method}: {answer['error']}")
        return answer["result"]


def _timed(
    calls: Sequence[Callable[[], Any]],
    repeat: int,
    settle: Callable[[], Any] | None,
    warmup: int = 5,
) -> list[list[float]]:
    """Each call's times, the calls taking turns (and turns at going first), each timed request
    after ``settle`` (untimed) when given."""
    for _ in range(warmup):
        for work in calls:
            work()
    samples: list[list[float]] = [[] for _ in calls]
    for i in range(repeat):
        for turn in range(len(calls)):
            which = (turn + i) % len(calls)
            if settle is not None:
                settle()
            started = time.perf_counter()
            calls[which]()
            samples[which].append((time.perf_counter() - started) * 1000)
    return samples


def _compare(mcp: list[float], api: list[float], target: float) -> dict[str, Any]:
    mine, theirs = summary(mcp), summary(api)
    return {
        "mcp": mine,
        "api": theirs,
        "ratio_p95": round(mine["p95_ms"] / theirs["p95_ms"], 2),
        "ratio_p50": round(mine["p50_ms"] / theirs["p50_ms"], 2),
        "target_p95_ms": target,
        "met": mine["p95_ms"] <= target,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="bench", help="the organisation listed (bench.generate)")
    parser.add_argument("--context-org", default="acme", help="has the demo's context assets")
    parser.add_argument("--context-user", default="erin@acme.test")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--name", default="mcp")
    parser.add_argument(
        "--back-to-back",
        action="store_true",
        help="no untimed /healthz before each request: each request waits for what the one "
        "before left for after its answer (a worker kept busy)",
    )
    args = parser.parse_args()
    os.environ.setdefault("HUDDLE_SECRET_KEY", "bench-" + "k" * 60)
    setup_django()
    from huddle.library.models import Workflow

    lister, list_token = _token(args.org, None)
    slug = _five_refs(args.context_org, args.context_user)
    _getter, get_token = _token(args.context_org, args.context_user)
    workflows = Workflow.objects.filter(organization__slug=args.org).count()
    port = free_port()
    env = {
        **os.environ,
        "HUDDLE_DEBUG": "false",
        "HUDDLE_HTTPS": "false",
        "HUDDLE_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-c",
            "from huddle.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port, 120)  # collectstatic and gunicorn take 40 s on a loaded machine
        listing, getting = Session(port, list_token), Session(port, get_token)
        page = listing.rpc("prompts/list", {})
        got = getting.rpc("prompts/get", {"name": slug, "arguments": INPUTS})
        settle = None if args.back_to_back else (lambda: listing.send("GET", "/healthz"))
        render = f"/api/v1/workflows/{slug}/render"
        list_mcp, list_api = _timed(
            (
                lambda: listing.rpc("prompts/list", {}),
                lambda: listing.send("GET", "/api/v1/workflows?limit=50"),
            ),
            args.repeat,
            settle,
        )
        get_mcp, get_api = _timed(
            (
                lambda: getting.rpc("prompts/get", {"name": slug, "arguments": INPUTS}),
                lambda: getting.send("POST", render, {"inputs": INPUTS}),
            ),
            args.repeat,
            settle,
        )
        [tools] = _timed([lambda: listing.rpc("tools/list", {})], args.repeat, settle)
        jitter = host_jitter()
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "workflows": workflows,
        "member": lister,
        "page": len(page["prompts"]),
        "prompt_chars": sum(len(m["content"]["text"]) for m in got["messages"]),
        "prompts_list": _compare(list_mcp, list_api, 30),
        "prompts_get_five_refs": _compare(get_mcp, get_api, 10),
        "tools_list": summary(tools),
        "repeat": args.repeat,
        "back_to_back": args.back_to_back,
        "host_jitter": jitter,
    }
    write_result(args.name, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
