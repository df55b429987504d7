"""Shared by every benchmark: Django set-up, timing and the results file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def setup_django() -> None:
    """Use the configured database (HUDDLE_DATABASE_URL); debug settings unless told otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huddle.settings")
    os.environ.setdefault("HUDDLE_DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings

    # Measure what production does: debug settings keep every query's SQL in memory (a large
    # import's bulk inserts grow the RSS by hundreds of MB and slow it down).
    settings.DEBUG = False


def timings(work: Callable[[], Any], *, repeat: int, warmup: int = 2) -> list[float]:
    """Wall-clock milliseconds of ``repeat`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 3),
        "p95_ms": round(percentile(samples, 95), 3),
        "mean_ms": round(statistics.fmean(samples), 3) if samples else float("nan"),
    }


def _fixed_work() -> int:
    total = 0
    for i in range(50_000):
        total += i * i % 7
    return total


def host_jitter(repeat: int = 300) -> dict[str, float]:
    """The same pure-Python work (~2 ms) timed ``repeat`` times: how steady the host is.

    A latency's p95 cannot be steadier than this. On the shared 2-core machine of
    docs/performance.md some slices of time run at half speed (the work's p95 is 1.0-2.0x its
    p50 from one minute to the next), which moves every p95 of a run by as much."""
    samples = timings(_fixed_work, repeat=repeat, warmup=20)
    figures = summary(samples)
    return {**figures, "p95_over_p50": round(figures["p95_ms"] / figures["p50_ms"], 2)}


def machine() -> dict[str, Any]:
    from django.db import connection

    return {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "database": connection.vendor,
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "at": datetime.now(UTC).isoformat(), "machine": machine(), **data}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


class ChildrenPeak:
    """The largest peak RSS (VmHWM, MB) seen among this process's child processes while the
    ``with`` block runs, polled every ``every`` seconds from ``/proc`` (Linux).

    ``getrusage(RUSAGE_CHILDREN)`` can't tell: a child started by fork and exec is charged the
    parent's memory from the moment between the two.
    """

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.mb = every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ChildrenPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        tasks = Path("/proc/self/task")
        while not self._stop.wait(self.every):
            try:
                pids = {p for t in tasks.iterdir() for p in (t / "children").read_text().split()}
            except OSError:
                continue
            for pid in pids:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.mb = max(self.mb, round(int(line.split()[1]) / 1024, 1))


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child(target: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    try:
        queue.put(("ok", target(*args)))
    except BaseException as error:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(error)))


def in_child(target: Callable[..., Any], *args: Any) -> Any:
    """``target(*args)`` in a fresh (spawned) process, so its peak RSS is its own; its result."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, args, queue))
    process.start()
    status, value = queue.get()
    process.join()
    if status != "ok":
        raise RuntimeError(f"benchmark child failed: {value}")
    return value


def bench_member(slug: str) -> tuple[str, str]:
    """A fresh organisation ``slug`` with one owner (replacing an existing one): (slug, email)."""
    from django.contrib.auth.hashers import make_password

    from huddle.accounts.models import Membership, Organization, Role, User

    email = f"owner@{slug}.bench"
    Organization.objects.filter(slug=slug).delete()
    User.objects.filter(email=email).delete()
    organization = Organization.objects.create(slug=slug, name=f"Benchmark {slug}")
    user = User.objects.create(
        email=email, name="Bench owner", password=make_password("bench-password-not-secret")
    )
    Membership.objects.create(organization=organization, user=user, role=Role.OWNER)
    return slug, email


def bench_actor(slug: str, email: str) -> Any:
    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor

    membership = Membership.objects.select_related("user", "organization").get(
        organization__slug=slug, user__email=email
    )
    return Actor(membership)


def fast_insert(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> int:
    """Insert ``rows`` (values of ``columns``, as Python values) with ``core.bulk.RowInsert``
    (``executemany`` on SQLite, ``COPY`` on PostgreSQL); every other column gets its field's
    default. Values go through each field's database preparation, so the rows are what
    ``bulk_create`` would have written (and, as with it, no signals are sent)."""
    from django.db import connection

    from huddle.core.bulk import RowInsert

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
    given = [by_name[c] for c in columns]
    rest = [f for f in fields if f not in given]
    constant = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    preps = [f.get_db_prep_save for f in given]
    prepared = [
        tuple(prep(value, connection) for prep, value in zip(preps, row, strict=True)) + constant
        for row in rows
    ]
    RowInsert(connection, model, [f.name for f in given + rest])(prepared)
    return len(prepared)
