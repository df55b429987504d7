"""Turn a workflow version plus a person's inputs into the prompt(s) they paste or send."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from huddle.accounts.policy import Actor
from huddle.core.errors import ValidationFailed
from huddle.library import contextrefs
from huddle.library.content import (
    MAX_LONG_TEXT_INPUT,
    MAX_TEXT_INPUT,
    ContextRef,
    InputSpec,
    VersionContent,
)
from huddle.library.models import WorkflowVersion
from huddle.library.templating import Block, render


@dataclass(frozen=True)
class RenderedStep:
    name: str
    text: str


@dataclass(frozen=True)
class Rendered:
    system: str
    steps: list[RenderedStep]
    inputs: dict[str, Any]
    context: list[Any] = field(default_factory=list)  # the ContextBlocks used

    def as_text(self) -> str:
        """Everything to paste, in order: system text first, then each step."""
        parts = []
        if self.system.strip():
            parts.append(self.system.strip())
        parts.extend(step.text.strip() for step in self.steps)
        return "\n\n---\n\n".join(parts)


def content_of(version: WorkflowVersion) -> VersionContent:
    return VersionContent.from_data(
        {
            "system": version.system,
            "steps": version.steps,
            "inputs": version.inputs,
            "context_refs": version.context_refs,
            "negative_constraints": version.negative_constraints,
            "manual_edits": version.manual_edits,
            "baseline_minutes": version.baseline_minutes,
            "required_elements": version.required_elements,
        }
    )


def input_values(specs: tuple[InputSpec, ...], *sources: Mapping[str, Any]) -> dict[str, str]:
    """The value of each input for a form: the first source holding ``in_<name>`` wins, else
    the input's default. Pages pass their POST, then the query string, so values typed on one
    page come along to the next ("Use it" → "Run it" → "Assembly preview", issue 19)."""
    values = {}
    for spec in specs:
        key = f"in_{spec.name}"
        found = next((source[key] for source in sources if key in source), None)
        values[spec.name] = str(found) if found is not None else spec.default
    return values


def coerce_inputs(specs: tuple[InputSpec, ...], values: Mapping[str, Any]) -> dict[str, Any]:
    """Check values against the declared inputs; ``ValidationFailed`` names each bad input."""
    problems: dict[str, list[str]] = {}
    known = {spec.name for spec in specs}
    for name in values:
        if name not in known:
            problems.setdefault(name, []).append(f"'{name}' is not an input of this workflow.")
    result: dict[str, Any] = {}
    for spec in specs:
        raw = values.get(spec.name)
        text = "" if raw is None else str(raw)
        if not text.strip():
            text = spec.default
        if not text.strip():
            if spec.required:
                problems.setdefault(spec.name, []).append(f"{spec.display_label} is required.")
            result[spec.name] = ""
            continue
        limit = MAX_LONG_TEXT_INPUT if spec.type == "long_text" else MAX_TEXT_INPUT
        if len(text) > limit:
            problems.setdefault(spec.name, []).append(
                f"{spec.display_label} is {len(text):,} characters; the limit is {limit:,}."
            )
        elif spec.type == "choice" and text not in spec.choices:
            problems.setdefault(spec.name, []).append(
                f"{spec.display_label} must be one of: {', '.join(spec.choices)}."
            )
        elif spec.type == "number":
            try:
                number = float(text)
            except ValueError:
                problems.setdefault(spec.name, []).append(f"{spec.display_label} must be a number.")
                continue
            result[spec.name] = int(number) if number.is_integer() else number
            continue
        result[spec.name] = text
    if problems:
        names = ", ".join(sorted(problems))
        raise ValidationFailed(f"Check these inputs: {names}.", fields=problems)
    return result


def _refs(content: VersionContent, extra_slugs: set[str]) -> list[ContextRef]:
    pinned = {ref.slug: ref for ref in content.context_refs}
    for slug in sorted(extra_slugs):
        pinned.setdefault(slug, ContextRef(slug=slug))
    return list(pinned.values())


def _as_block(shown: Any, block: Any) -> Block:
    """The plain ``Block`` a template sees for a ``ContextBlock`` (or the wrapper standing in
    for it): templates render in a separate process, which gets plain data only."""
    return Block(
        slug=block.slug,
        kind=block.kind,
        title=block.title,
        version=block.version,
        text=str(shown),
        parts={key: shown[key] for key in block.parts},
    )


def render_version(
    actor: Actor,
    version: WorkflowVersion,
    values: Mapping[str, Any],
    *,
    step_outputs: Mapping[str, str] | None = None,
    wrap_context: Callable[[Any], Any] | None = None,
) -> Rendered:
    """Render the system text and every step with the actor's inputs and context rights.

    For a chain, ``step_outputs`` holds what earlier steps produced; a step whose inputs are not
    known yet shows a placeholder naming the step, so the whole chain can be previewed.
    ``wrap_context`` lets the assembly preview mark where each context block lands.
    """
    from huddle.library.templating import analyse

    content = content_of(version)
    inputs = coerce_inputs(content.inputs, values)
    slugs: set[str] = set()
    for source in [content.system, *(s.template for s in content.steps)]:
        slugs |= set(analyse(source).context_refs)
    blocks = contextrefs.blocks_for(actor, _refs(content, slugs))
    outputs = dict(step_outputs or {})
    shown = {
        slug: _as_block(wrap_context(block) if wrap_context else block, block)
        for slug, block in blocks.items()
    }
    variables: dict[str, Any] = {**inputs, "context": shown}
    system = render(content.system, variables, field="system") if content.system else ""
    if content.negative_constraints:
        avoid = "\n".join(
            f"- {line.strip().lstrip('-• ').strip()}"
            for line in content.negative_constraints.splitlines()
            if line.strip()
        )
        system = f"{system.rstrip()}\n\nAvoid:\n{avoid}".strip()
    steps = []
    for i, step in enumerate(content.steps):
        step_vars = {
            name: {"output": outputs.get(name, f"[output of step '{name}']")}
            for name in (s.name for s in content.steps[:i])
        }
        text = render(step.template, {**variables, "steps": step_vars}, field=f"steps.{i}.template")
        steps.append(RenderedStep(name=step.name, text=text))
    return Rendered(system=system, steps=steps, inputs=inputs, context=list(blocks.values()))
