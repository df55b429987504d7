"""``/api/v1/workflows``: the library over HTTP, acting as the token's member (``request.actor``).

Thin adapters over ``services``/``queries``: what a member can't see is 404, what they can see
but not change is 403, content problems are 422 with the field (``steps.0.template`` …).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from huddle.accounts import queries as accounts_queries
from huddle.accounts.models import Organization, Team
from huddle.accounts.policy import Actor
from huddle.core.errors import ValidationFailed
from huddle.core.jsontypes import Body, Flag, Integer
from huddle.core.paging import cursor_page
from huddle.library import queries, services
from huddle.library.content import VersionContent
from huddle.library.models import Workflow
from huddle.library.rendering import render_version
from huddle.library.serialize import version_data, workflow_data

router = Router(tags=["library"])

KindName = Literal["prompt", "chain", "instructions"]
VisibilityName = Literal["private", "team", "org"]
StatusName = Literal["draft", "shared", "endorsed", "archived"]
SortName = Literal["relevance", "recent", "used", "starred"]


# --- schemas ---------------------------------------------------------------------------------


class OwnerOut(Schema):
    email: str
    name: str


class WorkflowOut(Schema):
    id: UUID
    slug: str
    title: str
    summary: str
    kind: str
    status: str
    visibility: str
    team: str | None
    owner: OwnerOut
    tags: list[str]
    star_count: int
    use_count: int
    forked_from: UUID | None
    created_at: datetime
    updated_at: datetime
    latest_version: int


class WorkflowVersionOut(Schema):
    number: int
    system: str
    steps: list[dict[str, Any]]
    inputs: list[dict[str, Any]]
    context_refs: list[dict[str, Any]]
    negative_constraints: str
    manual_edits: str
    baseline_minutes: int | None
    changelog: str
    author: str | None = Field(description="The author's email.")
    created_at: datetime
    labels: list[str]


class WorkflowDetailOut(WorkflowOut):
    version: WorkflowVersionOut = Field(description="The version the 'latest' label points at.")


class WorkflowPage(Schema):
    items: list[WorkflowOut]
    next_cursor: str | None


class WorkflowVersionPage(Schema):
    items: list[WorkflowVersionOut]
    next_cursor: str | None


class ListParams(Schema):
    q: str = ""
    kind: KindName | None = None
    tag: str = ""
    team: str = Field("", description="Team slug.")
    owner: str = Field("", description="Owner email.")
    status: StatusName | None = Field(None, description="Default: everything but archived.")
    sort: SortName | None = Field(None, description="Default: relevance with q, else recent.")
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    # Checked by the pager, so a bad limit reads as on every list: a 422 naming `limit`.
    limit: int = Field(20, description="1 to 100.")


class TemplateStepIn(Body):
    name: str = Field("", description="Defaults to step_1, step_2, …")
    template: str


class InputIn(Body):
    name: str
    label: str = ""
    help: str = ""
    type: Literal["text", "long_text", "choice", "number"] = "text"
    choices: list[str] = Field(default_factory=list)
    default: str = ""
    required: Flag = True


class ContextRefIn(Body):
    slug: str
    version: Integer | None = None


class ContentIn(Body):
    system: str = ""
    steps: list[TemplateStepIn] = Field(default_factory=list)
    inputs: list[InputIn] = Field(default_factory=list)
    context_refs: list[ContextRefIn] = Field(default_factory=list)
    negative_constraints: str = ""
    manual_edits: str = ""
    baseline_minutes: Integer | None = None
    changelog: str = ""


class WorkflowIn(ContentIn):
    title: str
    kind: KindName = "prompt"
    slug: str = ""
    summary: str = ""
    tags: list[str] = Field(default_factory=list)
    visibility: VisibilityName = "private"
    team: str | None = Field(None, description="Team slug; required for team visibility.")


class WorkflowPatch(Body):
    title: str | None = None
    summary: str | None = None
    tags: list[str] | None = None
    visibility: VisibilityName | None = None
    team: str | None = Field(None, description="Team slug, with visibility 'team'.")
    status: Literal["archived", "active"] | None = Field(
        None, description="'archived' archives; 'active' restores an archived workflow."
    )


class RenderIn(Body):
    inputs: dict[str, Any] = Field(default_factory=dict)
    step_outputs: dict[str, str] | None = None
    version: Integer | None = Field(None, description="Default: the latest version.")


class RenderedStepOut(Schema):
    name: str
    text: str


class WorkflowRenderOut(Schema):
    version: int
    system: str
    steps: list[RenderedStepOut]
    text: str = Field(description="Everything to paste, in order.")


# --- helpers ---------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _content(body: ContentIn) -> VersionContent:
    data = body.model_dump(include=set(ContentIn.model_fields) - {"changelog"})
    return VersionContent.from_data(data)


def _team(organization: Organization, slug: str | None) -> Team | None:
    if not slug:
        return None
    team = accounts_queries.team_by_slug(organization, slug)
    if team is None:
        raise ValidationFailed(f"No team '{slug}'.", fields={"team": [f"No team '{slug}'."]})
    return team


def _detail(workflow: Workflow) -> dict[str, Any]:
    latest = services.latest_version(workflow)
    labels = queries.labels_of(workflow).get(latest.number, [])
    return {**workflow_data(workflow), "version": version_data(latest, labels)}


# --- routes ----------------------------------------------------------------------------------


@router.get("", response=WorkflowPage, summary="Search and list the workflows you can see")
def list_workflows(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    filters = queries.LibraryFilter(
        q=params.q,
        kind=params.kind or "",
        tag=params.tag,
        team=params.team,
        owner=params.owner,
        status=params.status or "",
        sort=params.sort or "",
    )
    found = queries.search_workflows(_actor(request), filters)
    # Ordered by relevance or the chosen sort, not by plain fields: the pager keeps an offset.
    rows, next_cursor = cursor_page(
        queries.with_listing_data(found), cursor=params.cursor, limit=params.limit
    )
    return {"items": [workflow_data(w) for w in rows], "next_cursor": next_cursor}


@router.post("", response={201: WorkflowDetailOut}, summary="Create a workflow")
def create_workflow(request: HttpRequest, body: WorkflowIn) -> Status:
    actor = _actor(request)
    workflow = services.workflow_create(
        actor=actor,
        title=body.title,
        kind=body.kind,
        content=_content(body),
        slug=body.slug,
        summary=body.summary,
        tags=body.tags,
        visibility=body.visibility,
        team=_team(actor.organization, body.team),
        changelog=body.changelog or "First version",
    )
    return Status(201, _detail(workflow))


@router.get("/{id}", response=WorkflowDetailOut, summary="A workflow by id or slug")
def get_workflow(request: HttpRequest, id: str) -> dict[str, Any]:
    return _detail(queries.get_workflow(_actor(request), id))


@router.patch("/{id}", response=WorkflowDetailOut, summary="Change details, sharing or status")
def patch_workflow(request: HttpRequest, id: str, body: WorkflowPatch) -> dict[str, Any]:
    actor = _actor(request)
    workflow = queries.get_workflow(actor, id)
    changes = body.model_dump(exclude_unset=True)
    workflow = services.workflow_update(
        actor=actor,
        workflow=workflow,
        title=changes.get("title"),
        summary=changes.get("summary"),
        tags=changes.get("tags"),
        visibility=changes.get("visibility"),
        team=_team(actor.organization, changes.get("team")),
        archived={"archived": True, "active": False}.get(changes.get("status") or ""),
    )
    return _detail(workflow)


@router.post("/{id}/endorse", response=WorkflowDetailOut, summary="Endorse a version (editors)")
def endorse_workflow(request: HttpRequest, id: str, version: int | None = None) -> dict[str, Any]:
    """Endorse the latest version, or ``?version=N``."""
    actor = _actor(request)
    workflow = queries.get_workflow(actor, id)
    chosen = queries.get_version(workflow, version) if version else None
    return _detail(services.workflow_endorse(actor=actor, workflow=workflow, version=chosen))


@router.get("/{id}/versions", response=WorkflowVersionPage, summary="Every version, newest first")
def list_versions(
    request: HttpRequest, id: str, cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    workflow = queries.get_workflow(_actor(request), id)
    labels = queries.labels_of(workflow)
    versions, next_cursor = cursor_page(
        queries.versions_of(workflow), cursor=cursor, limit=limit, keyset=("-number",)
    )
    return {
        "items": [version_data(v, labels.get(v.number)) for v in versions],
        "next_cursor": next_cursor,
    }


@router.post("/{id}/versions", response={201: WorkflowVersionOut}, summary="Save a new version")
def create_version(request: HttpRequest, id: str, body: ContentIn) -> Status:
    actor = _actor(request)
    workflow = queries.get_workflow(actor, id)
    version = services.workflow_save_version(
        actor=actor, workflow=workflow, content=_content(body), changelog=body.changelog
    )
    return Status(201, version_data(version, queries.labels_of(workflow).get(version.number)))


@router.get("/{id}/versions/{number}", response=WorkflowVersionOut, summary="One version")
def get_version(request: HttpRequest, id: str, number: int) -> dict[str, Any]:
    workflow = queries.get_workflow(_actor(request), id)
    version = queries.get_version(workflow, number)
    return version_data(version, queries.labels_of(workflow).get(version.number))


@router.post(
    "/{id}/render", response=WorkflowRenderOut, summary="Fill in the inputs; get the prompts"
)
def render_workflow(request: HttpRequest, id: str, body: RenderIn) -> dict[str, Any]:
    actor = _actor(request)
    workflow = queries.get_workflow(actor, id)
    if body.version is None:
        version = services.latest_version(workflow)
    else:
        version = queries.get_version(workflow, body.version)
    rendered = render_version(actor, version, body.inputs, step_outputs=body.step_outputs)
    return {
        "version": version.number,
        "system": rendered.system,
        "steps": [{"name": step.name, "text": step.text} for step in rendered.steps],
        "text": rendered.as_text(),
    }


@router.post("/{id}/fork", response={201: WorkflowDetailOut}, summary="Make your own copy")
def fork_workflow(request: HttpRequest, id: str) -> Status:
    actor = _actor(request)
    workflow = queries.get_workflow(actor, id)
    return Status(201, _detail(services.workflow_fork(actor=actor, workflow=workflow)))


@router.post("/{id}/star", response=WorkflowOut, summary="Star a workflow")
def star_workflow(request: HttpRequest, id: str) -> dict[str, Any]:
    actor = _actor(request)
    workflow = queries.get_workflow(actor, id)
    return workflow_data(services.workflow_star(actor=actor, workflow=workflow, starred=True))


@router.delete("/{id}/star", response=WorkflowOut, summary="Remove your star")
def unstar_workflow(request: HttpRequest, id: str) -> dict[str, Any]:
    actor = _actor(request)
    workflow = queries.get_workflow(actor, id)
    return workflow_data(services.workflow_star(actor=actor, workflow=workflow, starred=False))
