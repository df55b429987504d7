"""Import a generic usage report through the real importer vs. a bare CSV read of the same file.

    python -m bench.usage_import --rows 100000          # reduced (make bench)
    python -m bench.usage_import --rows 1000000 --name usage-import-1m

Writes ``var/usage-<rows>.csv`` (``email,date,tool,messages,active_minutes``: ``--members``
people, one row per person, day and tool over a year, deterministic) when it is missing, and an
organisation ``bench-usage`` holding those people. Each pass runs in its own spawned process so
each peak RSS is its own: ``csv.reader`` touching every field (the bare read), and
``usage.services.usage_import`` (what ``huddle usage import`` calls) into the organisation, twice
(the second is a re-import: every week is merged with the stored one). Targets (issue 23): a 1M-row
report in ≤ 20 s with ≤ 300 MB peak RSS; the ratio to the bare read is reported beside them.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import in_child, peak_rss_mb, setup_django, write_result

SLUG = "bench-usage"
SECONDS_TARGET = 20.0
RSS_LIMIT_MB = 300
TOOLS = ("chatgpt", "claude", "copilot")
START = date(2025, 9, 1)


def email(i: int) -> str:
    return f"person{i:05d}@{SLUG}.bench"


def write_report(path: Path, *, rows: int, members: int) -> None:
    """Person after person, day after day (365), tool after tool: ``rows`` rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    days = [(START + timedelta(days=d)).isoformat() for d in range(365)]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "date", "tool", "messages", "active_minutes"])
        for i in range(rows):
            person, rest = i % members, i // members
            writer.writerow(
                [email(person), days[rest % 365], TOOLS[(rest // 365) % 3], (i * 7) % 23, i % 40]
            )


def organisation(members: int) -> None:
    """``bench-usage`` with ``members`` members (replacing it), written in bulk."""
    from huddle.accounts.models import Membership, Organization, Role, User

    Organization.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__endswith=f"@{SLUG}.bench").delete()
    organization = Organization.objects.create(slug=SLUG, name="Usage benchmark")
    users = User.objects.bulk_create(
        [User(email=email(i), password="!") for i in range(members)],  # noqa: S106 - unusable
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(organization=organization, user=u, role=Role.MEMBER) for u in users],
        batch_size=1000,
    )


def bare_pass(path: str) -> dict[str, Any]:
    started = time.perf_counter()
    rows = chars = 0
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            rows += 1
            chars += sum(len(cell) for cell in row)
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "rows": rows - 1,
        "peak_rss_mb": peak_rss_mb(),
    }


def import_pass(path: str) -> dict[str, Any]:
    setup_django()
    from huddle.accounts.models import Organization
    from huddle.usage.services import usage_import

    organization = Organization.objects.get(slug=SLUG)
    out: dict[str, Any] = {}
    for label in ("first", "again"):
        started = time.perf_counter()
        with open(path, "rb") as stream:
            record = usage_import(
                actor=None,
                organization=organization,
                source="generic",
                stream=stream,
                file_name=Path(path).name,
            )
        out[label] = {
            "seconds": round(time.perf_counter() - started, 3),
            "rows": record.rows_read,
            "weeks": record.weeks_written,
            "peak_rss_mb": peak_rss_mb(),
        }
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def run(rows: int, members: int, fresh: bool = False) -> dict[str, Any]:
    path = Path(f"var/usage-{rows}.csv")
    if fresh or not path.exists():
        write_report(path, rows=rows, members=members)
    organisation(members)
    bare = in_child(bare_pass, str(path))
    imported = in_child(import_pass, str(path))
    seconds = max(imported["first"]["seconds"], imported["again"]["seconds"])
    return {
        "rows": rows,
        "members": members,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "bare_csv": bare,
        "import": imported,
        "ratio_to_bare": round(seconds / bare["seconds"], 1),
        "seconds_target": SECONDS_TARGET,
        "rss_limit_mb": RSS_LIMIT_MB,
        "within_targets": seconds <= SECONDS_TARGET and imported["peak_rss_mb"] <= RSS_LIMIT_MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--name", default="usage-import")
    args = parser.parse_args()
    setup_django()
    result = run(args.rows, args.members, args.fresh)
    print(json.dumps(result, indent=2))
    print(f"wrote {write_result(args.name, result)}")


if __name__ == "__main__":
    main()
