"""Finding the prompts a member keeps retyping: clusters of near-duplicates, and their templates.

Pure functions, no database. ``mine(items)`` takes ``(text, sent_at, text_hash)`` triples and
returns ``MinedPattern``s, largest first. No all-pairs comparison:

1. **Exact repeats** collapse first: prompts with the same normalised text (``text_hash``) are one
   unique text with a count and a last use.
2. **Near-duplicates** by MinHash LSH over each unique text's set of words (``NUM_PERM`` hashes
   computed with numpy for all texts at once; ``BANDS`` bands of ``ROWS``, so texts sharing about
   half their words likely share a bucket). Within a bucket each text is compared with the
   bucket's first text only, by the word-level similarity of the two word sequences (rapidfuzz
   Indel ratio ≥ ``SIMILAR``), and joined by union-find. The cost grows with the number of texts
   times the number of bands, never with pairs.
3. A cluster of at least ``MIN_SIZE`` prompts becomes a template: its most used text is the base,
   compared word by word with up to ``MAX_EXAMPLES`` other texts through capture's own inference
   (``capture.promote.build``), so the constant text is kept word for word (escaped), the runs
   that vary become ``{{ variables }}`` named from the word before them, and each example's fill
   is listed. Negative constraints ("don't…", "avoid…", "never…", "no …") are taken from the base
   when most of the cluster's texts share them.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from huddle.capture import promote as promoting

WORD_RE = re.compile(r"\w+")
NUM_PERM, BANDS, ROWS = 60, 20, 3
PRIME = (1 << 61) - 1
SIMILAR = 60  # word-sequence similarity (0-100) to join a cluster
MIN_SIZE = 3
MIN_WORDS = 3  # shorter texts only count as exact repeats
MAX_WORDS = 400  # words of a long text used for hashing and comparing
MAX_EXAMPLES = 12
STEP_EVERY = 10_000  # prompts read between two calls of ``on_step``
NEGATIVE_RE = re.compile(
    r"\b(?:don[\u2019']?t|do not|never|avoid|no)\b[^.!?\n;]{1,120}", re.IGNORECASE
)


@dataclass
class Unique:
    text: str
    count: int
    last_used: datetime | None
    words: list[str] = field(default_factory=list)


@dataclass
class MinedPattern:
    signature: str
    title: str
    template: str
    variables: list[dict[str, Any]]
    examples: list[dict[str, str]]
    size: int
    last_used: datetime | None
    negative_constraints: list[str]


def nothing() -> None:
    pass


def mine(
    items: Iterable[tuple[str, datetime | None, str]], on_step: Callable[[], None] = nothing
) -> list[MinedPattern]:
    """Patterns in ``items`` (text, sent_at, text_hash), largest and most recent first.

    ``on_step`` is called now and then (every ``STEP_EVERY`` prompts read, every band, every
    pattern built): the worker renews its lease on the job there.
    """
    uniques = _uniques(items, on_step)
    groups = _clusters(uniques, on_step)
    patterns = []
    for members in groups:
        size = sum(uniques[i].count for i in members)
        if size < MIN_SIZE:
            continue
        patterns.append(_pattern([uniques[i] for i in members], size))
        on_step()
    patterns.sort(key=lambda p: (-p.size, -(p.last_used.timestamp() if p.last_used else 0)))
    return patterns


def _uniques(
    items: Iterable[tuple[str, datetime | None, str]], on_step: Callable[[], None]
) -> list[Unique]:
    by_hash: dict[str, Unique] = {}
    for n, (text, sent_at, text_hash) in enumerate(items, start=1):
        if n % STEP_EVERY == 0:
            on_step()
        found = by_hash.get(text_hash)
        if found is None:
            by_hash[text_hash] = Unique(text, 1, sent_at)
            continue
        found.count += 1
        if sent_at is not None and (found.last_used is None or sent_at > found.last_used):
            found.last_used, found.text = sent_at, text  # the latest spelling stands for all
    uniques = list(by_hash.values())
    for unique in uniques:
        unique.words = WORD_RE.findall(unique.text.casefold())[:MAX_WORDS]
    return uniques


class _Sets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _clusters(uniques: list[Unique], on_step: Callable[[], None]) -> list[list[int]]:
    sets = _Sets(len(uniques))
    candidates = [i for i, u in enumerate(uniques) if len(u.words) >= MIN_WORDS]
    if len(candidates) > 1:
        signatures = _signatures([uniques[i].words for i in candidates])
        for band in range(BANDS):
            on_step()
            _join_band(signatures[:, band * ROWS : (band + 1) * ROWS], candidates, uniques, sets)
    groups: dict[int, list[int]] = {}
    for i in range(len(uniques)):
        groups.setdefault(sets.find(i), []).append(i)
    return list(groups.values())


def _signatures(texts: list[list[str]]) -> np.ndarray:
    """MinHash signatures (len(texts) by NUM_PERM, uint32) of each text's set of words."""
    rng = np.random.default_rng(20240601)  # fixed: the same prompts always give the same clusters
    a = rng.integers(1, 1 << 32, size=NUM_PERM, dtype=np.uint64)
    b = rng.integers(0, 1 << 32, size=NUM_PERM, dtype=np.uint64)
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    chunk = 4096
    for start in range(0, len(texts), chunk):
        part = texts[start : start + chunk]
        hashes = [sorted({zlib.crc32(w.encode()) for w in words}) for words in part]
        lengths = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=len(hashes))
        flat = np.fromiter(
            (x for h in hashes for x in h), dtype=np.uint64, count=int(lengths.sum())
        )
        values = ((flat[:, None] * a[None, :] + b[None, :]) % PRIME) & 0xFFFFFFFF
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        out[start : start + len(part)] = np.minimum.reduceat(values, offsets, axis=0)
    return out


def _join_band(band: np.ndarray, candidates: list[int], uniques: list[Unique], sets: _Sets) -> None:
    rows = np.ascontiguousarray(band)
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.ravel()
    counts = np.bincount(inverse)
    shared = np.flatnonzero(counts[inverse] > 1)  # texts that share this band with another
    if not len(shared):
        return
    order = shared[np.argsort(inverse[shared], kind="stable")]
    first: dict[int, int] = {}
    for position in order.tolist():
        bucket = int(inverse[position])
        i = candidates[position]
        head = first.setdefault(bucket, i)
        if head == i or sets.find(head) == sets.find(i):
            continue
        if fuzz.ratio(uniques[head].words, uniques[i].words, score_cutoff=SIMILAR):
            sets.union(head, i)


def _pattern(members: list[Unique], size: int) -> MinedPattern:
    members.sort(key=lambda u: (-u.count, -(u.last_used.timestamp() if u.last_used else 0)))
    base, others = members[0], members[1:]
    others.sort(key=lambda u: -(u.last_used.timestamp() if u.last_used else 0))
    others = others[:MAX_EXAMPLES]
    built = promoting.build([{"text": base.text, "examples": []}], [])
    for limit in (len(others), 5, 2, 0):
        # Fewer (and more similar) examples when too much of the text varies across all of them.
        chosen = sorted(others, key=lambda u: -fuzz.ratio(base.words, u.words))[:limit]
        built = promoting.build([{"text": base.text, "examples": [u.text for u in chosen]}], [])
        if not built.notes:
            break
    variables = [
        {
            "name": draft.name,
            "default": draft.default,
            "examples": list(dict.fromkeys(e for e in draft.examples if e and e != draft.default)),
        }
        for draft in built.inputs
    ]
    fills = [{draft.name: draft.default for draft in built.inputs}] if built.inputs else []
    count = max((len(d.examples) for d in built.inputs), default=0)
    for j in range(count):
        fills.append({d.name: d.examples[j] for d in built.inputs if j < len(d.examples)})
    template = built.templates[0]
    last = [u.last_used for u in members if u.last_used is not None]
    return MinedPattern(
        signature=hashlib.sha1(template.encode(), usedforsecurity=False).hexdigest(),
        title=_title(base.text),
        template=template,
        variables=variables,
        examples=fills,
        size=size,
        last_used=max(last) if last else None,
        negative_constraints=_negatives(base.text, members),
    )


def _negatives(text: str, members: list[Unique]) -> list[str]:
    found: list[str] = []
    lowered = [m.text.casefold() for m in members]
    for match in NEGATIVE_RE.finditer(text):
        phrase = match.group(0).strip(" ,:-\u2013\u2014")
        shared = sum(1 for t in lowered if phrase.casefold() in t)
        if phrase and shared * 2 > len(members) and phrase not in found:
            found.append(phrase)
    return found


def _title(text: str, limit: int = 70) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"
