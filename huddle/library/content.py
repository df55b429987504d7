"""A workflow version's content as submitted by people, and its validation.

``VersionContent.from_data`` turns loose input (a form, JSON, YAML) into a checked value; every
problem is reported at once in ``ValidationFailed.fields`` keyed by where it is
(``steps.1.template``, ``inputs.0.name`` …), with the line number for template problems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from huddle.core.errors import ValidationFailed
from huddle.library.models import Kind
from huddle.library.templating import TemplateProblem, analyse

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")
CONTEXT_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
INPUT_TYPES = ("text", "long_text", "choice", "number")
RESERVED_NAMES = {"steps", "context", "range", "loop", "self", "true", "false", "none"}
MAX_STEPS = 20
MAX_INPUTS = 30
MAX_TEXT_INPUT = 2_000
MAX_LONG_TEXT_INPUT = 50_000


@dataclass(frozen=True)
class InputSpec:
    name: str
    label: str = ""
    help: str = ""
    type: str = "text"
    choices: tuple[str, ...] = ()
    default: str = ""
    required: bool = True

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Step:
    name: str
    template: str


@dataclass(frozen=True)
class ContextRef:
    slug: str
    version: int | None = None


@dataclass(frozen=True)
class VersionContent:
    system: str = ""
    steps: tuple[Step, ...] = ()
    inputs: tuple[InputSpec, ...] = ()
    context_refs: tuple[ContextRef, ...] = ()
    negative_constraints: str = ""
    manual_edits: str = ""
    baseline_minutes: int | None = None
    required_elements: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> VersionContent:
        """Build from plain data; shape problems are ``ValidationFailed`` naming the field."""
        problems: dict[str, list[str]] = {}
        steps = []
        for i, raw in enumerate(_list(data.get("steps"), "steps", problems)):
            if isinstance(raw, str):
                raw = {"name": f"step_{i + 1}", "template": raw}
            if not isinstance(raw, Mapping):
                problems.setdefault(f"steps.{i}", []).append("A step needs a name and a template.")
                continue
            name = str(raw.get("name") or f"step_{i + 1}").strip()
            steps.append(Step(name=name, template=str(raw.get("template") or "")))
        inputs = []
        for i, raw in enumerate(_list(data.get("inputs"), "inputs", problems)):
            if isinstance(raw, str):
                raw = {"name": raw}
            if not isinstance(raw, Mapping):
                problems.setdefault(f"inputs.{i}", []).append("An input needs at least a name.")
                continue
            choices = raw.get("choices") or ()
            if isinstance(choices, str):
                choices = [c.strip() for c in choices.split(",") if c.strip()]
            inputs.append(
                InputSpec(
                    name=str(raw.get("name") or "").strip(),
                    label=str(raw.get("label") or "").strip(),
                    help=str(raw.get("help") or "").strip(),
                    type=str(raw.get("type") or "text").strip(),
                    choices=tuple(str(c) for c in choices),
                    default="" if raw.get("default") is None else str(raw.get("default")),
                    required=_bool(raw.get("required", True)),
                )
            )
        refs = []
        for i, raw in enumerate(_list(data.get("context_refs"), "context_refs", problems)):
            if isinstance(raw, str):
                raw = {"slug": raw}
            if not isinstance(raw, Mapping):
                problems.setdefault(f"context_refs.{i}", []).append("Give a context slug.")
                continue
            version = raw.get("version")
            refs.append(
                ContextRef(
                    slug=str(raw.get("slug") or "").strip(),
                    version=int(version) if str(version or "").isdigit() else None,
                )
            )
        baseline = data.get("baseline_minutes")
        baseline_minutes = None
        if baseline not in (None, ""):
            try:
                baseline_minutes = int(baseline)
                if baseline_minutes < 0 or baseline_minutes > 100_000:
                    raise ValueError
            except (TypeError, ValueError):
                problems.setdefault("baseline_minutes", []).append(
                    "Minutes without AI must be a whole number between 0 and 100000."
                )
        elements = data.get("required_elements") or ()
        if isinstance(elements, str):
            elements = [e.strip() for e in elements.split(",") if e.strip()]
        if problems:
            raise ValidationFailed("The workflow has problems; see the fields.", fields=problems)
        return cls(
            system=str(data.get("system") or ""),
            steps=tuple(steps),
            inputs=tuple(inputs),
            context_refs=tuple(refs),
            negative_constraints=str(data.get("negative_constraints") or "").strip(),
            manual_edits=str(data.get("manual_edits") or "").strip(),
            baseline_minutes=baseline_minutes,
            required_elements=tuple(str(e) for e in elements),
        )

    def as_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = [asdict(s) for s in self.steps]
        data["inputs"] = [{**asdict(i), "choices": list(i.choices)} for i in self.inputs]
        data["context_refs"] = [asdict(r) for r in self.context_refs]
        data["required_elements"] = list(self.required_elements)
        return data


def validate(kind: str, content: VersionContent, *, known_context: set[str]) -> dict[str, Any]:
    """Check the content for ``kind``; return what the templates use, or raise with every problem.

    Reported: step and input shape, duplicate names, template syntax (with line), variables used
    but not declared (with line and name), references to later or unknown steps, and context
    references that are not among ``known_context`` (the slugs the author may see).
    """
    problems: dict[str, list[str]] = {}

    def add(where: str, message: str) -> None:
        problems.setdefault(where, []).append(message)

    if kind == Kind.PROMPT and len(content.steps) != 1:
        add("steps", "A prompt has exactly one step.")
    if kind == Kind.CHAIN and len(content.steps) < 2:
        add("steps", "A chain needs at least two steps.")
    if kind == Kind.INSTRUCTIONS and not content.system.strip():
        add("system", "Instructions need the instruction text.")
    if len(content.steps) > MAX_STEPS:
        add("steps", f"At most {MAX_STEPS} steps.")
    if len(content.inputs) > MAX_INPUTS:
        add("inputs", f"At most {MAX_INPUTS} inputs.")

    input_names: set[str] = set()
    for i, spec in enumerate(content.inputs):
        where = f"inputs.{i}"
        if not NAME_RE.match(spec.name):
            add(
                f"{where}.name",
                f"'{spec.name}' is not a valid input name: use lowercase letters, "
                "digits and _, starting with a letter.",
            )
        elif spec.name in RESERVED_NAMES:
            add(f"{where}.name", f"'{spec.name}' is reserved; choose another name.")
        elif spec.name in input_names:
            add(f"{where}.name", f"The input '{spec.name}' is declared twice.")
        input_names.add(spec.name)
        if spec.type not in INPUT_TYPES:
            add(
                f"{where}.type",
                f"'{spec.type}' is not an input type; use {', '.join(INPUT_TYPES)}.",
            )
        if spec.type == "choice" and not spec.choices:
            add(f"{where}.choices", f"The choice input '{spec.name}' needs its choices.")
        if spec.type == "choice" and spec.default and spec.default not in spec.choices:
            add(f"{where}.default", f"The default of '{spec.name}' is not one of its choices.")
        if spec.type == "number" and spec.default and not _is_number(spec.default):
            add(f"{where}.default", f"The default of '{spec.name}' must be a number.")

    step_names: list[str] = []
    for i, step in enumerate(content.steps):
        if not NAME_RE.match(step.name):
            add(f"steps.{i}.name", f"'{step.name}' is not a valid step name.")
        elif step.name in step_names:
            add(f"steps.{i}.name", f"Two steps are called '{step.name}'.")
        step_names.append(step.name)

    context_slugs = {ref.slug for ref in content.context_refs}
    for i, ref in enumerate(content.context_refs):
        if not CONTEXT_SLUG_RE.match(ref.slug):
            add(f"context_refs.{i}", f"'{ref.slug}' is not a context slug.")
        elif ref.slug not in known_context:
            add(f"context_refs.{i}", f"Unknown context '{ref.slug}'.")

    uses: dict[str, set[str]] = {"inputs": set(), "context": set(), "steps": set()}
    templates = [("system", content.system, 0)] + [
        (f"steps.{i}.template", step.template, i) for i, step in enumerate(content.steps)
    ]
    for where, source, position in templates:
        if where != "system" and not source.strip():
            add(where, "This step is empty.")
            continue
        try:
            info = analyse(source, field=where)
        except TemplateProblem as problem:
            add(where, problem.message)
            continue
        for name, line in info.names.items():
            if name in input_names:
                uses["inputs"].add(name)
            elif name not in {"steps", "context"}:
                add(where, f"Line {line}: '{name}' is used but not declared as an input.")
        for name, line in info.step_refs.items():
            earlier = step_names[:position] if where != "system" else []
            if name not in earlier:
                why = (
                    "the system text can't use step outputs"
                    if where == "system"
                    else ("it is not an earlier step")
                )
                add(where, f"Line {line}: steps.{name} can't be used here: {why}.")
            uses["steps"].add(name)
        for slug, line in info.context_refs.items():
            if slug not in known_context:
                add(where, f"Line {line}: unknown context '{slug}'.")
            uses["context"].add(slug)
            context_slugs.add(slug)
    if problems:
        raise ValidationFailed("The workflow has problems; see the fields.", fields=problems)
    return {key: sorted(values) for key, values in uses.items()}


def _list(value: Any, where: str, problems: dict[str, list[str]]) -> Sequence[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return value
    problems.setdefault(where, []).append("Expected a list.")
    return []


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"false", "0", "no", "off", ""}
    return bool(value)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
