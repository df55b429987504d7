"""Identity providers for the tests run as a second process: how the test starts one and waits
until it listens (``provider_process``), and how the process serves (``serve``).

Stdlib only: the provider processes import this before (or without) Django.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def provider_process(module: str, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``python -m MODULE PORT ARGS...`` on a free port of 127.0.0.1 until the block ends;
    yields its base URL once it printed ``READY``. Raises ``RuntimeError`` with its output when
    it exits before."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # the provider is not Huddle
    process = subprocess.Popen(
        [sys.executable, "-m", module, str(port), *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        seen = []
        for line in process.stdout:  # warnings may come first; stop at READY or at its exit
            if "READY" in line:
                break
            seen.append(line)
        else:
            raise RuntimeError("the test identity provider did not start: " + "".join(seen))
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(port: str, app: Callable[..., Any]) -> None:
    """Serve the WSGI ``app`` on 127.0.0.1:PORT; print ``READY`` once it listens."""
    server = make_server("127.0.0.1", int(port), app, _Server, _Quiet)
    print("READY", flush=True)
    server.serve_forever()
