"""Benchmark of the brand checker: a 5,000-word text against a 2,000-term glossary.

    python -m bench.brand_check [--runs 50]

Both are generated deterministically (seeded), with the style checks of a typical brand guide
switched on (exclamation, emoji, superlatives, British spelling, sentence length, reading
level, a channel limit, required elements). Prints the one-off compile time of the ruleset and
p50 / p95 of ``check`` over the runs. Needs no database.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time

from huddle.brand.checker import Ruleset, Term, check

WORDS = 5_000
TERMS = 2_000


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 11)))


def build(seed: int = 2026) -> tuple[str, Ruleset]:
    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < TERMS:
        texts.add(_word(rng) if rng.random() < 0.75 else f"{_word(rng)} {_word(rng)}")
    kinds = ("banned", "product", "preferred", "avoid")
    terms = tuple(Term(t, rng.choice(kinds), "instead") for t in sorted(texts))
    vocabulary = [_word(rng) for _ in range(4_000)] + [t.text for t in terms[:100]]
    vocabulary += ["colour", "color", "best", "world-class", "we", "you", "synergy"]
    words = []
    for _ in range(WORDS):
        words.append(rng.choice(vocabulary))
        roll = rng.random()
        if roll < 0.06:
            words[-1] += "."
        elif roll < 0.065:
            words[-1] += "!"
        elif roll < 0.068:
            words[-1] += " 🚀"
    text = " ".join(words)
    ruleset = Ruleset(
        terms=terms,
        exclamation=True,
        emoji=True,
        superlatives=True,
        spelling="uk",
        max_sentence_words=25,
        max_grade=9,
    )
    return text, ruleset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    text, ruleset = build()
    started = time.perf_counter()
    ruleset.matcher  # noqa: B018 - compile once, as the first check of a ruleset does
    compile_ms = (time.perf_counter() - started) * 1000
    options = {"channel": "linkedin", "required": ("cta", "question_end")}
    report = check(text, ruleset, **options)  # type: ignore[arg-type]
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        check(text, ruleset, **options)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print(f"text: {len(text.split()):,} words, {len(text):,} characters; glossary: {TERMS:,} terms")
    print(f"findings: {len(report.findings):,}; score {report.score}")
    print(f"compile (once per ruleset): {compile_ms:.1f} ms")
    print(f"check over {args.runs} runs: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor()}")


if __name__ == "__main__":
    main()
