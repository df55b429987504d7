"""The library page over HTTP: gunicorn with 2 workers, 20 concurrent signed-in clients.

    python -m bench.http_load --org bench --seconds 20

Starts ``huddle serve`` on a free loopback port against the configured database, signs a member
in (a session row), and has 20 threads fetch ``/o/<org>/library/`` over keep-alive connections
for a fixed time. Prints requests/s, p50/p95 latency and errors. Targets: ≥ 150 req/s,
p95 ≤ 150 ms, 0 errors. Loopback only; the run stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import setup_django, summary, write_result

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(org: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from huddle.accounts.models import Membership

    user = Membership.objects.filter(organization__slug=org, role="member").first().user
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="bench")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--path", default="")
    parser.add_argument("--name", default="http_library")
    args = parser.parse_args()
    # The session's auth hash depends on the secret key: the server must use the same one.
    os.environ.setdefault("HUDDLE_SECRET_KEY", "bench-" + "k" * 60)
    setup_django()
    cookie = session_cookie(args.org)
    port = free_port()
    env = {
        **os.environ,
        "HUDDLE_DEBUG": "false",
        "HUDDLE_HTTPS": "false",
        "HUDDLE_SECRET_KEY": os.environ.get("HUDDLE_SECRET_KEY", "bench-" + "k" * 60),
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
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    path = args.path or f"/o/{args.org}/library/"
    try:
        _wait(port)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine, failed = [], []
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        failed.append(str(response.status))
                except (OSError, http.client.HTTPException) as error:
                    failed.append(type(error).__name__)
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                mine.append((time.perf_counter() - started) * 1000)
            with lock:
                latencies.extend(mine)
                errors.extend(failed)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "path": path,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "latency": summary(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "targets": {"requests_per_second": 150, "p95_ms": 150, "errors": 0},
    }
    write_result(args.name, result)
    print(json.dumps(result, indent=2))


def _wait(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start within {seconds:.0f} s")


if __name__ == "__main__":
    main()
