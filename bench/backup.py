"""Back up an organisation and restore the archive beside it, each in its own spawned process.

    python -m bench.backup --org bench                     # after bench.generate (make bench)
    python -m bench.backup --org bench --name backup-full  # after the full-size generator

``backup_write`` (what ``huddle backup`` calls) writes ``var/<org>.zip``; ``backup_restore``
(``huddle restore --as <org>-copy --link-existing-users``) restores it beside the original: every
public id is taken there, so every row gets a fresh one (the case that holds the most memory).
Prints rows, the archive's size and what it inflates to, seconds, rows/s and each process's peak
RSS (and its RSS before the work, Django's own). The copy is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.common import in_child, peak_rss_mb, setup_django, write_result


def write_pass(slug: str, path: str) -> dict[str, Any]:
    setup_django()
    from huddle.accounts.models import Organization
    from huddle.backup import backup_write

    organization = Organization.objects.get(slug=slug)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    manifest = backup_write(organization, Path(path))
    seconds = time.perf_counter() - started
    with zipfile.ZipFile(path) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    return {
        "seconds": round(seconds, 2),
        "rows": sum(manifest["counts"].values()),
        "archive_mb": round(Path(path).stat().st_size / 1e6, 1),
        "inflated_mb": round(inflated / 1e6, 1),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": baseline,
    }


def restore_pass(path: str, slug: str) -> dict[str, Any]:
    setup_django()
    from huddle.backup import backup_restore

    baseline = peak_rss_mb()
    started = time.perf_counter()
    _organization, counts = backup_restore(Path(path), slug=slug, link_existing_users=True)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "rows": sum(counts.values()),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": baseline,
    }


def drop(slug: str) -> None:
    from bench.generate import drop_runs
    from huddle.accounts.models import Organization

    drop_runs(slug)
    Organization.objects.filter(slug=slug).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="bench")
    parser.add_argument("--name", default="backup")
    args = parser.parse_args()
    setup_django()
    copy = f"{args.org}-copy"
    drop(copy)
    path = Path("var") / f"{args.org}.zip"
    path.parent.mkdir(exist_ok=True)
    written = in_child(write_pass, args.org, str(path))
    restored = in_child(restore_pass, str(path), copy)
    for step in (written, restored):
        step["rows_per_s"] = round(step["rows"] / step["seconds"])
    result = {"organization": args.org, "backup": written, "restore": restored}
    print(json.dumps(result, indent=2))
    print(f"wrote {write_result(args.name, result)}", flush=True)
    drop(copy)


if __name__ == "__main__":
    main()
