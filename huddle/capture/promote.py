"""From typed prompts to templates: spans become inputs, differences between examples too.

Pure functions, no database: ``build`` turns a capture's steps plus the spans the author selected
into step templates and declared inputs. Rules:

- The typed text is literal. Anything Jinja would read (``{{``, ``{%``, ``{#``) is written as an
  expression printing it (``{{ '{{' }}``), so a raw prompt with braces renders exactly as typed.
- A span ``{"step": i, "text": t, "name": n}`` replaces every occurrence of ``t`` in step ``i``
  (in every step when ``step`` is None) with ``{{ n }}``; its first occurrence's text is the
  input's default. Longer spans win where spans overlap.
- A step pasted with other examples gets inputs for what differs between them: a word-level
  ``difflib.SequenceMatcher`` diff against the first text; each maximal differing run becomes an
  input named from the word before it (``about`` → ``topic``, ``for`` → ``audience``, ``Tone:`` →
  ``tone``, else ``input_N``) whose default is the first text's words. Runs the author selected
  themselves are left to the author's span.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from huddle.library.content import NAME_RE, RESERVED_NAMES

JINJA_OPENERS = re.compile(r"\{[{%#]")
TOKEN_RE = re.compile(r"\w+|[^\w\s]")
MAX_INFERRED_SHARE = 0.6  # examples differing in more than this share of words aren't compared
LONG_TEXT_FROM = 200  # characters; longer defaults become long_text inputs
# The word before a differing run says what it is: "about X" is a topic, "for X" an audience.
NAME_FROM_PREPOSITION = {
    "about": "topic",
    "on": "topic",
    "regarding": "topic",
    "for": "audience",
    "to": "audience",
    "targeting": "audience",
    "from": "source",
    "by": "deadline",
    "until": "deadline",
    "in": "language",
}
MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "q1", "q2", "q3", "q4",
}  # fmt: skip
SKIPPED_WORDS = {
    "a", "an", "the", "our", "my", "your", "their", "his", "her", "its", "this", "that",
    "these", "those", "of", "and", "or", "is", "are", "be", "new", "some",
}  # fmt: skip


@dataclass(frozen=True)
class Span:
    """Text the author selected to become an input; ``step`` None means every step."""

    text: str
    name: str
    step: int | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Span:
        step = data.get("step")
        if step in ("", None, "*"):
            index = None
        else:
            try:
                index = int(step)
            except (TypeError, ValueError):
                index = -1  # reported as an unknown step
        return cls(
            text=str(data.get("text") or ""), name=str(data.get("name") or "").strip(), step=index
        )


@dataclass
class InputDraft:
    name: str
    default: str
    origin: str  # "selected" (by the author) or "examples" (differs between pasted examples)
    examples: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        help_text = ""
        others = [e for e in self.examples if e and e != self.default]
        if others:
            help_text = "Other examples: " + "; ".join(dict.fromkeys(others))
        return {
            "name": self.name,
            "label": "",
            "help": help_text[:300],
            "type": "long_text"
            if "\n" in self.default or len(self.default) > LONG_TEXT_FROM
            else "text",
            "default": self.default,
            "required": True,
        }


@dataclass
class Built:
    templates: list[str]
    inputs: list[InputDraft]
    problems: dict[str, list[str]]
    notes: list[str]


def escape(text: str) -> str:
    """Literal text as a template that renders to exactly ``text``."""
    return JINJA_OPENERS.sub(lambda m: "{{ '" + m.group(0) + "' }}", text)


def check_spans(steps: Sequence[str], spans: Sequence[Span]) -> dict[str, list[str]]:
    """Problems with the spans, keyed ``spans.<n>``; empty when every span can be applied."""
    problems: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for n, span in enumerate(spans):
        where = f"spans.{n}"
        if not span.text.strip():
            problems.setdefault(where, []).append("Select some text for this input.")
        if not NAME_RE.match(span.name) or span.name in RESERVED_NAMES:
            problems.setdefault(where, []).append(
                f"'{span.name}' can't be an input name: use lowercase letters, digits and _, "
                "starting with a letter."
            )
        if span.step is not None and not 0 <= span.step < len(steps):
            problems.setdefault(where, []).append(f"There is no step {span.step + 1}.")
        elif span.text.strip():
            where_found = steps if span.step is None else [steps[span.step]]
            if not any(span.text in text for text in where_found):
                place = "any step" if span.step is None else f"step {span.step + 1}"
                problems.setdefault(where, []).append(f"“{_short(span.text)}” is not in {place}.")
        if span.name in names and names[span.name] != span.text and span.step is None:
            problems.setdefault(where, []).append(
                f"The input '{span.name}' is used for two different texts."
            )
        names.setdefault(span.name, span.text)
    return problems


def build(steps: Sequence[Mapping[str, Any]], spans: Sequence[Span]) -> Built:
    """Templates and inputs for ``steps`` (``[{"text", "examples"}]``) and the author's spans."""
    texts = [str(step.get("text") or "") for step in steps]
    problems = check_spans(texts, spans)
    good = [span for n, span in enumerate(spans) if f"spans.{n}" not in problems]
    inputs: dict[str, InputDraft] = {}
    for span in good:
        inputs.setdefault(span.name, InputDraft(span.name, span.text, "selected"))
    notes: list[str] = []
    templates = []
    for i, step in enumerate(steps):
        text = texts[i]
        regions = _selected_regions(text, [s for s in good if s.step in (None, i)])
        examples = [str(e) for e in step.get("examples") or [] if str(e).strip()]
        if examples:
            inferred, note = _inferred_regions(text, examples, regions, set(inputs), i)
            if note:
                notes.append(note)
            for region, draft in inferred:
                inputs[draft.name] = draft
                regions.append(region)
        templates.append(_template(text, regions))
    return Built(templates=templates, inputs=list(inputs.values()), problems=problems, notes=notes)


def _selected_regions(text: str, spans: Sequence[Span]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, name) for every occurrence of each span; longest first."""
    taken: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: -len(s.text)):
        start = text.find(span.text)
        while start != -1:
            end = start + len(span.text)
            if not any(start < e and s < end for s, e, _ in taken):
                taken.append((start, end, span.name))
            start = text.find(span.text, end)
    return taken


def _template(text: str, regions: Sequence[tuple[int, int, str]]) -> str:
    parts, position = [], 0
    for start, end, name in sorted(regions):
        parts.append(escape(text[position:start]))
        parts.append("{{ " + name + " }}")
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def _inferred_regions(
    text: str,
    examples: Sequence[str],
    selected: Sequence[tuple[int, int, str]],
    used_names: set[str],
    index: int,
) -> tuple[list[tuple[tuple[int, int, str], InputDraft]], str]:
    """Inputs for the runs of words that differ between ``text`` and its other examples."""
    base = _tokens(text)
    if not base:
        return [], ""
    words = [t[0] for t in base]
    runs: list[tuple[int, int]] = []  # differing base token ranges, over all examples
    per_example: list[tuple[list[tuple[str, int, int]], list[Any]]] = []
    for example in examples:
        other = _tokens(example)
        matcher = difflib.SequenceMatcher(None, words, [t[0] for t in other], autojunk=False)
        opcodes = matcher.get_opcodes()
        per_example.append((other, opcodes))
        for tag, i1, i2, _j1, _j2 in opcodes:
            if tag == "equal":
                continue
            if i1 == i2:  # words only the example has: widen to a neighbouring word
                i1, i2 = _neighbour(words, i1)
            runs.append((i1, i2))
    merged: list[list[int]] = []
    for i1, i2 in sorted(runs):
        if merged and i1 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], i2)
        else:
            merged.append([i1, i2])
    differing = sum(i2 - i1 for i1, i2 in merged)
    if differing > MAX_INFERRED_SHARE * len(words):
        return [], (
            f"Step {index + 1}: the examples differ too much to compare; "
            "select the parts that change yourself."
        )
    found: list[tuple[tuple[int, int, str], InputDraft]] = []
    for i1, i2 in merged:
        start, end = base[i1][1], base[i2 - 1][2]
        if any(start < e and s < end for s, e, _ in selected):
            continue  # the author named this part already
        name = _unique(_name_for(words, i1, text[start:end]), used_names)
        used_names.add(name)
        values = [_example_text(other, opcodes, i1, i2, example) for (other, opcodes), example in
                  zip(per_example, examples, strict=True)]  # fmt: skip
        found.append(((start, end, name), InputDraft(name, text[start:end], "examples", values)))
    return found, ""


def _neighbour(words: Sequence[str], position: int) -> tuple[int, int]:
    """The word next to an insertion point: the one before it, unless only a mark is there."""
    before = position - 1 if position > 0 else None
    after = position if position < len(words) else None
    usable = before is not None and words[before][0].isalnum()
    if usable and (after is None or words[before].lower() not in SKIPPED_WORDS):
        return before, before + 1
    return (after, after + 1) if after is not None else (0, 1)


def _example_text(
    tokens: Sequence[tuple[str, int, int]], opcodes: Sequence[Any], i1: int, i2: int, text: str
) -> str:
    """The example's words in the place of base tokens ``i1:i2``."""
    j1 = j2 = None
    for tag, a1, a2, b1, b2 in opcodes:
        if j1 is None and a1 <= i1 < max(a2, a1 + 1):
            j1 = b1 + (i1 - a1) if tag == "equal" else b1
        if a1 < i2 <= a2 or (a1 == a2 == i2):
            j2 = b1 + (i2 - a1) if tag == "equal" else b2
    if j1 is None or j2 is None or j2 <= j1:
        return ""
    return text[tokens[j1][1] : tokens[j2 - 1][2]]


def _name_for(words: Sequence[str], position: int, default: str) -> str:
    if default.lower().split()[0] in MONTHS:
        return "month"
    for word in reversed(words[max(0, position - 4) : position]):
        lowered = word.lower()
        if lowered in NAME_FROM_PREPOSITION:
            return NAME_FROM_PREPOSITION[lowered]
        if lowered in SKIPPED_WORDS or not re.match(r"^[a-z]\w*$", lowered):
            continue
        name = re.sub(r"[^a-z0-9_]", "", lowered)[:30]
        if NAME_RE.match(name) and name not in RESERVED_NAMES:
            return name
    return "input"


def _unique(name: str, used: set[str]) -> str:
    if name not in used and name != "input":
        return name
    n = 1
    while f"{name}_{n}" in used:
        n += 1
    return f"{name}_{n}"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"
