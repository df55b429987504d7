"""Where templates render: renderer processes with hard limits that C code can't escape.

The sandbox's checks size every operation before it runs; but a loop needs a time limit, and a
C routine given a value built without any operator (hashing a deeply shared
tuple, comparing two such structures, compiling a template full of constants) runs as long and
takes as much memory as it likes, out of reach of any Python-level check. So the web process
doesn't render templates that compute (simple ones, which print values with a few filters, it
renders itself: ``sandbox.is_simple``): it hands each to a renderer process, which

- was started with ``sys.executable -I`` and an empty environment (no database URL, no secret
  key, no Django settings), and imports only Jinja2 and the sandbox;
- raises its memory limit (``RLIMIT_AS``) to what it uses plus ``MEMORY_BYTES`` before each
  render, so an allocation past that fails with a ``MemoryError`` it answers as a refusal;
- arms two CPU timers for each render (compiling included): at ``TIME_LIMIT`` (0.4 s) a
  ``SIGVTALRM`` handler raises ``TimeoutError`` between two Python steps, which stops a loop and
  keeps the renderer; at ``CPU_SECONDS`` (0.5 s) the kernel delivers ``SIGPROF`` even in the
  middle of a C call, and its default action ends the process;
- answers one request at a time over a pipe: a pickle from the web process (trusted, and
  unpickled with only ``Block`` allowed), a JSON reply back (the web process never unpickles
  what a renderer sends).

The web process waits ``WALL_SECONDS`` at most and kills the renderer past that (a backstop for
a renderer that gets no CPU at all); a renderer that died answers "took too long" (the CPU
timer, or the wait) or "stopped unexpectedly", and the next render starts a fresh one. Renderers
are started lazily, one per thread rendering at the same time, and up to ``IDLE_RENDERERS`` are
kept for the next render. A render costs one round trip over the pipe (about 50 microseconds
back to back, more when the machine is busy and the renderer must wait for a CPU:
``docs/performance.md``); the first render in a process also waits for the renderer to start
(0.1-0.2 s).
"""

from __future__ import annotations

import atexit
import io
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any

from huddle.core.errors import HuddleError
from huddle.library.templating.sandbox import TIME_LIMIT, Block, Refused, render_here

CPU_SECONDS = 0.5  # CPU time a render may take, compiling included
MEMORY_BYTES = 64 * 1024 * 1024  # memory a render may add to what the renderer holds
WALL_SECONDS = 3.0  # how long the web process waits for an answer before killing the renderer
START_SECONDS = 30.0  # how long a renderer may take to start, on a busy machine
IDLE_RENDERERS = 4

TOO_LONG = f"The template took too long to render (the limit is {CPU_SECONDS:g} s); simplify it."
TOO_BIG = (
    f"The template needs more than {MEMORY_BYTES // 2**20} MB of memory to render; simplify it."
)
SLOW = f"The template took longer than {TIME_LIMIT:g} s to render; simplify its loops."
CRASHED = "The template renderer stopped unexpectedly while rendering this template."

_HEADER = struct.Struct("!I")
_READY = b"ready"
# The renderer imports from where this process does: -I ignores PYTHONPATH and the like.
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from huddle.library.templating.process import serve; serve()"
)
# Only what the dynamic loader may need to start the interpreter; nothing else is passed on.
_ENVIRONMENT = ("LD_LIBRARY_PATH",)
# Renders once when a renderer starts, so the modules rendering needs are loaded before limits.
_WARM_UP = (
    "{% set t = x ~ '%s' % n %}{{ t|upper|center(9)|indent(2)|wordwrap(5)|replace('a', 'b') }}"
    "{{ [x, n]|join(',') }}{{ x.split()|sort|unique|batch(1)|sum(start=[])|length }}"
    "{{ '{:>3}'.format(n) }}{{ (x * 2 + x)|truncate(9)|striptags|wordcount }}"
)


class _Gone(Exception):
    """The renderer had ended before it was sent the request: try another one."""


class _Garbled(Exception):
    """The renderer answered something that isn't a reply."""


# A reply holds at most MAX_OUTPUT_CHARS characters, each at most 12 bytes of JSON.
_MAX_REPLY = 16 * 1024 * 1024


class _Renderer:
    """One renderer process, used by one thread at a time."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-I", "-c", _BOOT, json.dumps(sys.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={name: os.environ[name] for name in _ENVIRONMENT if name in os.environ},
            bufsize=0,
        )
        self.poll = select.poll()
        self.poll.register(self.proc.stdout.fileno(), select.POLLIN)
        with _lock:
            _ALL.add(self)
        try:
            started = self._receive(time.monotonic() + START_SECONDS) == _READY
        except (EOFError, TimeoutError, _Garbled):
            started = False
        except BaseException:
            self.kill()
            raise
        if not started:
            self.kill()
            raise HuddleError(
                "renderer_unavailable",
                "Templates can't be rendered right now: the renderer did not start.",
                status=503,
            )

    def ask(self, payload: bytes) -> dict[str, Any]:
        """Send one request and wait for its answer; ``Refused`` when the renderer died."""
        try:
            _write(self.proc.stdin.fileno(), payload)
        except BrokenPipeError:
            raise _Gone from None
        try:
            reply = json.loads(self._receive(time.monotonic() + WALL_SECONDS))
            if not isinstance(reply, dict):
                raise _Garbled
            return reply
        except TimeoutError:
            self.kill()
            raise Refused(TOO_LONG) from None
        except (_Garbled, ValueError):  # the renderer isn't itself: don't trust it again
            self.kill()
            raise Refused(CRASHED) from None
        except EOFError:
            status = self.proc.wait()
            self.close()
            if status in (-signal.SIGPROF, -signal.SIGXCPU):
                raise Refused(TOO_LONG) from None
            raise Refused(CRASHED) from None

    def _receive(self, deadline: float) -> bytes:
        size = _HEADER.unpack(self._read(_HEADER.size, deadline))[0]
        if size > _MAX_REPLY:
            raise _Garbled
        return self._read(size, deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        fd = self.proc.stdout.fileno()
        data = io.BytesIO()
        while data.tell() < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.poll.poll(remaining * 1000):
                raise TimeoutError
            chunk = os.read(fd, size - data.tell())
            if not chunk:
                raise EOFError
            data.write(chunk)
        return data.getvalue()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """End the renderer: it exits when its input closes."""
        for pipe in (self.proc.stdin, self.proc.stdout):
            pipe.close()
        try:
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            pipe.close()

    def abandon(self) -> None:
        """In a forked copy of the web process: let go of the parent's renderer."""
        for pipe in (self.proc.stdin, self.proc.stdout):
            pipe.close()
        self.proc.returncode = 0  # not ours to wait for


_ALL: weakref.WeakSet[_Renderer] = weakref.WeakSet()
_idle: list[_Renderer] = []
_lock = threading.Lock()
_abandoned: list[_Renderer] = []


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render ``source`` in a renderer process; ``Refused`` for every problem, with the
    renderer's hard limits on top of the sandbox's own checks."""
    payload = pickle.dumps((source, dict(variables)), protocol=pickle.HIGHEST_PROTOCOL)
    for _attempt in range(3):
        renderer = _take()
        try:
            reply = renderer.ask(payload)
        except _Gone:
            renderer.kill()
            continue
        except Refused:
            raise
        except BaseException:
            renderer.kill()  # interrupted half way: its state is unknown
            raise
        _give_back(renderer)
        if isinstance(reply.get("text"), str):
            return reply["text"]
        if "bug" in reply:  # a caller passed something other than plain data
            raise TypeError(str(reply["bug"]))
        line = reply.get("line")
        raise Refused(str(reply.get("problem", CRASHED)), line=line if type(line) is int else None)
    raise Refused(CRASHED)


def _take() -> _Renderer:
    while True:
        with _lock:
            renderer = _idle.pop() if _idle else None
        if renderer is None:
            return _Renderer()
        if renderer.alive():
            return renderer
        renderer.close()  # it ended while idle (killed from outside, or the machine's OOM killer)


def _give_back(renderer: _Renderer) -> None:
    with _lock:
        if len(_idle) < IDLE_RENDERERS and renderer.owner == os.getpid():
            _idle.append(renderer)
            return
    renderer.close()


def renderer_pids() -> list[int]:
    """The process ids of this process's renderers (for tests and diagnostics)."""
    with _lock:
        renderers = list(_ALL)
    return [r.proc.pid for r in renderers if r.owner == os.getpid() and r.alive()]


def _close_all() -> None:
    with _lock:
        idle = list(_idle)
        _idle.clear()
    for renderer in idle:
        renderer.close()


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    _abandoned.extend(_idle)
    for renderer in _idle:
        renderer.abandon()
    _idle.clear()


atexit.register(_close_all)
os.register_at_fork(after_in_child=_after_fork)


# -- The renderer's side


def _write(fd: int, payload: bytes) -> None:
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = io.BytesIO()
    while data.tell() < size:
        chunk = os.read(fd, size - data.tell())
        if not chunk:
            return None
        data.write(chunk)
    return data.getvalue()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (Block.__module__, "Block"):
            return Block
        raise pickle.UnpicklingError(f"A {module}.{name} can't be passed to a template.")


def serve() -> None:
    """The renderer process's loop: one request in, one reply out, until its input closes."""
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the web process
    signal.signal(signal.SIGVTALRM, _out_of_time)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    render_here(_WARM_UP, {"x": "a b", "n": 1})  # loads what rendering needs, before the limits
    try:
        statm = os.open("/proc/self/statm", os.O_RDONLY)
    except OSError:  # not Linux: no memory limit (Linux is what Huddle is deployed on)
        statm = None
    page = os.sysconf("SC_PAGE_SIZE")
    _write(1, _READY)
    while True:
        header = _read_exactly(0, _HEADER.size)
        payload = header and _read_exactly(0, _HEADER.unpack(header)[0])
        if payload is None:
            return
        if statm is not None:
            size = int(os.pread(statm, 64, 0).split()[0]) * page  # the address space in use
            resource.setrlimit(resource.RLIMIT_AS, (size + MEMORY_BYTES, resource.RLIM_INFINITY))
        try:
            # Two CPU timers: at TIME_LIMIT a handler stops the render between two Python steps;
            # at CPU_SECONDS the kernel ends this process, even inside a C call.
            signal.setitimer(signal.ITIMER_VIRTUAL, TIME_LIMIT)
            signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS)
            reply = _render_reply(payload)
        except TimeoutError:
            reply = {"problem": SLOW}
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        payload = None
        _write(1, json.dumps(reply).encode())


def _out_of_time(signum: int, frame: Any) -> None:
    raise TimeoutError


def _render_reply(payload: bytes) -> dict[str, Any]:
    try:
        source, variables = _Unpickler(io.BytesIO(payload)).load()
        return {"text": render_here(source, variables)}
    except Refused as problem:
        return {"problem": problem.message, "line": problem.line}
    except MemoryError:
        return {"problem": TOO_BIG}
    except pickle.UnpicklingError as error:
        return {"bug": str(error)}
