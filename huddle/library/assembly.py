"""The assembly preview: the final prompt with each context block marked and counted in tokens
against the budget of a target model, with advice when it doesn't fit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from huddle.accounts.policy import Actor
from huddle.context.resolve import ContextBlock
from huddle.context.tokens import Block, BudgetReport, budget_report, count_tokens, get_budget
from huddle.library.models import WorkflowVersion
from huddle.library.rendering import render_version

# Private-use characters mark where a context block starts and ends in the rendered text.
_START, _SEP, _END = "\ue000", "\ue001", "\ue002"
_MARKED = re.compile(f"{_START}([^{_SEP}]*){_SEP}([^{_SEP}]*){_SEP}(.*?){_END}", re.S)
_MARKERS = re.compile(f"[{_START}{_SEP}{_END}]")


class MarkedBlock:
    """Stands in for a ``ContextBlock`` while rendering, so its text comes out marked."""

    def __init__(self, block: ContextBlock) -> None:
        self._block = block
        self.slug, self.kind, self.title, self.version = (
            block.slug, block.kind, block.title, block.version,
        )  # fmt: skip

    def _mark(self, label: str, text: str) -> str:
        return f"{_START}{label}{_SEP}{self.kind}{_SEP}{_MARKERS.sub('', text)}{_END}"

    @property
    def text(self) -> str:
        return self._mark(self.slug, self._block.text)

    def __str__(self) -> str:
        return self.text

    def __getitem__(self, key: str) -> str:
        return self._mark(f"{self.slug}.{key}", self._block[key])


@dataclass(frozen=True)
class Segment:
    text: str
    context: str = ""  # "q3_results.table" for a context block, "" for the template's own text
    kind: str = ""
    tokens: int = 0


@dataclass(frozen=True)
class Part:
    title: str
    segments: list[Segment]

    @property
    def tokens(self) -> int:
        return sum(segment.tokens for segment in self.segments)


@dataclass(frozen=True)
class Assembly:
    parts: list[Part]
    report: BudgetReport


def assemble(
    actor: Actor,
    version: WorkflowVersion,
    values: Mapping[str, Any],
    *,
    budget: str = "128k",
    step_outputs: Mapping[str, str] | None = None,
) -> Assembly:
    """Render with the actor's rights and count every part; raises what rendering raises."""
    chosen = get_budget(budget)
    clean = {key: _MARKERS.sub("", str(value)) for key, value in values.items()}
    rendered = render_version(
        actor, version, clean, step_outputs=step_outputs, wrap_context=MarkedBlock
    )
    texts = [("System instructions", rendered.system)] if rendered.system else []
    many = len(rendered.steps) > 1
    texts += [
        (f"Step {i}: {step.name}" if many else "Prompt", step.text)
        for i, step in enumerate(rendered.steps, start=1)
    ]
    blocks_by_slug = {block.slug: block for block in rendered.context}
    parts: list[Part] = []
    budget_blocks: list[Block] = []
    for title, text in texts:
        segments: list[Segment] = []
        position = 0
        for match in _MARKED.finditer(text):
            if match.start() > position:
                segments.append(_own(text[position : match.start()], chosen.encoding))
            label, kind, body = match.groups()
            segments.append(Segment(body, label, kind, count_tokens(body, chosen.encoding)))
            alternative = None
            block = blocks_by_slug.get(label.split(".")[0])
            if kind == "campaign_data" and label.endswith(".table") and block is not None:
                alternative = block.parts.get("summary")
            budget_blocks.append(Block(f"context.{label}", kind, body, alternative))
            position = match.end()
        if position < len(text):
            segments.append(_own(text[position:], chosen.encoding))
        own = "".join(s.text for s in segments if not s.context)
        budget_blocks.append(Block(f"{title} (own text)", "prompt", own))
        parts.append(Part(title, segments))
    return Assembly(parts=parts, report=budget_report(budget_blocks, chosen))


def _own(text: str, encoding: str) -> Segment:
    return Segment(text, tokens=count_tokens(text, encoding))
