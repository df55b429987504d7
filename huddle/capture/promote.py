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
  input whose default is the first text's words. Runs the author selected themselves are left to
  the author's span.
- Inputs sit on word, number and entity boundaries: a number keeps its decimals, separators,
  currency and percent sign ("2.21%", "$1,200"); punctuation at a run's edges stays literal; a
  run inside a capitalised name widens to the whole name ("Nimbus" → "Nimbus CRM").
- An input is named from what varies (``_name_for``): a month is ``month``, a year ``year``, a
  percentage the metric before it or ``percentage``, a number the unit after it ("140 attendees"
  → ``attendees``) or ``number``; otherwise the word before it says what it is (``about`` →
  ``topic``, ``for`` → ``audience``, ``Tone:`` → ``tone``), never a verb ("announcing") nor
  across a comma; a capitalised name with nothing better is a ``product``; else ``detail``.
- ``apply_choices`` then applies the author's renames and removals from the preview.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from huddle.library.content import NAME_RE, RESERVED_NAMES

JINJA_OPENERS = re.compile(r"\{[{%#]")
# A number with its decimals, separators, currency and percent sign is one token ("2.21%").
TOKEN_RE = re.compile(r"[$€£]?\d+(?:[.,:]\d+)*%?|\w+(?:['\u2019]\w+)*|[^\w\s]")
NUMBER_RE = re.compile(r"^[$€£]?\d+(?:[.,:]\d+)*%?$")
YEAR_RE = re.compile(r"^(?:19|20)\d\d$")
EDGE_MARKS = set(",.;:!?()[]\"'\u2018\u2019\u201c\u201d-\u2013\u2014")
EDGES = "".join(sorted(EDGE_MARKS)) + " \n"
BREAKS = {",", ".", ";", "!", "?", "(", ")", "\n"}  # the word before a value is read up to these
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
    "these", "those", "of", "and", "or", "is", "are", "be", "new", "some", "with", "at", "as",
    "into", "than", "was", "were", "has", "have", "had", "me", "them", "it", "us", "who",
    "which", "what", "when", "each", "per", "under", "over", "max", "min", "up", "out",
}  # fmt: skip
QUOTES = {"'", '"', "\u2018", "\u2019", "\u201c", "\u201d"}


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
    inferred_as: str = ""  # the name inference gave it, before the author renamed it

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
    dropped: list[InputDraft] = field(default_factory=list)  # inferred, removed by the author


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
    for i1, i2 in _on_boundaries(words, merged):
        start, end = base[i1][1], base[i2 - 1][2]
        if any(start < e and s < end for s, e, _ in selected):
            continue  # the author named this part already
        name = _unique(_name_for(words, i1, text[start:end], i2), used_names)
        used_names.add(name)
        values = [
            _example_text(other, opcodes, i1, i2, example).strip(EDGES)
            for (other, opcodes), example in zip(per_example, examples, strict=True)
        ]
        draft = InputDraft(name, text[start:end], "examples", values, inferred_as=name)
        found.append(((start, end, name), draft))
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


def _is_name(word: str) -> bool:
    """A word of a proper name: "Nimbus", "CRM", "iPhone" (not a number, not a mark)."""
    return word[:1].isalpha() and (word[0].isupper() or any(c.isupper() for c in word[1:]))


def _entity(words: Sequence[str]) -> bool:
    """A proper name, maybe with a version: "Nimbus CRM", "Huddle 2.0"."""
    return (
        bool(words) and _is_name(words[0]) and all(_is_name(w) or NUMBER_RE.match(w) for w in words)
    )


def _quoted(words: Sequence[str], i1: int, i2: int) -> tuple[int, int] | None:
    """The inside of the quotes around ``words[i1:i2]`` in the same sentence, if any."""
    left = next((k for k in range(i1 - 1, -1, -1) if words[k] in QUOTES | BREAKS), None)
    right = next((k for k in range(i2, len(words)) if words[k] in QUOTES | BREAKS), None)
    if left is None or right is None or words[left] not in QUOTES or words[right] not in QUOTES:
        return None
    return left + 1, right


def _on_boundaries(words: Sequence[str], runs: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Differing runs moved onto word, number and entity boundaries: edge punctuation stays
    literal, a run inside quotes widens to the quoted words, one inside a capitalised name to
    the whole name; runs left with no word are dropped."""
    out: list[tuple[int, int]] = []
    for i1, i2 in runs:
        while i1 < i2 and words[i1] in EDGE_MARKS:
            i1 += 1
        while i2 > i1 and words[i2 - 1] in EDGE_MARKS:
            i2 -= 1
        if i1 >= i2 or not any(w[:1].isalnum() or w[:1] in "$€£" for w in words[i1:i2]):
            continue
        inside = _quoted(words, i1, i2)
        if inside is not None:
            i1, i2 = inside
        elif _entity(words[i1:i2]) and words[i1].lower() not in MONTHS:
            # Not into the first word of a sentence: "Write" is capitalised but no name.
            while i1 > 1 and _is_name(words[i1 - 1]) and words[i1 - 2] not in BREAKS | {":"}:
                i1 -= 1
            while i2 < len(words) and (_is_name(words[i2]) or NUMBER_RE.match(words[i2])):
                i2 += 1
        if out and i1 < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], i2))
        else:
            out.append((i1, i2))
    return out


def _proper(words: Sequence[str], k: int) -> bool:
    """``words[k]`` is part of a name: capitalised, and not only because a sentence starts."""
    return _is_name(words[k]) and k > 0 and words[k - 1] not in BREAKS | {":"}


def _word_before(words: Sequence[str], position: int, *, names: bool = False) -> str | None:
    """The nearest meaningful word before ``position`` (not across a comma or a full stop):
    a preposition's meaning, or a noun-like word (a name too when ``names``: "CTR was 2%");
    None when there is none."""
    for k in range(position - 1, max(-1, position - 5), -1):
        word = words[k]
        lowered = word.lower()
        if word in BREAKS:
            return None
        if lowered in NAME_FROM_PREPOSITION:
            # "for CFOs" is an audience; "for the Black Friday sale" is not.
            the = position > k + 1 and words[k + 1].lower() == "the"
            return "topic" if lowered == "for" and the else NAME_FROM_PREPOSITION[lowered]
        if lowered in SKIPPED_WORDS or (_proper(words, k) and not names):
            continue
        if not re.match(r"^[a-z]\w*$", lowered):
            continue
        if lowered.endswith(("ing", "ed")) and len(lowered) > 5:
            continue  # a verb ("announcing", "downloaded") says what is done, not what varies
        name = re.sub(r"[^a-z0-9_]", "", lowered)[:30]
        if NAME_RE.match(name) and name not in RESERVED_NAMES:
            return name
    return None


def _unit_after(words: Sequence[str], end: int | None) -> str | None:
    """The noun after a number: "140 attendees" → attendees, "5 subject lines" → lines."""
    found = None
    for word in words[end : (end or 0) + 2] if end is not None else []:
        lowered = word.lower()
        if not re.match(r"^[a-z]{3,}$", lowered) or lowered in SKIPPED_WORDS:
            break
        found = lowered
    return found


def _name_for(words: Sequence[str], position: int, default: str, end: int | None = None) -> str:
    """The name of the input replacing ``words[position:end]`` (whose text is ``default``)."""
    value = default.split()
    lowered = [w.lower().strip(".,") for w in value]
    if lowered and any(w in MONTHS for w in lowered) and len(value) <= 3:
        return "date" if any(w.isdigit() for w in lowered) else "month"
    if len(value) == 1 and YEAR_RE.match(lowered[0]):
        return "year"
    before = _word_before(words, position)
    if len(value) == 1 and NUMBER_RE.match(value[0]):
        if value[0].endswith("%"):
            metric = _word_before(words, position, names=True)
            meaning = metric not in NAME_FROM_PREPOSITION.values()
            return metric if metric and meaning else "percentage"
        if value[0][0] in "$€£":
            return "amount"
        return _unit_after(words, end) or before or "number"
    if _entity(value) and before not in {"audience", "topic", "source", "language"}:
        return "product"
    return before or "detail"


def _unique(name: str, used: set[str]) -> str:
    if name not in used and name != "input":
        return name
    n = 1
    while f"{name}_{n}" in used:
        n += 1
    return f"{name}_{n}"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def choices_from(data: Mapping[str, Any]) -> dict[str, str | None]:
    """The author's choices about inferred inputs from a form: ``rename.<name>`` gives the new
    name, ``drop.<name>`` (any value) removes the input. Keys name the *inferred* name."""
    choices: dict[str, str | None] = {}
    for key in data:
        kind, _, name = str(key).partition(".")
        if kind == "rename" and name:
            choices.setdefault(name, str(data.get(key) or "").strip() or name)
        elif kind == "drop" and name and data.get(key):
            choices[name] = None
    return choices


def apply_choices(built: Built, choices: Mapping[str, str | None]) -> Built:
    """``built`` with inputs renamed (``{old: new}``) or removed (``{old: None}``: its text goes
    back into the template word for word). Bad or clashing names are problems keyed
    ``inputs.<old>``; then nothing is renamed, so the preview still shows a valid template."""
    if not choices:
        return built
    problems = dict(built.problems)
    kept = [d for d in built.inputs if choices.get(d.name, d.name) is not None]
    final = {d.name: str(choices.get(d.name, d.name)) for d in kept}
    seen: dict[str, str] = {}
    for old, new in final.items():
        if not NAME_RE.match(new) or new in RESERVED_NAMES:
            problems.setdefault(f"inputs.{old}", []).append(
                f"'{new}' can't be an input name: use lowercase letters, digits and _, "
                "starting with a letter."
            )
        elif new in seen:
            problems.setdefault(f"inputs.{old}", []).append(
                f"Two inputs are called '{new}'; give each its own name."
            )
        seen.setdefault(new, old)
    if any(k.startswith("inputs.") for k in problems):
        final = {d.name: d.name for d in kept}
    dropped = [d for d in built.inputs if choices.get(d.name, d.name) is None]
    templates = []
    for template in built.templates:
        # Through placeholders, so that swapping two names (a → b, b → a) works.
        for k, draft in enumerate(built.inputs):
            template = template.replace("{{ " + draft.name + " }}", f"\x00{k}\x00")
        for k, draft in enumerate(built.inputs):
            new = final.get(draft.name)
            text = escape(draft.default) if new is None else "{{ " + new + " }}"
            template = template.replace(f"\x00{k}\x00", text)
        templates.append(template)
    inputs = [
        InputDraft(final[d.name], d.default, d.origin, d.examples, d.inferred_as or d.name)
        for d in kept
    ]
    for draft in dropped:
        draft.inferred_as = draft.inferred_as or draft.name
    return Built(templates, inputs, problems, built.notes, dropped)
