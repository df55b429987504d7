"""An export's conversations, parsed in the importing process or in a second one beside it.

An import is two kinds of work of about equal weight: parsing (decoding every conversation, the
source's ``parse_conversation``, hashing the prompts: all that depends on the file alone) and
writing (the rows, the database's inserts). In one process they take turns. From
``HUDDLE_IMPORT_PARALLEL_BYTES`` of JSON (default 64 MiB), a child process reads and parses the
export while the importing process writes what it has already sent, so a machine's second core
does half the work.

The child is ``python -m huddle.capture.importers.pipeline``, started with ``subprocess``: a fresh
interpreter holding none of the parent's threads, database connections or open files. It never
touches the database or Django's settings; it reopens the export by path (checking an archive
again, which costs little) and sends batches of parsed conversations, as plain tuples
(``parsed.pack``) pickled, through a pipe of its own sized to 1 MiB: the child runs about a
thousand conversations ahead of the writer and then waits, so memory stays flat.

Everything the child meets comes back and is raised in the importing process, after the
conversations parsed before it (so a refused file rolls back exactly as it does in one process):
``ImportRefused`` with its own message, anything else as ``ParsingFailed`` carrying the child's
traceback. A child that dies without a word (killed, out of memory) is a ``ParsingFailed``
naming its exit status. Leaving the ``with`` block early — the writer failed, the transaction
rolls back — kills the child.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import IO, Any

from huddle.capture.importers import chatgpt, claude, jsonlist
from huddle.capture.importers.archive import Export, ImportRefused, iter_json_items, open_export
from huddle.capture.importers.parsed import ParsedConversation, pack, text_hash, unpack
from huddle.core.memory import collector_paused

SEND_EVERY = 100  # conversations per message from the child (about 1 MB of JSON read)
PIPE_BYTES = 1024 * 1024  # Linux's default ceiling for a pipe (/proc/sys/fs/pipe-max-size)
BATCH, DONE, REFUSED, FAILED = "batch", "done", "refused", "failed"
OnRead = Callable[[int], None]


class ParsingFailed(RuntimeError):
    """The parsing process failed for a reason that is not the file's (a bug, a killed child)."""


def parse(export: Export, source: str, on_read: OnRead | None) -> Iterator[ParsedConversation]:
    """Every conversation of the export's conversation files, in order, parsed in this process,
    with its prompts' hashes: everything that depends on the file alone."""
    parse_one = claude.parse_conversation if source == "claude" else chatgpt.parse_conversation
    for member in export.conversations:
        for number, raw in enumerate(
            iter_json_items(member, key="conversations", on_read=on_read), start=1
        ):
            conversation = parse_one(raw, file=member.name, number=number)
            for prompt in conversation.prompts:
                prompt.text_hash = text_hash(prompt.text)
            yield conversation


@contextmanager
def conversations(
    export: Export, *, path: str, source: str, limit: int, parallel_from: int, on_read: OnRead
) -> Iterator[Iterator[ParsedConversation]]:
    """The export's parsed conversations: from a child process when the export holds
    ``parallel_from`` bytes or more (see the module doc), else parsed here."""
    if export.bytes_total < parallel_from:
        yield parse(export, source, on_read)
        return
    child = _Child(path, source, limit)
    try:
        yield child.conversations(on_read)
    finally:
        child.stop()


class _Child:
    def __init__(self, path: str, source: str, limit: int) -> None:
        read, write = os.pipe()
        with contextlib.suppress(OSError):  # Linux: let the child run a megabyte ahead
            fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        command = [sys.executable, "-m", __name__, str(write), path, source, str(limit)]
        try:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [*command, str(SEND_EVERY), str(jsonlist.CHUNK)],
                pass_fds=(write,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self.errors,
            )
        except BaseException:
            os.close(read)
            self.errors.close()
            raise
        finally:
            os.close(write)  # the child holds the only writing end: its exit is our EOF
        self.pipe = Connection(read, writable=False)

    def conversations(self, on_read: OnRead) -> Iterator[ParsedConversation]:
        while True:
            try:
                message = self.pipe.recv()
            except EOFError:
                raise ParsingFailed(self._silent()) from None
            kind = message[0]
            if kind == BATCH:
                on_read(message[1])
                yield from unpack(message[2])
            elif kind == DONE:
                return
            elif kind == REFUSED:
                raise ImportRefused(message[1])
            else:
                raise ParsingFailed(f"The export's parsing process failed:\n{message[1]}")

    def _silent(self) -> str:
        status = self.process.wait()
        self.errors.seek(0)
        said = self.errors.read()[-2000:].decode("utf-8", "replace").strip()
        return f"The export's parsing process stopped with exit status {status}" + (
            f":\n{said}" if said else "."
        )

    def stop(self) -> None:
        self.pipe.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.errors.close()


def _child(fd: int, path: str, source: str, limit: int, every: int) -> None:
    """Parse the export at ``path`` and send its conversations on ``fd`` (the child's side)."""
    read = 0

    def on_read(n: int) -> None:
        nonlocal read
        read += n

    with Connection(fd, readable=False) as out, collector_paused():
        pending: list[ParsedConversation] = []

        def send(*message: Any) -> None:
            nonlocal read
            out.send(message)
            read = 0

        try:
            try:
                with open_export(path, limit=limit) as export:
                    for conversation in parse(export, source, on_read):
                        pending.append(conversation)
                        if len(pending) >= every:
                            send(BATCH, read, pack(pending))
                            pending = []
            finally:
                if pending:  # what was parsed before a refusal is written, then rolled back
                    send(BATCH, read, pack(pending))
            send(DONE)
        except ImportRefused as error:
            send(REFUSED, error.message)
        except BrokenPipeError:  # the importing process stopped reading: nothing to tell
            return
        except Exception:  # noqa: BLE001 (told to the importing process, which raises it)
            send(FAILED, traceback.format_exc())


if __name__ == "__main__":
    fd, path, source, limit, every, chunk = sys.argv[1:7]
    jsonlist.CHUNK = int(chunk)  # the importing process's reading size (tests lower it)
    _child(int(fd), path, source, int(limit), int(every))
