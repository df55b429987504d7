"""Shared by every benchmark: Django set-up, timing and the results file."""

from __future__ import annotations

import json
import os
import platform
import statistics
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
