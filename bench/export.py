"""Write a ChatGPT-shaped ``conversations.json`` of a given size, streamed, with planted patterns.

    python -m bench.export --mb 200 --out var/export.json
    python -m bench.export --prompts 100000 --reply-words 5 --out var/mine.json

Deterministic for a given ``--seed``. Each conversation is written as soon as it is built, so
memory stays flat whatever the size. A share of the user prompts (``--pattern-share``) come from
``--patterns`` planted templates: constant text, two varying spans and a negative constraint
("Don't …"); the others are one-offs (random words, never repeated). A sidecar
``<out>.patterns.json`` lists each planted template, its constant words, its negative constraint
and how many prompts it produced, for the mining benchmark's recall and precision.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any, TextIO

SYLLABLES = [
    "ka", "lo", "mi", "ra", "ven", "tor", "sil", "bra", "que", "dun", "fel", "gor", "hal",
    "jin", "kes", "lum", "mor", "nix", "pel", "rus", "sav", "tev", "ulm", "vor", "wex", "yar",
    "zan", "ber", "cot", "dri",
]  # fmt: skip
T0 = 1_700_000_000.0


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Planted:
    """One planted prompt pattern: ``parts`` constant texts around two slots, and a constraint."""

    def __init__(self, number: int, rng: random.Random, vocabulary: list[str]) -> None:
        def phrase(low: int, high: int) -> str:
            return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(low, high)))

        self.id = f"p{number}"
        self.parts = [phrase(6, 9).capitalize(), phrase(5, 8), phrase(4, 7)]
        self.negative = f"Don't {phrase(3, 4)}."
        self.slots = [[phrase(1, 2) for _ in range(40)] for _ in range(2)]
        self.count = 0

    @property
    def template(self) -> str:
        return f"{self.parts[0]} {{{{ a }}}} {self.parts[1]} {{{{ b }}}} {self.parts[2]}. " + (
            self.negative
        )

    def prompt(self, rng: random.Random) -> str:
        self.count += 1
        a, b = rng.choice(self.slots[0]), rng.choice(self.slots[1])
        return f"{self.parts[0]} {a} {self.parts[1]} {b} {self.parts[2]}. {self.negative}"

    def as_dict(self) -> dict[str, Any]:
        constant = " ".join([*self.parts, self.negative])
        return {
            "id": self.id,
            "template": self.template,
            "constant": constant,
            "negative": self.negative.rstrip("."),
            "count": self.count,
        }


def _conversation(number: int, prompts: list[str], reply: str) -> dict[str, Any]:
    cid = f"bench-{number:08d}"
    created = T0 + number * 600
    mapping: dict[str, Any] = {
        "root": {"id": "root", "parent": None, "children": [], "message": None}
    }
    last, count = "root", 0
    for text in prompts:
        for role, body in (("user", text), ("assistant", reply)):
            count += 1
            node = f"{cid}-m{count}"
            mapping[last]["children"].append(node)
            mapping[node] = {
                "id": node,
                "parent": last,
                "children": [],
                "message": {
                    "id": node,
                    "author": {"role": role, "name": None, "metadata": {}},
                    "create_time": created + count * 30,
                    "content": {"content_type": "text", "parts": [body]},
                    "status": "finished_successfully",
                    "metadata": {"model_slug": "gpt-4o"} if role == "assistant" else {},
                },
            }
            last = node
    return {
        "id": cid,
        "conversation_id": cid,
        "title": prompts[0][:40],
        "create_time": created,
        "update_time": created + count * 30,
        "current_node": last,
        "default_model_slug": "gpt-4o",
        "mapping": mapping,
    }


def write_export(
    out: TextIO,
    *,
    mb: float | None = None,
    prompts: int | None = None,
    patterns: int = 25,
    pattern_share: float = 0.6,
    reply_words: int = 250,
    seed: int = 7,
) -> dict[str, Any]:
    """Stream an export to ``out`` until ``mb`` megabytes or ``prompts`` prompts; the sidecar."""
    if mb is None and prompts is None:
        raise ValueError("give mb or prompts")
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 6000)
    planted = [Planted(i, rng, vocabulary) for i in range(patterns)]
    limit_bytes = int(mb * 1_000_000) if mb is not None else None
    written, made, one_offs, number = 0, 0, 0, 0
    out.write("[")
    written += 1
    while True:
        if limit_bytes is not None and written >= limit_bytes:
            break
        if prompts is not None and made >= prompts:
            break
        size = rng.randint(1, 4)
        if prompts is not None:
            size = min(size, prompts - made)
        texts = []
        for _ in range(size):
            if planted and rng.random() < pattern_share:
                texts.append(rng.choice(planted).prompt(rng))
            else:
                one_offs += 1
                words = [rng.choice(vocabulary) for _ in range(rng.randint(12, 30))]
                texts.append(" ".join(words).capitalize() + f" {one_offs}?")
        made += size
        reply = " ".join(rng.choice(vocabulary) for _ in range(reply_words))
        chunk = json.dumps(_conversation(number, texts, reply), separators=(",", ":"))
        if number:
            chunk = "," + chunk
        out.write(chunk)
        written += len(chunk)
        number += 1
    out.write("]")
    written += 1
    return {
        "seed": seed,
        "bytes": written,
        "conversations": number,
        "prompts": made,
        "one_offs": one_offs,
        "patterns": [p.as_dict() for p in planted],
    }


def sidecar_path(out: Path) -> Path:
    return out.with_name(out.name + ".patterns.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("var/export.json"))
    parser.add_argument("--mb", type=float, default=None, help="size in megabytes (10^6 bytes)")
    parser.add_argument("--prompts", type=int, default=None, help="or a number of user prompts")
    parser.add_argument("--patterns", type=int, default=25)
    parser.add_argument("--pattern-share", type=float, default=0.6)
    parser.add_argument("--reply-words", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.mb is None and args.prompts is None:
        args.mb = 50.0
    started = time.perf_counter()
    side = generate(args.out, **{k: v for k, v in vars(args).items() if k != "out"})
    print(
        f"wrote {side['bytes'] / 1e6:.1f} MB, {side['conversations']} conversations, "
        f"{side['prompts']} prompts to {args.out} in {time.perf_counter() - started:.1f} s"
    )


def generate(out: Path, **options: Any) -> dict[str, Any]:
    """Write the export at ``out`` and its sidecar next to it; return the sidecar."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        side = write_export(handle, **options)
    sidecar_path(out).write_text(json.dumps(side, indent=2) + "\n", encoding="utf-8")
    return side


if __name__ == "__main__":
    main()
