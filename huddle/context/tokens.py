"""Token counts and budgets, entirely offline.

tiktoken normally downloads its BPE files on first use; Huddle ships them in ``tokenizer/`` (named
by the SHA-1 of their public URL, checked by tiktoken against their SHA-256) and points
``TIKTOKEN_CACHE_DIR`` there while an encoding loads, so nothing is fetched at run time.

Counts use OpenAI's encodings; for other vendors' models (Claude, Llama, Mistral) they are a close
estimate, which is what a budget needs.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tiktoken

TOKENIZER_DIR = Path(__file__).resolve().parent / "tokenizer"
ENCODINGS = ("o200k_base", "cl100k_base")
_load_lock = threading.Lock()


@functools.cache
def encoding_for(name: str = "o200k_base") -> tiktoken.Encoding:
    """The tiktoken encoding ``name``, loaded from the shipped files. ``ValueError`` if unknown."""
    if name not in ENCODINGS:
        raise ValueError(f"Unknown encoding {name!r}; use one of {', '.join(ENCODINGS)}.")
    with _load_lock:
        previous = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(TOKENIZER_DIR)
        try:
            return tiktoken.get_encoding(name)
        finally:
            # Leave the environment as we found it for anyone else using tiktoken.
            if previous is None:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = previous


def count_tokens(text: str, encoding: str = "o200k_base") -> int:
    """How many tokens ``text`` takes. Special-token strings count as plain text."""
    if not text:
        return 0
    return len(encoding_for(encoding).encode_ordinary(text))


# --- budgets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """A context window to fit a prompt into, with the encoding that best approximates it."""

    key: str
    label: str
    tokens: int
    encoding: str


BUDGETS: dict[str, Budget] = {
    b.key: b
    for b in (
        Budget("8k", "8k — small and local models (GPT-4 8k, Llama 3 8B)", 8_192, "cl100k_base"),
        Budget("32k", "32k — GPT-4 32k, Mistral", 32_768, "cl100k_base"),
        Budget("128k", "128k — GPT-4o, GPT-4.1, Llama 3.1", 128_000, "o200k_base"),
        Budget("200k", "200k — Claude (Haiku, Sonnet, Opus), o-series", 200_000, "o200k_base"),
    )
}
DEFAULT_BUDGET = "128k"


def get_budget(key: str | Budget) -> Budget:
    """The budget named ``key`` (``8k``, ``32k``, ``128k``, ``200k``); ``ValueError`` otherwise."""
    if isinstance(key, Budget):
        return key
    try:
        return BUDGETS[key]
    except KeyError:
        raise ValueError(f"Unknown budget {key!r}; use one of {', '.join(BUDGETS)}.") from None


@dataclass(frozen=True)
class Block:
    """One part of an assembled prompt. ``alternative`` is a shorter stand-in (a campaign table's
    summary) that the advice may suggest instead."""

    label: str
    kind: str
    text: str
    alternative: str | None = None


@dataclass(frozen=True)
class BlockCount:
    label: str
    kind: str
    tokens: int
    alternative_tokens: int | None = None


@dataclass(frozen=True)
class Advice:
    label: str
    action: str  # "use_summary" or "trim"
    saves: int
    message: str


@dataclass(frozen=True)
class BudgetReport:
    budget: Budget
    blocks: list[BlockCount]
    total: int
    advice: list[Advice] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return self.total > self.budget.tokens

    @property
    def remaining(self) -> int:
        """Tokens left for the answer (negative when over)."""
        return self.budget.tokens - self.total

    @property
    def percent(self) -> int:
        return round(100 * self.total / self.budget.tokens)


def budget_report(
    blocks: Iterable[Block | tuple[str, str, str]], budget: str | Budget = DEFAULT_BUDGET
) -> BudgetReport:
    """Count each block against ``budget`` and, when over, say what to trim.

    Blocks may be ``Block``s or ``(label, kind, text)`` tuples. When over budget the advice first
    offers the summary instead of the table for ``campaign_data`` blocks that carry one, then the
    largest blocks to trim, until the suggestions cover the excess.
    """
    chosen = get_budget(budget)
    items = [b if isinstance(b, Block) else Block(*b) for b in blocks]
    counts = [
        BlockCount(
            b.label,
            b.kind,
            count_tokens(b.text, chosen.encoding),
            None if b.alternative is None else count_tokens(b.alternative, chosen.encoding),
        )
        for b in items
    ]
    total = sum(c.tokens for c in counts)
    return BudgetReport(chosen, counts, total, _advise(counts, total - chosen.tokens))


def _advise(counts: Sequence[BlockCount], excess: int) -> list[Advice]:
    if excess <= 0:
        return []
    advice: list[Advice] = []
    left = excess
    summarised: set[int] = set()
    for index, c in sorted(enumerate(counts), key=lambda pair: -pair[1].tokens):
        if c.kind == "campaign_data" and c.alternative_tokens is not None:
            saves = c.tokens - c.alternative_tokens
            if saves > 0:
                summarised.add(index)
                left -= saves
                advice.append(
                    Advice(
                        c.label,
                        "use_summary",
                        saves,
                        f"Use the summary of {c.label} instead of its table "
                        f"(.summary instead of .table): saves {saves:,} tokens.",
                    )
                )
    sizes = [
        (c.alternative_tokens or 0) if index in summarised else c.tokens
        for index, c in enumerate(counts)
    ]
    for index in sorted(range(len(counts)), key=lambda i: -sizes[i]):
        c, size = counts[index], sizes[index]
        if left <= 0 or not size:
            break
        advice.append(
            Advice(
                c.label,
                "trim",
                min(size, left),
                f"Trim {c.label}: it takes {size:,} tokens; cut at least {min(size, left):,}.",
            )
        )
        left -= size
    return advice
