"""``huddle serve`` really serves: gunicorn, collected static files, the health check, and
logs that keep secret links out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "inv_" + "Zx7" * 14


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_huddle_serve_runs_gunicorn_with_static_files_and_health(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DJANGO_"))}
    env.update(
        HUDDLE_SECRET_KEY="serve-test-" + "s" * 60,
        HUDDLE_HTTPS="false",
        HUDDLE_VAR_DIR=str(tmp_path),
        HUDDLE_DATABASE_URL=f"sqlite:///{tmp_path}/serve.sqlite3",
    )
    huddle = [sys.executable, "-c", "from huddle.cli import main; main()"]
    subprocess.run([*huddle, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*huddle, "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Generous: collectstatic and gunicorn took over 120 s with several suites on two cores;
        # a server that dies is caught at once by poll().
        deadline = time.monotonic() + 300
        while True:
            try:
                status, body = _get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start within 300 s"
                time.sleep(0.2)
        assert status == 200
        assert body == b'{"status": "ok", "database": "ok"}'
        status, page = _get(f"{base}/accounts/login/")
        assert b"Log in to Huddle" in page
        # The stylesheet link points at a hashed, collected file that whitenoise serves.
        css = page.split(b'rel="stylesheet" href="')[1].split(b'"')[0].decode()
        assert css.startswith("/static/huddle.")
        assert css != "/static/huddle.css"
        status, body = _get(base + css)
        assert status == 200
        assert b"--accent" in body
        # Secret links stay out of the logs: gunicorn's access log, and Django's own warning.
        assert _get(f"{base}/invite/{SECRET}/")[0] == 404  # Django logs "Not Found: <path>"
        assert _get(f"{base}/accounts/login/?next=/invite/{SECRET}/")[0] == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0].decode()
    assert "GET /invite/[secret] HTTP/1.1" in output
    assert "Not Found: /invite/[secret]" in output
    assert SECRET[4:] not in output
