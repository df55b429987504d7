"""``/api/v1/usage/imports``: upload a usage report to import in the background, follow it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huddle.core.paging import cursor_page
from huddle.core.uploads import refuse_if_too_large
from huddle.usage import queries, services

router = Router(tags=["usage"])


class ImportOut(Schema):
    id: UUID
    source: str
    status: str
    file_name: str
    rows: int
    weeks: int
    report: dict[str, Any]
    error: str
    created_at: str
    finished_at: str | None


class ImportPage(Schema):
    items: list[ImportOut]
    next_cursor: str | None


@router.post("/imports", response={202: ImportOut}, summary="Upload a usage report to import")
def usage_import_create(
    request: HttpRequest,
    source: Form[str],
    file: File[UploadedFile],
    create_members: Form[bool] = False,
) -> Status:
    """Checks the header at once (422 naming missing columns), then queues the import; follow
    it with ``GET /usage/imports/{id}``. Admins and owners only."""
    refuse_if_too_large(request)
    record = services.upload_queue(
        actor=request.actor,  # type: ignore[attr-defined]
        source=source,
        upload=file,
        create_members=create_members,
    )
    return Status(202, queries.import_data(record))


@router.get("/imports", response=ImportPage, summary="The organisation's usage imports")
def usage_import_list(
    request: HttpRequest, cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    records, next_cursor = cursor_page(
        queries.imports_for(request.actor),  # type: ignore[attr-defined]
        cursor=cursor,
        limit=limit,
        keyset=("-created_at", "-id"),
    )
    return {"items": [queries.import_data(r) for r in records], "next_cursor": next_cursor}


@router.get("/imports/{import_id}", response=ImportOut, summary="A usage import's status")
def usage_import_detail(request: HttpRequest, import_id: UUID) -> dict[str, Any]:
    return queries.import_data(queries.get_import(request.actor, import_id))  # type: ignore[attr-defined]
