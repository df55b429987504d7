"""Every write to captures: create, update, share, delete, promote into a draft workflow.

Keyword-only, transactional, rights checked through ``accounts.policy`` with the author as
``owner``; each records an ``Event``. ``CaptureData.from_data`` checks loose input (a form, JSON,
YAML) once for every door and names every bad field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from huddle.accounts import policy
from huddle.accounts.models import Team, Visibility
from huddle.accounts.policy import Action, Actor
from huddle.capture import promote as promoting
from huddle.capture.models import Capture, Source, Tool
from huddle.capture.promote import Span
from huddle.core.errors import ValidationFailed
from huddle.core.services import event_record
from huddle.library import contextrefs
from huddle.library import services as library_services
from huddle.library.content import (
    CONTEXT_SLUG_RE,
    ContextRef,
    InputSpec,
    Step,
    VersionContent,
    validate,
)
from huddle.library.models import Kind, Workflow

MAX_STEPS = 20
MAX_EXAMPLES = 5  # other pasted variants per step
MAX_PROMPT = 50_000
MAX_TEXT = 20_000
MAX_MINUTES = 100_000
MAX_CONTEXT_SLUGS = 20


@dataclass(frozen=True)
class CaptureData:
    """What a person tells about a workflow they did; ``steps`` is ``[{"text", "examples"}]``."""

    title: str
    goal: str = ""
    tool: str = Tool.OTHER
    steps: tuple[dict[str, Any], ...] = ()
    context_text: str = ""
    context_slugs: tuple[str, ...] = ()
    negative_constraints: str = ""
    manual_edits: str = ""
    minutes_before: int | None = None
    minutes_after: int | None = None
    failures: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CaptureData:
        """Check and clean; ``ValidationFailed`` with every problem keyed by field."""
        problems: dict[str, list[str]] = {}

        def add(where: str, message: str) -> None:
            problems.setdefault(where, []).append(message)

        title = str(data.get("title") or "").strip()
        if not title:
            add("title", "Give it a short title.")
        elif len(title) > 200:
            add("title", "At most 200 characters.")
        tool = str(data.get("tool") or Tool.OTHER).strip().lower()
        if tool not in Tool.values:
            add("tool", f"Use one of {', '.join(Tool.values)}.")
        steps = _steps(data.get("steps"), add)
        slugs_raw = data.get("context_slugs") or []
        if isinstance(slugs_raw, str):
            slugs_raw = slugs_raw.replace("\n", ",").split(",")
        if not isinstance(slugs_raw, list | tuple):
            add("context_slugs", "Expected a list of context names.")
            slugs_raw = []
        slugs: list[str] = []
        for raw in slugs_raw:
            slug = str(raw).strip().lower()
            if not slug or slug in slugs:
                continue
            if not CONTEXT_SLUG_RE.match(slug):
                add(
                    "context_slugs",
                    f"'{slug}' is not a context name: lowercase letters, digits and _, "
                    "starting with a letter.",
                )
            slugs.append(slug)
        if len(slugs) > MAX_CONTEXT_SLUGS:
            add("context_slugs", f"At most {MAX_CONTEXT_SLUGS} context links.")
        texts = {
            name: str(data.get(name) or "").strip()
            for name in ("goal", "context_text", "negative_constraints", "manual_edits", "failures")
        }
        for name, text in texts.items():
            if len(text) > MAX_TEXT:
                add(name, f"At most {MAX_TEXT:,} characters.")
        minutes = {
            name: _minutes(data.get(name), name, add)
            for name in ("minutes_before", "minutes_after")
        }
        if problems:
            raise ValidationFailed("The capture has problems; see the fields.", fields=problems)
        return cls(
            title=title,
            tool=tool,
            steps=tuple(steps),
            context_slugs=tuple(slugs),
            **texts,
            **minutes,
        )

    @classmethod
    def from_capture(cls, capture: Capture) -> CaptureData:
        return cls(
            title=capture.title,
            goal=capture.goal,
            tool=capture.tool,
            steps=tuple(capture.steps),
            context_text=capture.context_text,
            context_slugs=tuple(capture.context_slugs),
            negative_constraints=capture.negative_constraints,
            manual_edits=capture.manual_edits,
            minutes_before=capture.minutes_before,
            minutes_after=capture.minutes_after,
            failures=capture.failures,
        )

    def fields(self) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = [dict(step) for step in self.steps]
        data["context_slugs"] = list(self.context_slugs)
        return data


def _steps(raw: Any, add: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list | tuple):
        add("steps", "Expected a list of prompts.")
        return []
    steps: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, Mapping):
            add(f"steps.{i}", "A step is the prompt's text, with optional examples.")
            continue
        text = str(item.get("text") or "")
        examples = item.get("examples") or []
        if isinstance(examples, str):
            examples = [examples]
        if not isinstance(examples, list | tuple):
            add(f"steps.{i}.examples", "Expected a list of texts.")
            examples = []
        examples = [str(e) for e in examples if str(e).strip()]
        if not text.strip():
            if examples:
                add(f"steps.{i}.text", "Paste the prompt first, then other examples of it.")
            continue  # an empty row of the form
        if len(text) > MAX_PROMPT or any(len(e) > MAX_PROMPT for e in examples):
            add(f"steps.{i}.text", f"A prompt can be at most {MAX_PROMPT:,} characters.")
        if len(examples) > MAX_EXAMPLES:
            add(f"steps.{i}.examples", f"At most {MAX_EXAMPLES} other examples per prompt.")
        steps.append({"text": text, "examples": examples})
    if not steps:
        add("steps", "Paste at least one prompt exactly as you typed it.")
    if len(steps) > MAX_STEPS:
        add("steps", f"At most {MAX_STEPS} steps.")
    return steps


def _minutes(raw: Any, name: str, add: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        add(name, "Give a whole number of minutes.")
        return None
    if not 0 <= value <= MAX_MINUTES or value != int(value):
        add(name, f"Give a whole number of minutes between 0 and {MAX_MINUTES}.")
        return None
    return int(value)


@transaction.atomic
def capture_create(
    *,
    actor: Actor,
    data: CaptureData,
    visibility: str = Visibility.PRIVATE,
    team: Team | None = None,
    source: str = Source.TYPED,
) -> Capture:
    """Record a capture; it is private to its author unless ``visibility`` says otherwise."""
    policy.require(actor, Action.CREATE_CONTENT)
    team = policy.sharing_team(actor.organization, visibility, team)
    capture = Capture.objects.create(
        organization=actor.organization,
        owner=actor.user,
        team=team,
        visibility=visibility,
        source=source if source in Source.values else Source.TYPED,
        **data.fields(),
    )
    event_record(
        actor,
        "capture.created",
        capture,
        steps=len(data.steps),
        tool=data.tool,
        source=capture.source,
    )
    return capture


@transaction.atomic
def capture_update(*, actor: Actor, capture: Capture, data: CaptureData) -> Capture:
    """Replace what the capture says (the author, or an editor for a shared capture)."""
    policy.require_edit(actor, capture)
    for name, value in data.fields().items():
        setattr(capture, name, value)
    capture.save()
    event_record(actor, "capture.updated", capture)
    return capture


@transaction.atomic
def capture_share(
    *, actor: Actor, capture: Capture, visibility: str, team: Team | None = None
) -> Capture:
    """Change who sees the capture: only me, my team, or everyone in the organisation."""
    policy.require_edit(actor, capture)
    capture.team = policy.sharing_team(actor.organization, visibility, team)
    capture.visibility = visibility
    capture.save(update_fields=["team", "visibility", "updated_at"])
    event_record(
        actor, "capture.shared", capture, visibility=visibility, team=team.slug if team else None
    )
    return capture


@transaction.atomic
def capture_delete(*, actor: Actor, capture: Capture) -> None:
    """Delete a capture; a workflow promoted from it stays in the library."""
    policy.require_edit(actor, capture)
    event_record(actor, "capture.deleted", capture)
    capture.delete()


# --- promote -------------------------------------------------------------------------------


@dataclass
class Preview:
    """What promoting would make: the workflow content, and what to tell the author."""

    kind: str
    content: VersionContent
    input_origins: dict[str, str]  # input name -> "selected" | "examples"
    context_to_attach: list[str]  # linked context slugs that don't (yet) exist as assets
    notes: list[str]
    problems: dict[str, list[str]] = field(default_factory=dict)
    inferred_names: dict[str, str] = field(default_factory=dict)  # input name -> inferred name
    dropped: list[dict[str, str]] = field(default_factory=list)  # inferred inputs removed

    def as_data(self) -> dict[str, Any]:
        data = self.content.as_data()
        return {
            "kind": self.kind,
            "system": data["system"],
            "steps": data["steps"],
            "inputs": [
                {
                    **i,
                    "origin": self.input_origins.get(i["name"], ""),
                    "inferred_as": self.inferred_names.get(i["name"], ""),
                }
                for i in data["inputs"]
            ],
            "dropped": self.dropped,
            "context_refs": data["context_refs"],
            "context_to_attach": self.context_to_attach,
            "negative_constraints": data["negative_constraints"],
            "manual_edits": data["manual_edits"],
            "baseline_minutes": data["baseline_minutes"],
            "notes": self.notes,
            "problems": self.problems,
        }


def promote_preview(
    capture: Capture,
    spans: Sequence[Span],
    *,
    actor: Actor | None = None,
    choices: Mapping[str, str | None] | None = None,
) -> Preview:
    """The templates and inputs promoting ``capture`` with ``spans`` would give; saves nothing.
    ``choices`` renames or removes inputs inferred from examples (``promote.apply_choices``).

    Problems (a span not found, a bad name, a template that won't validate) are in
    ``problems`` keyed by field rather than raised, so a page can show them as the author works.
    """
    built = promoting.apply_choices(promoting.build(capture.steps, spans), choices or {})
    known = contextrefs.known_slugs(actor) if actor is not None else set()
    refs = tuple(ContextRef(slug=s) for s in capture.context_slugs if s in known)
    content = VersionContent(
        system=promoting.escape(capture.context_text),
        steps=tuple(
            Step(name=f"step_{i + 1}", template=template)
            for i, template in enumerate(built.templates)
        ),
        inputs=tuple(InputSpec(**draft.as_data()) for draft in built.inputs),
        context_refs=refs,
        negative_constraints=capture.negative_constraints,
        manual_edits=capture.manual_edits,
        baseline_minutes=capture.minutes_before,
    )
    kind = Kind.PROMPT if len(content.steps) == 1 else Kind.CHAIN
    problems = dict(built.problems)
    try:
        validate(kind, content, known_context=known)
    except ValidationFailed as error:
        for where, messages in error.fields.items():
            problems.setdefault(where, []).extend(messages)
    return Preview(
        kind=kind,
        content=content,
        input_origins={d.name: d.origin for d in built.inputs},
        context_to_attach=[s for s in capture.context_slugs if s not in known],
        notes=built.notes,
        problems=problems,
        inferred_names={d.name: d.inferred_as for d in built.inputs if d.inferred_as},
        dropped=[{"name": d.inferred_as, "default": d.default} for d in built.dropped],
    )


@transaction.atomic
def capture_promote(
    *,
    actor: Actor,
    capture: Capture,
    spans: Sequence[Span],
    title: str = "",
    choices: Mapping[str, str | None] | None = None,
) -> tuple[Workflow, Preview]:
    """Make a new private draft workflow, owned by ``actor``, from the capture.

    Every promotion makes a new workflow (an earlier one is left as it is, and may have been
    edited since); ``promoted_to`` points at the newest. Span problems raise ``ValidationFailed``
    keyed ``spans.<n>``; template problems are keyed by the workflow field (``steps.0.template``).
    """
    policy.require(actor, Action.CREATE_CONTENT)
    policy.require_edit(actor, capture)
    preview = promote_preview(capture, spans, actor=actor, choices=choices)
    if preview.problems:
        raise ValidationFailed(
            "The capture can't be promoted yet; see the fields.", fields=preview.problems
        )
    workflow = library_services.workflow_create(
        actor=actor,
        title=title.strip() or capture.title,
        kind=preview.kind,
        content=preview.content,
        summary=capture.goal,
        changelog="Promoted from a capture",
    )
    capture.promoted_to = workflow
    capture.save(update_fields=["promoted_to", "updated_at"])
    event_record(
        actor,
        "capture.promoted",
        capture,
        workflow=str(workflow.public_id),
        inputs=[spec.name for spec in preview.content.inputs],
        context_to_attach=preview.context_to_attach,
    )
    return workflow, preview
