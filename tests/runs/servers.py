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
    chunks: list[bytes | float] | None = None  # a number: pause that many seconds there
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
                        Seen(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
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
                        if isinstance(chunk, float):
                            time.sleep(chunk)
                            continue
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
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def queue(self, *replies: Reply) -> FakeServer:
        self.replies = list(replies)
        return self

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- what the real APIs answer ---------------------------------------------------------------


def openai_completion(text: str, *, model: str = "gpt-test") -> Reply:
    return Reply.json(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1700000000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        }
    )


def openai_stream(pieces: list[str], *, model: str = "gpt-test") -> Reply:
    def chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> str:
        choices = [{"index": 0, "delta": delta, "finish_reason": finish}] if delta or finish else []
        data = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": model,
            "choices": choices,
            "usage": usage,
        }
        return "data: " + json.dumps(data)

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": piece}) for piece in pieces]
    events.append(chunk({}, finish="stop"))
    events.append(chunk({}, usage={"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}))
    events.append("data: [DONE]")
    return Reply.sse(events)


def openai_error(status: int, message: str = "nope") -> Reply:
    return Reply.json({"error": {"message": message, "type": "error", "code": None}}, status)


def anthropic_message(text: str, *, model: str = "claude-test") -> Reply:
    return Reply.json(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 6},
        }
    )


def anthropic_stream(pieces: list[str], *, model: str = "claude-test") -> Reply:
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps({'type': name, **data})}"

    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 9, "output_tokens": 1},
    }
    events = [
        event("message_start", {"message": message}),
        event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        event("ping", {}),
    ]
    events += [
        event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": p}})
        for p in pieces
    ]
    events += [
        event("content_block_stop", {"index": 0}),
        event(
            "message_delta",
            {
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 4},
            },
        ),
        event("message_stop", {}),
    ]
    return Reply.sse(events)


def anthropic_error(status: int, kind: str = "api_error", message: str = "nope") -> Reply:
    return Reply.json({"type": "error", "error": {"type": kind, "message": message}}, status)
