"""``/api/v1/context``: context assets, their versions, uploads and renderings.

Everything acts as the token's member with their rights: a list shows only what they may see,
and another organisation's asset (or one they can't see) is a 404.

A file is read by the worker: ``POST /upload`` and ``POST /{id}/versions/upload`` answer 202
with an upload job, followed with ``GET /uploads/{job_id}`` until it is ``done`` (with the asset
and the version number) or ``failed`` (with the error). A file refused by the quick checks made
on receipt (a zip bomb, a damaged archive, a DTD in an Office file, a CSV of a million columns)
is a 413 or 422 at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huddle.accounts import policy
from huddle.accounts.policy import Actor
from huddle.context import jobs, queries, services, tokens
from huddle.context.models import ContextAsset, ContextVersion, UploadJob
from huddle.core.errors import ValidationFailed
from huddle.core.jsontypes import Body, Flag, Integer
from huddle.core.paging import cursor_page
from huddle.core.uploads import refuse_if_too_large

router = Router(tags=["context"])


class AssetOut(Schema):
    id: UUID
    slug: str
    title: str
    description: str
    kind: str
    status: str
    visibility: str
    owner: str
    latest_version: int
    approved_version: int | None
    reference: str
    updated_at: datetime


class AssetPage(Schema):
    items: list[AssetOut]
    next_cursor: str | None


class AssetVersionOut(Schema):
    number: int
    created_at: datetime
    author: str | None
    changelog: str
    source_name: str
    row_count: int
    approved: bool


class AssetVersionPage(Schema):
    items: list[AssetVersionOut]
    next_cursor: str | None


class VersionDetail(AssetVersionOut):
    data: dict[str, Any]
    parts: dict[str, str]


class AssetIn(Body):
    kind: str
    slug: str
    title: str
    description: str = ""
    visibility: str = "org"
    draft: Flag = False
    data: dict[str, Any] = Field(default_factory=dict)


class VersionIn(Body):
    data: dict[str, Any]
    title: str | None = None
    changelog: str = ""
    draft: Flag = False


class ApproveIn(Body):
    version: Integer | None = None


class UploadJobOut(Schema):
    id: UUID
    status: str = Field(description="queued, running, done or failed")
    action: str = Field(description="create (a new asset) or version (a new version)")
    kind: str
    file_name: str
    file_size: int
    percent: int
    stage: str = Field(description="What the worker is doing, in a few words")
    error: str = Field(description="Why it failed (empty unless failed)")
    asset: AssetOut | None = Field(
        description="The asset made (create) or changed (version) once done; the asset a "
        "version is for before that"
    )
    version: int | None = Field(description="The version number saved, once done")
    created_at: datetime
    finished_at: datetime | None


class AssetRenderOut(Schema):
    slug: str
    version: int
    part: str
    text: str
    tokens: int
    encoding: str
    parts: list[str]


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined, no-any-return]


def _asset_out(asset: ContextAsset) -> dict[str, Any]:
    approved = asset.approved_version
    return {
        "id": asset.public_id,
        "slug": asset.slug,
        "title": asset.title,
        "description": asset.description,
        "kind": asset.kind,
        "status": asset.status,
        "visibility": asset.visibility,
        "owner": asset.owner.email,
        "latest_version": asset.latest_number,
        "approved_version": approved.number if approved else None,
        "reference": "{{ context.%s }}" % asset.slug,  # noqa: UP031 - braces are literal
        "updated_at": asset.updated_at,
    }


def _version_out(asset: ContextAsset, version: ContextVersion, detail: bool = False) -> dict:
    out = {
        "number": version.number,
        "created_at": version.created_at,
        "author": version.author.email if version.author else None,
        "changelog": version.changelog,
        "source_name": version.source_name,
        "row_count": version.row_count,
        "approved": asset.approved_version_id == version.pk,
    }
    if detail:
        out |= {"data": version.data, "parts": version.parts}
    return out


def _job_out(actor: Actor, job: UploadJob) -> dict[str, Any]:
    asset = job.asset
    return {
        "id": job.public_id,
        "status": job.status,
        "action": job.action,
        "kind": job.kind,
        "file_name": job.file_name,
        "file_size": job.file_size,
        "percent": job.percent,
        "stage": job.stage,
        "error": job.error,
        # Shown only while the uploader may still see it (sharing can change meanwhile).
        "asset": _asset_out(asset) if asset and policy.can_see(actor, asset) else None,
        "version": job.version_number,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.get("", response=AssetPage, summary="Context assets you can see")
def asset_list(
    request: HttpRequest,
    kind: str = "",
    status: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    assets = queries.assets(_actor(request), kind=kind, status=status, search=q)
    items, next_cursor = cursor_page(assets, cursor=cursor, limit=limit, keyset=("title", "id"))
    return {"items": [_asset_out(a) for a in items], "next_cursor": next_cursor}


@router.post("", response={201: AssetOut}, summary="Create an asset from structured data")
def asset_create(request: HttpRequest, payload: AssetIn) -> Status:
    actor = _actor(request)
    asset = services.asset_create(
        actor=actor,
        organization=actor.organization,
        kind=payload.kind,
        slug=payload.slug,
        title=payload.title,
        description=payload.description,
        visibility=payload.visibility,
        draft=payload.draft,
        data=payload.data,
    )
    return Status(201, _asset_out(asset))


@router.post(
    "/upload",
    response={202: UploadJobOut},
    summary="Create an asset from a file (read in the background)",
)
def asset_upload(
    request: HttpRequest,
    kind: Form[str],
    slug: Form[str],
    title: Form[str],
    file: File[UploadedFile],
    visibility: Form[str] = "org",
    draft: Form[bool] = False,
) -> Status:
    """Queues the reading of the file and answers 202 with the upload job; follow it with
    ``GET /context/uploads/{job_id}``. Rights, slug and title are checked now, and the file's
    quick checks made (413 past the size cap, 422 for a file refused at once)."""
    refuse_if_too_large(request)
    actor = _actor(request)
    job = jobs.upload_job_for_asset(
        actor=actor, file=file, kind=kind, slug=slug, title=title, visibility=visibility,
        draft=draft,
    )  # fmt: skip
    return Status(202, _job_out(actor, job))


@router.get(
    "/uploads/{job_id}",
    response=UploadJobOut,
    summary="An upload job: its progress, then the asset or the error",
)
def upload_detail(request: HttpRequest, job_id: UUID) -> dict[str, Any]:
    """Your own upload jobs only. A job whose worker stopped is reported ``failed``."""
    actor = _actor(request)
    return _job_out(actor, jobs.get_job(actor, job_id))


@router.get("/{asset_id}", response=AssetOut, summary="One asset")
def asset_detail(request: HttpRequest, asset_id: UUID) -> dict[str, Any]:
    return _asset_out(queries.get_asset(_actor(request), asset_id))


@router.delete("/{asset_id}", response=AssetOut, summary="Archive an asset (it stops resolving)")
def asset_archive(request: HttpRequest, asset_id: UUID) -> dict[str, Any]:
    actor = _actor(request)
    asset = services.asset_archive(actor=actor, asset=queries.get_asset(actor, asset_id))
    return _asset_out(asset)


@router.get("/{asset_id}/versions", response=AssetVersionPage, summary="Versions, newest first")
def version_list(
    request: HttpRequest, asset_id: UUID, cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    asset = queries.get_asset(_actor(request), asset_id)
    items, next_cursor = cursor_page(
        queries.versions(asset), cursor=cursor, limit=limit, keyset=("-number",)
    )
    return {"items": [_version_out(asset, v) for v in items], "next_cursor": next_cursor}


@router.post("/{asset_id}/versions", response={201: VersionDetail}, summary="Save a new version")
def version_create(request: HttpRequest, asset_id: UUID, payload: VersionIn) -> Status:
    actor = _actor(request)
    asset = queries.get_asset(actor, asset_id)
    version = services.asset_update(
        actor=actor,
        asset=asset,
        data=payload.data,
        title=payload.title,
        changelog=payload.changelog,
        draft=payload.draft,
    )
    return Status(201, _version_out(asset, version, detail=True))


@router.post(
    "/{asset_id}/versions/upload",
    response={202: UploadJobOut},
    summary="Save a new version from a file (read in the background)",
)
def version_upload(
    request: HttpRequest,
    asset_id: UUID,
    file: File[UploadedFile],
    changelog: Form[str] = "",
    draft: Form[bool] = False,
) -> Status:
    """Queues the reading of the file and answers 202 with the upload job; follow it with
    ``GET /context/uploads/{job_id}``."""
    refuse_if_too_large(request)
    actor = _actor(request)
    asset = queries.get_asset(actor, asset_id)
    job = jobs.upload_job_for_version(
        actor=actor, asset=asset, file=file, changelog=changelog, draft=draft
    )
    return Status(202, _job_out(actor, job))


@router.get("/{asset_id}/versions/{number}", response=VersionDetail, summary="One version")
def version_detail(request: HttpRequest, asset_id: UUID, number: int) -> dict[str, Any]:
    asset = queries.get_asset(_actor(request), asset_id)
    return _version_out(asset, queries.get_version(asset, number), detail=True)


@router.post("/{asset_id}/approve", response=AssetVersionOut, summary="Approve a version (editors)")
def approve(request: HttpRequest, asset_id: UUID, payload: ApproveIn) -> dict[str, Any]:
    actor = _actor(request)
    asset = queries.get_asset(actor, asset_id)
    version = services.asset_approve(actor=actor, asset=asset, number=payload.version)
    return _version_out(asset, version)


@router.get("/{asset_id}/render", response=AssetRenderOut, summary="What a prompt receives")
def render(
    request: HttpRequest,
    asset_id: UUID,
    part: str = "text",
    version: int | None = None,
    encoding: str = "o200k_base",
) -> dict[str, Any]:
    """The rendering a template gets from ``{{ context.<slug> }}`` (``part=text``) or
    ``{{ context.<slug>.<part> }}``, with its size in tokens."""
    asset = queries.get_asset(_actor(request), asset_id)
    chosen = queries.get_version(asset, version)
    if part not in chosen.parts:
        raise ValidationFailed(
            f"{asset.slug} has no part {part!r}; it has {', '.join(sorted(chosen.parts))}.",
            fields={"part": ["Unknown part."]},
        )
    if encoding not in tokens.ENCODINGS:
        raise ValidationFailed(
            f"Unknown encoding {encoding!r}.", fields={"encoding": list(tokens.ENCODINGS)}
        )
    text = chosen.parts[part]
    return {
        "slug": asset.slug,
        "version": chosen.number,
        "part": part,
        "text": text,
        "tokens": tokens.count_tokens(text, encoding),
        "encoding": encoding,
        "parts": sorted(chosen.parts),
    }
