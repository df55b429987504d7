"""Benchmark of hostile context uploads: what refusing each one costs, and what reading a large
legitimate file costs, in processor time and peak memory.

    python -m bench.uploads [--case ID ...]

Each file (the hostile ones of ``tests/security/test_hostile_uploads.py``, built by
``tests/context/hostile.py``, and four legitimate ones) is measured in a fresh process of its
own, after it is built, in two steps:

- ``receipt``: ``inspect_upload``, what the web process does while it receives the upload
  (processor seconds and peak RSS of that process, its baseline — Django and the file itself —
  included, and the rise over the baseline);
- ``worker``: ``parse_upload``, what the worker does (DOCX, XLSX and PDF in a child process:
  its processor seconds and peak RSS are given too), skipped when the receipt refused the file.

Nothing is written: no database is needed. Run from the repository's root (the files come from
``tests/``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ChildrenPeak, peak_rss_mb, setup_django, write_result


def _legitimate() -> dict[str, tuple[str, str, Callable[[], bytes]]]:
    from tests.context.helpers import docx_bytes, xlsx_bytes
    from tests.context.hostile import pdf_of

    header = ["date", "channel", "campaign", "impressions", "clicks", "spend", "leads", "notes"]

    def row(n: int) -> list[Any]:
        return [f"2026-07-{1 + n % 28:02d}", f"C{n % 5}", f"K{n % 40}", 100, n % 7, 1.5, 1, "ok"]

    def csv_200k() -> bytes:
        lines = [",".join(header)] + [",".join(map(str, row(n))) for n in range(200_000)]
        return ("\n".join(lines) + "\n").encode()

    def xlsx_50k() -> bytes:
        return xlsx_bytes({"Results": [header] + [row(n) for n in range(50_000)]})

    def docx_300_paragraphs() -> bytes:
        text = "Our voice is warm, plain and confident; we write for busy people. " * 6
        return docx_bytes([("Heading 1", "Voice")] + [("Normal", text)] * 300)

    def pdf_100_pages() -> bytes:
        import zlib

        line = b"BT /F1 11 Tf 72 %d Td (Our voice is warm, plain and confident.) Tj ET\n"
        content = zlib.compress(b"".join(line % (720 - 14 * n) for n in range(45)))
        kids = " ".join(f"{4 + n} 0 R" for n in range(100))
        page = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            b"/Resources << /Font << /F1 104 0 R >> >> >>"
        )
        return pdf_of(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [%s] /Count 100 >>" % kids.encode(),
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
                + content
                + b"\nendstream",
                *[page] * 100,
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            ]
        )

    return {
        "legit-csv-200k-rows": ("campaign_data", "q3.csv", csv_200k),
        "legit-xlsx-50k-rows": ("campaign_data", "q3.xlsx", xlsx_50k),
        "legit-docx-300-paragraphs": ("brand", "guide.docx", docx_300_paragraphs),
        "legit-pdf-100-pages": ("brand", "guide.pdf", pdf_100_pages),
    }


def _files() -> dict[str, tuple[str, str, Callable[[], bytes]]]:
    from tests.security.test_hostile_uploads import CASES

    hostile = {case.id: (case.kind, case.name, case.build) for case in CASES}
    return hostile | _legitimate()


def _vm_hwm_reset() -> None:
    """Start this process's peak RSS afresh (Linux: ``clear_refs`` 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _outcome(work: Callable[[], Any]) -> tuple[str, float, float, float, float]:
    """(outcome, own processor s, children's processor s, own peak MB, children's peak MB)."""
    from huddle.core.errors import HuddleError

    _vm_hwm_reset()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.process_time()
    with ChildrenPeak() as peak:
        try:
            work()
            outcome = "read"
        except HuddleError as error:
            outcome = f"refused: {error.message}"
    own = time.process_time() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return outcome, round(own, 3), round(child, 3), peak_rss_mb(), peak.mb


def _one(case: str) -> dict[str, Any]:
    setup_django()
    from huddle.context.parsing.upload import inspect_upload, parse_upload

    kind, name, build = _files()[case]
    raw = build()
    baseline = _rss_mb()
    result: dict[str, Any] = {"case": case, "bytes": len(raw), "baseline_mb": baseline}
    outcome, cpu, _child, peak, _child_peak = _outcome(lambda: inspect_upload(kind, name, raw))
    result["receipt"] = {"outcome": outcome, "cpu_s": cpu, "peak_mb": peak}
    result["receipt"]["rise_mb"] = round(peak - baseline, 1)
    if outcome == "read":
        outcome, cpu, child, peak, child_peak = _outcome(
            lambda: parse_upload(kind, name, raw, inspected=True)
        )
        result["worker"] = {
            "outcome": outcome,
            "cpu_s": cpu,
            "child_cpu_s": child,
            "peak_mb": peak,
            "child_peak_mb": child_peak,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", nargs="*", help="Only these (ids as in the test).")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one)))
        return
    setup_django()

    results = []
    for case in args.case or list(_files()):
        out = subprocess.run(  # noqa: S603 - this module, this interpreter
            [sys.executable, "-m", "bench.uploads", "--one", case],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        receipt, worker = result["receipt"], result.get("worker")
        line = (
            f"{case:32} {result['bytes']:>10,} B  receipt {receipt['cpu_s']:6.3f} s "
            f"+{receipt['rise_mb']:6.1f} MB (peak {receipt['peak_mb']:6.1f})"
        )
        if worker:
            line += (
                f"  worker {worker['cpu_s']:6.3f} s, child {worker['child_cpu_s']:6.3f} s "
                f"{worker['child_peak_mb']:6.1f} MB"
            )
        final = (worker or receipt)["outcome"]
        print(f"{line}  {final[:90]}", flush=True)
    path = write_result("uploads", {"cases": results})
    print(f"→ {path}")


if __name__ == "__main__":
    main()
