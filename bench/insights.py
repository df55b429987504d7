"""The insights report for a big organisation: cold and warm, at several sizes.

    python -m bench.insights                                   # reduced: 20k and 100k runs
    python -m bench.insights --runs 100000 1000000 5000000     # full size (~10 min to generate)

For each run count: ``bench.generate`` writes ``--members`` members (2,000), ``--workflows``
workflows and the runs over ``--weeks`` (52) weeks into organisation ``bench-insights``
(replacing it), then ``rollup.invalidate`` marks every week stale. ``report.build`` (what the
insights page, API and CLI call) for the whole organisation over 52 weeks is timed:

- **unrolled**: the roll-up empty (rows deleted, weeks invalidated) and the process's cache
  empty, so the view rolls up every week itself: the first view of an organisation's history
  where no worker has ever run;
- **catch_up**: ``rollup.catch_up`` from an empty roll-up alone: what the worker does once for
  such a history (after an upgrade or a bulk load), before anyone looks;
- **cold**: the roll-up current (the worker keeps it so) and the process's cache empty: the
  first view after a restart, or after a run of a past week changed;
- **warm**: complete weeks' figures cached: every view while runs keep arriving in the live
  week, which is read from runs each time.

Scaling is the ratio of each size's time to the smallest size's, against the ratio of run
counts. Targets: cold ≤ 2 s, warm ≤ 200 ms, linear or better. ``--mix uniform`` makes every run
pick any workflow its member may open (the worst case for the roll-up; see ``bench.generate``).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from bench.common import setup_django, summary, timings, write_result

COLD_LIMIT_MS, WARM_LIMIT_MS = 2000.0, 200.0


def measure(slug: str, weeks: int, cold_repeat: int, warm_repeat: int) -> dict[str, Any]:
    from django.core.cache import cache

    from huddle.accounts.models import Organization
    from huddle.insights import rollup
    from huddle.insights.metrics.data.scope import Scope
    from huddle.insights.metrics.report import build
    from huddle.insights.metrics.window import make_window
    from huddle.insights.models import MemberWeek

    organization = Organization.objects.get(slug=slug)
    scope, window = Scope(organization), make_window(None, weeks)

    def empty() -> None:
        rollup.invalidate(organization)
        MemberWeek.objects.filter(organization=organization).delete()
        cache.clear()

    def timed(work: Any) -> float:
        started = time.perf_counter()
        work()
        return (time.perf_counter() - started) * 1000

    unrolled, catch_up, cold = [], [], []
    for _ in range(cold_repeat):
        empty()
        unrolled.append(timed(lambda: build(None, scope, window)))
        empty()
        catch_up.append(timed(lambda: rollup.catch_up(organization)))
    for _ in range(cold_repeat):
        cache.clear()
        cold.append(timed(lambda: build(None, scope, window)))
    warm = timings(lambda: build(None, scope, window), repeat=warm_repeat, warmup=1)
    return {
        "unrolled": summary(unrolled),
        "catch_up": summary(catch_up),
        "cold": summary(cold),
        "warm": summary(warm),
        "member_weeks": MemberWeek.objects.filter(organization=organization).count(),
    }


def _run_count(slug: str) -> int:
    from huddle.runs.models import Run

    return Run.objects.filter(organization__slug=slug).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="bench-insights")
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--workflows", type=int, default=2_000)
    parser.add_argument("--runs", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--warm", type=int, default=10)
    parser.add_argument("--name", default="insights")
    parser.add_argument("--mix", choices=["realistic", "uniform"], default="realistic")
    parser.add_argument(
        "--no-generate", action="store_true", help="measure the organisation as it is (one size)"
    )
    args = parser.parse_args()
    setup_django()
    from bench.generate import generate

    sizes = []
    for runs in sorted(args.runs)[: 1 if args.no_generate else None]:
        started = time.perf_counter()
        if args.no_generate:
            runs = _run_count(args.org)
        else:
            generate(args.org, args.members, args.workflows, runs, args.weeks, seed=7, mix=args.mix)
        generated = time.perf_counter() - started
        figures = measure(args.org, args.weeks, args.cold, args.warm)
        figures |= {"runs": runs, "generate_seconds": round(generated, 1)}
        figures["cold_ratio_to_limit"] = round(figures["cold"]["p50_ms"] / COLD_LIMIT_MS, 3)
        figures["warm_ratio_to_limit"] = round(figures["warm"]["p50_ms"] / WARM_LIMIT_MS, 3)
        sizes.append(figures)
        print(json.dumps(figures))
    base = sizes[0]
    for figures in sizes:
        growth = figures["runs"] / base["runs"]
        figures["scaling"] = {
            "runs_x": round(growth, 2),
            "unrolled_x": round(figures["unrolled"]["p50_ms"] / base["unrolled"]["p50_ms"], 2),
            "catch_up_x": round(figures["catch_up"]["p50_ms"] / base["catch_up"]["p50_ms"], 2),
            "cold_x": round(figures["cold"]["p50_ms"] / base["cold"]["p50_ms"], 2),
            "warm_x": round(figures["warm"]["p50_ms"] / base["warm"]["p50_ms"], 2),
        }
    result = {
        "members": args.members,
        "workflows": args.workflows,
        "weeks": args.weeks,
        "mix": args.mix,
        "sizes": sizes,
        "targets": {"cold_ms": COLD_LIMIT_MS, "warm_ms": WARM_LIMIT_MS},
    }
    print(json.dumps(result, indent=2))
    print(f"wrote {write_result(args.name, result)}")


if __name__ == "__main__":
    main()
