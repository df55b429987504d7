"""Parsing an upload in a child process held to hard limits.

The checks before openpyxl, python-docx and pypdf (``package``, ``limits``) refuse the known
hostile files at once, but not everything those libraries do can be bounded from outside: pypdf
walks a page's drawing instructions at its own pace, a workbook's shared strings are loaded
whole. So those formats are parsed by ``python -m huddle.context.parsing.isolated``: a fresh
interpreter (no database connection, no Django settings, nothing of the worker's state) that
reads the upload from stdin, then limits itself — address space (``HUDDLE_UPLOAD_PARSE_MB``) and
processor time (``HUDDLE_UPLOAD_PARSE_SECONDS``) — and answers with JSON lines on stdout:
progress, then the parsed file, a refusal or a failure. The parent stops it after twice the
processor time in wall time, and reads at most ``MAX_REPLY`` bytes from it.

A child that hits a limit or dies (killed, crashed in C code) becomes a ``ValidationFailed``
naming the limit; the process that started it (the worker, the CLI) carries on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

from huddle.context.parsing.limits import MB, Progress, refuse
from huddle.context.parsing.upload import ParsedUpload, parse_here
from huddle.core.errors import ValidationFailed

log = logging.getLogger(__name__)
TICK = 1.0  # seconds between calls of on_progress while the child says nothing (a heartbeat)
PROGRESS_EVERY = 0.25  # seconds between the child's progress lines
MAX_REPLY = 256 * MB  # a parsed table is its gzip-compressed CSV, base64-encoded, plus a preview
TIME_SIGNALS = (signal.SIGXCPU, signal.SIGKILL)  # the soft and the hard limit on processor time


def command() -> list[str]:
    """The child's command line: this interpreter, running this module."""
    return [sys.executable, "-m", __name__]


def parse_isolated(
    kind: str,
    name: str,
    raw: bytes,
    *,
    max_rows: int,
    seconds: int,
    megabytes: int,
    on_progress: Progress | None = None,
) -> ParsedUpload:
    """``parse_here`` in a child process limited to ``seconds`` of processor time and
    ``megabytes`` of address space. ``on_progress`` gets the child's progress, and is called
    again at least every ``TICK`` seconds while it works. Raises ``ValidationFailed``."""
    header = {"kind": kind, "name": name, "size": len(raw), "max_rows": max_rows}
    header |= {"seconds": seconds, "megabytes": megabytes}
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            assert process.stdin is not None  # noqa: S101 - PIPE was asked for
            with contextlib.suppress(BrokenPipeError):  # it died early: its status says why
                process.stdin.write(json.dumps(header).encode() + b"\n")
                process.stdin.write(raw)
                process.stdin.close()
            reply = _replies(process, time.monotonic() + 2 * seconds, on_progress)
        finally:
            if process.poll() is None:
                process.kill()
            status = process.wait()
            errors.seek(0)
            said = errors.read()[-4000:].decode("utf-8", "replace").strip()
    if reply is not None and "parsed" in reply:
        return ParsedUpload.from_wire(reply["parsed"])
    if reply is not None and "refused" in reply:
        raise ValidationFailed(reply["refused"], fields=reply.get("fields") or None)
    if reply is None:
        log.warning("parsing %s stopped with status %s: %s", name, status, said)
        if -status not in TIME_SIGNALS:
            raise refuse(
                f"Reading {name} stopped unexpectedly (exit status {status}): it may need more "
                f"than {megabytes} MB of memory (the limit), or be damaged."
            )
        reply = {"limit": "time"}
    plural = "" if seconds == 1 else "s"
    over = {
        "time": f"{seconds} second{plural} of processing",
        "memory": f"{megabytes} MB of memory",
    }
    if reply.get("limit") in over:
        raise refuse(
            f"Reading {name} needs more than {over[reply['limit']]}, the limit; save a smaller "
            "or simpler file and upload it again."
        )
    log.warning("parsing %s failed: %s\n%s", name, reply.get("failed"), said)
    raise refuse(f"{name} could not be read ({reply.get('failed', 'no answer')}).")


def _replies(
    process: subprocess.Popen[bytes], deadline: float, on_progress: Progress | None
) -> dict[str, Any] | None:
    """The child's last message (None if it ended without one); progress lines go to
    ``on_progress``. Kills the child at ``deadline`` (the answer is then a time limit)."""
    assert process.stdout is not None  # noqa: S101 - PIPE was asked for
    buffer, final = bytearray(), None
    last: tuple[float | None, str] = (None, "starting")
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                process.kill()
                return {"limit": "time"}
            ready = selector.select(min(left, TICK))
            if not ready:
                if on_progress is not None:
                    on_progress(*last)
                continue
            chunk = os.read(process.stdout.fileno(), 1024 * 1024)
            if not chunk:
                return final
            buffer += chunk
            if len(buffer) > MAX_REPLY:
                process.kill()
                return {"failed": "the parsing process answered too much"}
            while (end := buffer.find(b"\n")) >= 0:
                message = json.loads(bytes(buffer[:end]))
                del buffer[: end + 1]
                if "progress" in message:
                    last = (message["progress"][0], str(message["progress"][1]))
                    if on_progress is not None:
                        on_progress(*last)
                else:
                    final = message


def _child() -> int:
    # openpyxl uses numpy when it can import it, and numpy's OpenBLAS reserves buffers per core
    # on import: under a limit on address space that fails (and exits). Nothing here needs it.
    sys.modules["numpy"] = None  # type: ignore[assignment]
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    raw = stdin.read(header["size"])
    # Replies go to a copy of stdout; stdout itself becomes stderr, so that anything a library
    # prints can't be taken for a reply.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    memory = header["megabytes"] * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = header["seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message).encode() + b"\n")
        out.flush()

    sent = 0.0

    def progress(fraction: float | None, note: str) -> None:
        nonlocal sent
        if time.monotonic() - sent >= PROGRESS_EVERY:
            sent = time.monotonic()
            send({"progress": [fraction, note]})

    try:
        parsed = parse_here(
            header["kind"], header["name"], raw, max_rows=header["max_rows"], on_progress=progress
        )
        send({"parsed": parsed.to_wire()})
    except MemoryError:
        del raw
        send({"limit": "memory"})
    except ValidationFailed as error:
        send(
            {"limit": "memory"}
            if _near(memory)
            else {"refused": error.message, "fields": error.fields}
        )
    except Exception as error:  # noqa: BLE001 - a library failing on this file: said, not raised
        traceback.print_exc()
        send(
            {"limit": "memory"}
            if _near(memory)
            else {"failed": f"{type(error).__name__}: {error}"[:300]}
        )
    return 0


def _near(memory: int) -> bool:
    """Did this process come within a tenth of its address space? A failure then is the
    limit's: libxml2, for one, reports a failed allocation as an "unknown error" of the XML."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024 >= 0.9 * memory
    except (OSError, ValueError, IndexError):
        pass
    return False


if __name__ == "__main__":
    sys.exit(_child())
