"""Prompts: the workflows a member can see, as the library page lists them (endorsed first).

A prompt's name is the workflow's slug and its arguments are the declared inputs of the latest
version. ``prompts/get`` renders that version as the copy-paste run does (system text, each step,
context resolved with the member's rights) and opens a run of mode ``mcp`` for members who may
record runs (viewers only get the text, as the workflow page shows it to them). Over HTTP that
run is written once the answer has been sent (``core/afterwards.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any
from uuid import uuid4

import mcp_types as types
from django.core import signing
from django.db.models import Func, OuterRef, Subquery

from huddle.accounts import policy
from huddle.accounts.models import Visibility
from huddle.accounts.policy import Action, Actor
from huddle.core.afterwards import after_answer
from huddle.core.errors import ValidationFailed
from huddle.library import queries as library_queries
from huddle.library import services as library_services
from huddle.library.models import Label, Status, Workflow, WorkflowLabel, WorkflowVersion
from huddle.library.rendering import render_version
from huddle.runs import assistant
from huddle.runs.direct import prompts_of

PAGE = 50  # prompts per page of prompts/list
_CURSOR = signing.Signer(salt="huddle.mcp.prompts.cursor")
_ENDORSED, _OTHERS = "e", "o"


def _decode(cursor: str | None) -> tuple[str, int]:
    if not cursor:
        return _ENDORSED, 0
    try:
        data = _CURSOR.unsign_object(cursor)
        phase, offset = data["p"], data["o"]
        if phase not in (_ENDORSED, _OTHERS) or not isinstance(offset, int) or offset < 0:
            raise TypeError
    except (signing.BadSignature, TypeError, KeyError, ValueError):
        message = "This cursor is not valid; use the nextCursor of a previous page."
        raise ValidationFailed(message, fields={"cursor": [message]}) from None
    return phase, offset


def _encode(phase: str, offset: int) -> str:
    return _CURSOR.sign_object({"p": phase, "o": offset})


_COLUMNS = ("slug", "title", "summary", "status")


class _Unindexed(Func):
    """``column`` in an ORDER BY that SQLite's planner may not walk an index for (its unary
    ``+``, a no-op on any value; other databases get the column itself)."""

    template = "+%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.source_expressions[0])


def list_prompts(
    actor: Actor, cursor: str | None = None, *, limit: int = PAGE
) -> types.ListPromptsResult:
    """One page of the member's prompts: endorsed workflows first, then the rest, each part
    newest first (the library page's default order). The cursor says which part and how far.

    One query per part, each with the columns a prompt needs and its latest version's inputs:
    one query when the page is all endorsed, two when it reaches the rest."""
    phase, offset = _decode(cursor)
    listed = (
        library_queries.search_workflows(actor, library_queries.LibraryFilter())
        .select_related(None)
        .annotate(inputs=Subquery(_LATEST_INPUTS))
    )
    rows: list[dict[str, Any]] = []
    next_cursor = None
    if phase == _ENDORSED:
        # The endorsed are few. Naming every visibility lets the (organisation, visibility,
        # status) index find them in three look-ups, and sorting them without an index keeps
        # SQLite's planner from walking the whole updated_at index looking for them (150 ms at
        # 100k workflows when there are none); the visibility rule itself still comes from
        # policy.visible_q, AND-ed.
        endorsed = listed.filter(status=Status.ENDORSED, visibility__in=Visibility.values)
        endorsed = endorsed.order_by(_Unindexed("updated_at").desc(), "-id")
        rows = list(endorsed.values(*_COLUMNS, "inputs")[offset : offset + limit + 1])
        if len(rows) > limit:
            rows, next_cursor = rows[:limit], _encode(_ENDORSED, offset + limit)
        else:
            phase, offset = _OTHERS, 0
    if next_cursor is None and phase == _OTHERS:
        room = limit - len(rows)
        others = listed.exclude(status=Status.ENDORSED).order_by("-updated_at", "-id")
        more = list(others.values(*_COLUMNS, "inputs")[offset : offset + room + 1])
        if len(more) > room:
            more, next_cursor = more[:room], _encode(_OTHERS, offset + room)
        rows += more
    prompts = [_prompt(row, row["inputs"] or []) for row in rows]
    return types.ListPromptsResult(prompts=prompts, next_cursor=next_cursor)


_LATEST_INPUTS = WorkflowLabel.objects.filter(workflow=OuterRef("pk"), name=Label.LATEST).values(
    "version__inputs"
)[:1]


def _prompt(row: Mapping[str, Any], inputs: list[dict[str, Any]]) -> types.Prompt:
    summary = (row["summary"] or "").strip() or row["title"]
    if row["status"] == Status.ENDORSED:
        summary = f"Endorsed by the team. {summary}"
    return types.Prompt(
        name=row["slug"],
        title=row["title"],
        description=summary,
        arguments=[_argument(spec) for spec in inputs],
    )


def _argument(spec: Mapping[str, Any]) -> types.PromptArgument:
    label = str(spec.get("label") or spec.get("name"))
    parts = [label]
    if spec.get("help"):
        parts.append(str(spec["help"]))
    if spec.get("choices"):
        parts.append("One of: " + ", ".join(str(c) for c in spec["choices"]) + ".")
    if spec.get("type") == "number":
        parts.append("A number.")
    if spec.get("default"):
        parts.append(f"Default: {spec['default']}.")
    return types.PromptArgument(
        name=str(spec["name"]),
        title=label,
        description=" ".join(p.rstrip(".") + "." for p in parts),
        required=bool(spec.get("required", True)) and not spec.get("default"),
    )


def get_prompt(
    actor: Actor, name: str, arguments: Mapping[str, Any] | None
) -> types.GetPromptResult:
    """The rendered prompt of workflow ``name`` with ``arguments`` as its inputs.

    Raises ``NotFound`` for a workflow the member can't see, ``ValidationFailed`` naming each bad
    input, and the context error naming an asset the member may not use — as the API's render.
    """
    workflow, version = _latest(actor, name)
    # Rendered before the run's transaction opens: on SQLite that takes the write lock.
    rendered = render_version(actor, version, dict(arguments or {}))
    run_id = None
    if actor.can(Action.CREATE_CONTENT):
        # Recording the run is bookkeeping the member does not wait for: over HTTP it is written
        # once this answer has gone out, under the id the answer gives (core/afterwards.py).
        run_id = uuid4()
        opening = partial(
            assistant.run_open,
            actor=actor,
            workflow=workflow,
            version=version,
            rendered=rendered,
            public_id=run_id,
        )
        after_answer(opening)
    prompts = prompts_of(rendered)
    texts = [text for _, text in prompts]
    if rendered.steps and rendered.system.strip():
        texts.insert(0, rendered.system)
    description = f"{workflow.title} (version {version.number})."
    if len(rendered.steps) > 1:
        description += (
            f" A chain of {len(rendered.steps)} steps: send each one after the answer to the "
            "one before; a step shows where the earlier answer goes."
        )
    if run_id is not None:
        description += " When you are done, tell Huddle how it went with the log_run tool."
    return types.GetPromptResult(
        description=description,
        messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))
            for text in texts
        ],
        meta={"huddle/run": str(run_id)} if run_id is not None else None,
    )


def _latest(actor: Actor, name: str) -> tuple[Workflow, WorkflowVersion]:
    """The visible workflow named ``name`` and its latest version, in one query (a label with
    its workflow and version); the library's own look-up says why when there is none.

    One filter() on the label, no subquery and no ORDER BY (a slug names one workflow of the
    organisation, which has one latest label): Django builds this SQL in ~0.9 ms where the
    subquery and ``first()`` took ~1.4 (docs/performance.md)."""
    found = WorkflowLabel.objects.select_related("workflow", "version").filter(
        policy.visible_q(actor, "workflow__"), name=Label.LATEST, workflow__slug=name
    )[:1]
    for label in found:
        return label.workflow, label.version
    # Not found, no version yet, or named by its public id: the library's look-up answers.
    workflow = library_queries.get_workflow(actor, name)
    return workflow, library_services.latest_version(workflow)
