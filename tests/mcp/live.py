"""A live Huddle for the SDK's own client: a SQLite file seeded with two organisations, served by
``huddle serve`` (gunicorn) in a child process, and the ``huddle mcp`` command line for stdio.

``python -m tests.mcp.live`` (with the server's environment) seeds the file and prints, as JSON,
what the tests need: tokens, slugs and ids.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CANARY = "CANARY-B-live-9d2c"
HUDDLE = [sys.executable, "-c", "from huddle.cli import main; main()"]


def environment(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DJANGO_"))}
    env.update(
        HUDDLE_SECRET_KEY="mcp-live-test-" + "s" * 60,
        HUDDLE_HTTPS="false",
        HUDDLE_ENCRYPTION_KEY="bWNwLWxpdmUtdGVzdC1rZXktMzItYnl0ZXMtbG9uZyE=",
        HUDDLE_VAR_DIR=str(directory),
        HUDDLE_DATABASE_URL=f"sqlite:///{directory}/live.sqlite3",
        DJANGO_SETTINGS_MODULE="huddle.settings",
    )
    return env


@dataclass
class Live:
    url: str
    env: dict[str, str]
    ids: dict[str, Any]
    process: subprocess.Popen

    def stdio_args(self, org: str, email: str) -> list[str]:
        return [*HUDDLE[1:], "mcp", "--org", org, "--user", email]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(directory: Path) -> Live:
    """Migrate, seed and serve; returns once ``/healthz`` answers."""
    env = environment(directory)
    subprocess.run([*HUDDLE, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.mcp.live"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    ids = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = _free_port()
    process = subprocess.Popen(
        [*HUDDLE, "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # collectstatic and gunicorn are slow on a busy machine
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310 - loopback
                break
        except OSError:
            assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "server did not start within 120 s"
            time.sleep(0.2)
    return Live(f"{base}/mcp", env, ids, process)


def seed() -> dict[str, Any]:
    """Organisations alpha and bravo (bravo's texts carry the canary), with a workflow that
    uses context, and tokens: alpha's member, viewer and a revoked one; bravo's member."""
    import django

    django.setup()
    from huddle.accounts import services as accounts
    from huddle.accounts.models import ApiToken
    from huddle.library import services as library
    from tests.factories import make_workflow
    from tests.security.seed import seed_org

    a = seed_org("alpha")
    b = seed_org("bravo", text=CANARY)
    editor, member, viewer = (a.people[r] for r in ("editor", "member", "viewer"))
    voiced = make_workflow(
        editor,
        title="On-brand teaser",
        steps=["Our voice: {{ context.voice_alpha }}\nTease {{ product }}."],
        summary="A teaser in our voice.",
    )
    library.workflow_publish(actor=editor.actor, workflow=voiced, visibility="org")
    _revoked, revoked_raw = accounts.token_create(actor=member.actor, name="old laptop")
    accounts.token_revoke(actor=member.actor, token=ApiToken.objects.get(pk=_revoked.pk))
    return {
        "member_token": a.ids["raw_token"],
        "viewer_token": accounts.token_create(actor=viewer.actor, name="mcp")[1],
        "revoked_token": revoked_raw,
        "b_token": b.ids["raw_token"],
        "workflow": a.ids["workflow_slug"],
        "private": a.ids["private_slug"],
        "voiced": voiced.slug,
        "asset": a.ids["asset_slug"],
        "b_workflow": b.ids["workflow_slug"],
        "member_email": member.user.email,
    }


if __name__ == "__main__":
    print(json.dumps(seed()))
