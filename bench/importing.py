"""Import a ChatGPT export through the real importer vs. bare parsing passes over the same file.

    python -m bench.importing --mb 50                 # reduced (make bench)
    python -m bench.importing --mb 1073 --out var/export-1g.json --name importing-1g   # 1 GiB

Writes the export with ``bench.export`` when the file is missing (or ``--fresh``). Every pass
runs in its own spawned process so each peak RSS is its own: the import
(``writer.import_export``, the function ``huddle import chatgpt`` and the upload worker call)
into a fresh organisation; ``ijson.items(f, "item")`` walking every message (the issue's lower
bound); and the same walk with ``jsonlist``, the decoder the importer itself uses (the stricter
bound). Prints MB/s, peak RSS and the ratio of the import's MB/s to each bare pass's. Exports
past ``HUDDLE_IMPORT_PARALLEL_BYTES`` are parsed in a child process of the import's: its peak RSS
is reported too, and the peak RSS held against the target is the sum of both. Targets: peak RSS
≤ 300 MB; ≥ 0.5x the bare ijson pass.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.common import (
    ChildrenPeak,
    bench_actor,
    bench_member,
    in_child,
    peak_rss_mb,
    setup_django,
    write_result,
)

RSS_LIMIT_MB = 300
RATIO_TARGET = 0.5


def bare_pass(path: str, parser: str = "ijson") -> dict[str, Any]:
    """Parse every conversation and touch each message's text: with ijson (the issue's lower
    bound), or with ``jsonlist`` (the decoder the importer uses: the stricter bound)."""
    import ijson

    from huddle.capture.importers.jsonlist import list_items

    started = time.perf_counter()
    conversations = messages = 0
    with open(path, "rb") as handle:
        items = (
            ijson.items(handle, "item", use_float=True) if parser == "ijson" else list_items(handle)
        )
        for conversation in items:
            conversations += 1
            for node in conversation.get("mapping", {}).values():
                message = node.get("message") or {}
                parts = (message.get("content") or {}).get("parts") or []
                messages += sum(1 for p in parts if isinstance(p, str))
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "conversations": conversations,
        "messages": messages,
        "peak_rss_mb": peak_rss_mb(),
    }


def path_size(path: str) -> int:
    return Path(path).stat().st_size


def import_pass(path: str, slug: str, email: str) -> dict[str, Any]:
    """``import_export`` of the file for the organisation's owner, in this (child) process."""
    setup_django()
    from django.conf import settings

    from huddle.capture.importers.writer import import_export

    actor = bench_actor(slug, email)
    baseline = peak_rss_mb()
    with ChildrenPeak() as parser:
        started = time.perf_counter()
        report = import_export(actor=actor, source="chatgpt", path=path)
        seconds = time.perf_counter() - started
    own = peak_rss_mb()
    return {
        "seconds": round(seconds, 3),
        "conversations": report.conversations,
        "prompts": report.prompts,
        "skipped": len(report.skipped),
        "parsed_in_child": path_size(path) >= settings.HUDDLE_IMPORT_PARALLEL_BYTES,
        "importing_peak_rss_mb": own,
        "parser_peak_rss_mb": parser.mb,
        "peak_rss_mb": round(own + parser.mb, 1),
        "rss_before_import_mb": baseline,
    }


def run(path: Path, slug: str = "bench-import") -> dict[str, Any]:
    size_mb = path.stat().st_size / 1e6
    bench_member(slug)
    bare = in_child(bare_pass, str(path))
    decoder = in_child(bare_pass, str(path), "jsonlist")
    _, email = slug, f"owner@{slug}.bench"
    imported = in_child(import_pass, str(path), slug, email)
    bare["mb_per_s"] = round(size_mb / bare["seconds"], 1)
    decoder["mb_per_s"] = round(size_mb / decoder["seconds"], 1)
    imported["mb_per_s"] = round(size_mb / imported["seconds"], 1)
    ratio = imported["mb_per_s"] / bare["mb_per_s"]
    return {
        "file_mb": round(size_mb, 1),
        "bare_ijson": bare,
        "bare_jsonlist": decoder,
        "import": imported,
        "ratio_to_bare": round(ratio, 3),
        "ratio_to_bare_jsonlist": round(imported["mb_per_s"] / decoder["mb_per_s"], 3),
        "ratio_target": RATIO_TARGET,
        "rss_limit_mb": RSS_LIMIT_MB,
        "rss_ratio_to_limit": round(imported["peak_rss_mb"] / RSS_LIMIT_MB, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--fresh", action="store_true", help="write the export even if present")
    parser.add_argument("--name", default="importing")
    args = parser.parse_args()
    setup_django()
    from bench import export

    path = args.out or Path(f"var/export-{args.mb:g}mb.json")
    if args.fresh or not path.exists():
        export.generate(path, mb=args.mb)
    result = run(path)
    print(json.dumps(result, indent=2))
    print(f"wrote {write_result(args.name, result)}")


if __name__ == "__main__":
    main()
