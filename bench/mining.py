"""Mine the imported prompts of one member: seconds, peak RSS, recall and precision.

    python -m bench.mining --prompts 20000      # reduced (make bench)
    python -m bench.mining --prompts 100000     # full size

Writes a ChatGPT export of exactly ``--prompts`` user prompts (``bench.export``: planted
patterns and one-offs, short answers), imports it for one member of a fresh organisation, then
times ``patterns.patterns_mine`` (what ``huddle mine`` and the patterns page call: reads the
prompts, mines, writes the patterns) in its own spawned process so the peak RSS is its own.

Recall and precision against the export's sidecar. A mined pattern *matches* a planted one when
the words of its template outside ``{{ variables }}`` and the planted template's constant words
have a Jaccard similarity ≥ 0.8 (best match wins). It *recovers* the planted pattern when, in
addition, it covers ≥ 90% of the planted pattern's prompts (size ≥ 0.9 x planted count) and is
≥ 90% pure (planted count ≥ 0.9 x size, so at most a tenth of its prompts came from elsewhere).
Recall = planted patterns recovered / planted patterns. Precision = mined patterns that recover a
planted pattern / mined patterns (a split, a merge, or a cluster of one-offs counts against it).
Targets: ≤ 60 s, ≤ 2 GB, recall and precision ≥ 0.95.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any

from bench.common import (
    bench_actor,
    bench_member,
    in_child,
    peak_rss_mb,
    setup_django,
    write_result,
)

SECONDS_LIMIT, RSS_LIMIT_MB, QUALITY_TARGET = 60.0, 2048, 0.95
VARIABLE_RE = re.compile(r"\{\{.*?\}\}")
WORD_RE = re.compile(r"\w+")


def words(text: str) -> set[str]:
    return set(WORD_RE.findall(VARIABLE_RE.sub(" ", text).casefold()))


def score(mined: list[dict[str, Any]], planted: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall and precision of ``mined`` (template, size, negatives) against the sidecar's."""
    constants = [words(p["constant"]) for p in planted]
    recovered: set[str] = set()
    good = 0
    negatives = 0
    for pattern in mined:
        literal = words(pattern["template"])
        best, best_j = None, 0.0
        for p, constant in zip(planted, constants, strict=True):
            union = literal | constant
            j = len(literal & constant) / len(union) if union else 0.0
            if j > best_j:
                best, best_j = p, j
        if best is None or best_j < 0.8 or best["id"] in recovered:
            continue
        if pattern["size"] >= 0.9 * best["count"] and best["count"] >= 0.9 * pattern["size"]:
            recovered.add(best["id"])
            good += 1
            wanted = best["negative"].casefold()
            negatives += any(n.casefold() == wanted for n in pattern["negatives"])
    return {
        "planted": len(planted),
        "mined": len(mined),
        "recovered": len(recovered),
        "recall": round(len(recovered) / len(planted), 4) if planted else 1.0,
        "precision": round(good / len(mined), 4) if mined else 1.0,
        "negative_constraints_found": negatives,
    }


def mine_pass(slug: str, email: str) -> dict[str, Any]:
    """``patterns_mine`` for the member, in this (child) process."""
    setup_django()
    from huddle.capture.importers.patterns import patterns_mine

    actor = bench_actor(slug, email)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    found = patterns_mine(actor=actor)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mining_mb": baseline,
        "patterns": [
            {"template": p.template, "size": p.size, "negatives": list(p.negative_constraints)}
            for p in found
        ],
    }


def run(prompts: int, path: Path, slug: str = "bench-mining", seed: int = 7) -> dict[str, Any]:
    from bench import export
    from huddle.capture.importers.writer import import_export

    side = export.generate(path, prompts=prompts, reply_words=5, seed=seed)
    _, email = bench_member(slug)
    started = time.perf_counter()
    report = import_export(actor=bench_actor(slug, email), source="chatgpt", path=str(path))
    import_seconds = time.perf_counter() - started
    mined = in_child(mine_pass, slug, email)
    quality = score(mined.pop("patterns"), side["patterns"])
    return {
        "prompts": report.prompts,
        "one_offs": side["one_offs"],
        "import_seconds": round(import_seconds, 2),
        "mining": mined,
        **quality,
        "seconds_ratio_to_limit": round(mined["seconds"] / SECONDS_LIMIT, 3),
        "rss_ratio_to_limit": round(mined["peak_rss_mb"] / RSS_LIMIT_MB, 3),
        "targets": {"seconds": SECONDS_LIMIT, "rss_mb": RSS_LIMIT_MB, "quality": QUALITY_TARGET},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name", default="mining")
    args = parser.parse_args()
    setup_django()
    path = Path(f"var/mine-{args.prompts}.json")
    result = run(args.prompts, path, seed=args.seed)
    print(json.dumps(result, indent=2))
    print(f"wrote {write_result(args.name, result)}")


if __name__ == "__main__":
    main()
