"""A tiny HTTP server on 127.0.0.1, run in a thread by a test, answering with queued replies."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers: a status, headers, and a body sent whole or in flushed chunks."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] | None = None
    delay: float = 0.0

    @classmethod
    def json(cls, data: Any, status: int = 200, **kwargs: Any) -> Reply:
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        return cls(status=status, body=json.dumps(data).encode(), headers=headers, **kwargs)

    @classmethod
    def sse(cls, events: list[str], **kwargs: Any) -> Reply:
        """``events`` are full SSE blocks without the blank line (``"data: {...}"``)."""
        chunks = [f"{event}\n\n".encode() for event in events]
        return cls(headers={"Content-Type": "text/event-stream"}, chunks=chunks, **kwargs)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FakeServer:
    """Answers every request with the next queued ``Reply`` (the last one repeats)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.requests.append(
                        Seen(self.command, self.path, dict(self.headers.items()), body)
                    )
                    reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.chunks is None:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    for chunk in reply.chunks if reply.chunks is not None else [reply.body]:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.host_key = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def queue(self, *replies: Reply) -> FakeServer:
        self.replies = list(replies)
        return self

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
