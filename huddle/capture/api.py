"""``/api/v1/captures``: capture a workflow, list and read captures, promote one to a workflow.

Thin adapters over ``services``/``queries``, acting as the token's member (``request.actor``):
a capture the member can't see is 404, one they see but may not change is 403, bad content is
422 naming the field (``steps.0.text``, ``spans.1``, ``steps.0.template``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from huddle.accounts import policy
from huddle.accounts.queries import team_by_slug
from huddle.capture import queries, services
from huddle.capture.models import Capture
from huddle.capture.promote import Span
from huddle.capture.services import CaptureData
from huddle.core.errors import NotFound
from huddle.core.jsontypes import Body, Integer
from huddle.core.paging import cursor_page

router = Router(tags=["capture"])

ToolName = Literal["chatgpt", "claude", "copilot", "gemini", "other"]
VisibilityName = Literal["private", "team", "org"]


class CaptureStepIn(Body):
    text: str = Field(description="The prompt exactly as typed.")
    examples: list[str] = Field(default_factory=list, description="Other pasted variants of it.")


class CaptureIn(Body):
    title: str
    goal: str = ""
    tool: ToolName = "other"
    steps: list[CaptureStepIn]
    context_text: str = ""
    context_slugs: list[str] = Field(default_factory=list, description="Context asset slugs.")
    negative_constraints: str = ""
    manual_edits: str = ""
    minutes_before: Integer | None = None
    minutes_after: Integer | None = None
    failures: str = ""
    visibility: VisibilityName = "private"
    team: str | None = Field(None, description="Team slug, for team visibility.")


class CaptureOut(Schema):
    id: UUID
    title: str
    goal: str
    tool: str
    steps: list[dict[str, Any]]
    context_text: str
    context_slugs: list[str]
    negative_constraints: str
    manual_edits: str
    minutes_before: int | None
    minutes_after: int | None
    failures: str
    visibility: str
    team: str | None
    owner: str = Field(description="The author's email.")
    source: str
    promoted_to: str | None = Field(description="Slug of the newest workflow promoted from it.")
    created_at: datetime
    updated_at: datetime


class CapturePage(Schema):
    items: list[CaptureOut]
    next_cursor: str | None


class SpanIn(Body):
    step: Integer | None = Field(None, description="Step index from 0; null = every step.")
    text: str = Field(description="Exact text of the step to turn into an input.")
    name: str = Field(description="The input's name.")


class PromoteIn(Body):
    spans: list[SpanIn] = Field(default_factory=list)
    title: str = ""
    rename: dict[str, str] = Field(
        default_factory=dict,
        description="Inputs inferred from examples to rename: {inferred name: new name}.",
    )
    drop: list[str] = Field(
        default_factory=list,
        description="Inputs inferred from examples to remove (their text stays as typed).",
    )

    def choices(self) -> dict[str, str | None]:
        return {**self.rename, **dict.fromkeys(self.drop)}


class PreviewOut(Schema):
    kind: str
    system: str
    steps: list[dict[str, Any]]
    inputs: list[dict[str, Any]]
    context_refs: list[dict[str, Any]]
    context_to_attach: list[str]
    negative_constraints: str
    manual_edits: str
    baseline_minutes: int | None
    notes: list[str]
    problems: dict[str, list[str]]
    dropped: list[dict[str, str]] = Field(
        default_factory=list, description="Inferred inputs you removed: name and text."
    )


class PromotedOut(Schema):
    workflow: dict[str, Any] = Field(description="id, slug, title, kind, url of the new draft.")
    preview: PreviewOut


def capture_data(capture: Capture) -> dict[str, Any]:
    """A capture as plain data: the API's shape and ``huddle capture list --json``'s."""
    promoted = capture.promoted_to
    return {
        "id": capture.public_id,
        "owner": capture.owner.email,
        "team": capture.team.slug if capture.team else None,
        "visibility": capture.visibility,
        "source": capture.source,
        "promoted_to": promoted.slug if promoted else None,
        "created_at": capture.created_at,
        "updated_at": capture.updated_at,
        **CaptureData.from_capture(capture).fields(),
    }


@router.post("", response={201: CaptureOut}, summary="Capture a workflow (private by default)")
def capture_create(request: HttpRequest, payload: CaptureIn) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    team = None
    if payload.team:
        team = team_by_slug(actor.organization, payload.team)
        if team is None:
            raise NotFound("No such team.")
    capture = services.capture_create(
        actor=actor,
        data=CaptureData.from_data(payload.dict()),
        visibility=payload.visibility,
        team=team,
    )
    return Status(201, capture_data(capture))


@router.get("", response=CapturePage, summary="Your captures and those shared with you")
def capture_list(
    request: HttpRequest, mine: bool = False, cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    captures = queries.visible_captures(actor).order_by("-created_at", "-id")
    if mine:
        captures = captures.filter(owner=actor.user)
    items, next_cursor = cursor_page(
        captures, cursor=cursor, limit=limit, keyset=("-created_at", "-id")
    )
    return {"items": [capture_data(c) for c in items], "next_cursor": next_cursor}


@router.get("/{capture_id}", response=CaptureOut, summary="One capture")
def capture_detail(request: HttpRequest, capture_id: str) -> dict[str, Any]:
    return capture_data(queries.get_capture(request.actor, capture_id))  # type: ignore[attr-defined]


@router.post(
    "/{capture_id}/promote",
    response={200: PreviewOut, 201: PromotedOut},
    summary="Promote to a private draft workflow (?dry_run=true: preview only)",
)
def capture_promote(
    request: HttpRequest, capture_id: str, payload: PromoteIn, dry_run: bool = False
) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    capture = queries.get_capture(actor, capture_id)
    spans = [Span(text=s.text, name=s.name, step=s.step) for s in payload.spans]
    if dry_run:
        policy.require_edit(actor, capture)
        preview = services.promote_preview(capture, spans, actor=actor, choices=payload.choices())
        return Status(200, preview.as_data())
    workflow, preview = services.capture_promote(
        actor=actor, capture=capture, spans=spans, title=payload.title, choices=payload.choices()
    )
    return Status(
        201,
        {
            "workflow": {
                "id": str(workflow.public_id),
                "slug": workflow.slug,
                "title": workflow.title,
                "kind": workflow.kind,
                "url": f"/o/{actor.organization.slug}/library/{workflow.slug}/",
            },
            "preview": preview.as_data(),
        },
    )
