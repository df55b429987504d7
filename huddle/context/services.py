"""Every write about context assets (the packs' are in ``pack_services``).

Keyword-only, transactional, checking rights through ``accounts.policy`` and recording an
``Event``. ``actor=None`` is the server's operator (the CLI on the host); it must name an owner.
Everything is validated (files parsed, shapes checked) before the first write, so a refusal
leaves nothing half-saved.

An uploaded file is parsed outside any transaction (``upload_parse``; seconds for a large
workbook, and on SQLite a transaction holds the one write lock of every organisation); the
rows are then written in one short transaction. The page and the API parse in the worker's
job (``jobs``), the CLI in its own process; all of them write through ``asset_create`` and
``asset_update``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from huddle.accounts import policy
from huddle.accounts.models import Organization, Team, User, Visibility
from huddle.accounts.policy import Action, Actor
from huddle.context import kinds
from huddle.context.models import (
    ContextAsset,
    ContextVersion,
    Kind,
    Status,
    context_slug_validator,
)
from huddle.context.parsing.limits import Progress
from huddle.context.parsing.upload import ParsedUpload, parse_upload
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.services import System, event_record


@dataclass(frozen=True)
class Upload:
    """A file already read into memory (at most the upload cap)."""

    name: str
    content: bytes


def upload_parse(
    *, kind: str, upload: Upload, on_progress: Progress | None = None, inspected: bool = False
) -> ParsedUpload:
    """Parse ``upload`` for an asset of ``kind``: no database, no transaction (call it outside
    one). DOCX, XLSX and PDF are read in a child process with hard limits (``parsing.upload``).
    Raises ``ValidationFailed`` naming the problem and the limit."""
    return parse_upload(
        kind, upload.name, upload.content, on_progress=on_progress, inspected=inspected
    )


@dataclass(frozen=True)
class _Content:
    data: dict[str, Any]
    parts: dict[str, str]
    table_gz: bytes | None = None
    row_count: int = 0
    source_name: str = ""


def build_content(
    kind: str, title: str, data: dict[str, Any] | None, parsed: ParsedUpload | None
) -> _Content:
    """Validate what makes a version and render it; raises ``ValidationFailed``, writes nothing.

    Campaign data needs a CSV/XLSX upload; a glossary takes ``data`` or a ``term,kind,
    replacement`` CSV; brand, persona and other take Markdown/text/DOCX/PDF whose text becomes
    the brand voice, the persona notes or the text. ``parsed`` is the upload, parsed.
    """
    data = dict(data or {})
    if kind == Kind.CAMPAIGN_DATA:
        if parsed is None or parsed.table is None:
            raise ValidationFailed(
                "Campaign data needs a CSV or XLSX file.", fields={"file": ["Upload a table."]}
            )
        table = parsed.table
        table_data = {
            "columns": table.columns,
            "roles": table.roles,
            "preview": table.preview,
            "summary": table.summary,
            "notes": table.notes,
        }
        return _Content(
            table_data,
            kinds.render_parts(kind, title, table_data),
            table.table_gz,
            table.row_count,
            parsed.name,
        )
    if parsed is not None:
        if kind == Kind.GLOSSARY and parsed.terms is not None:
            data["terms"] = parsed.terms
        elif kind in {Kind.BRAND, Kind.OTHER, Kind.PERSONA} and parsed.text is not None:
            field = {Kind.BRAND: "voice", Kind.OTHER: "text", Kind.PERSONA: "notes"}[Kind(kind)]
            data[field] = parsed.text
        else:
            raise ValidationFailed(
                "A messaging hierarchy is edited on its page, not uploaded.",
                fields={"file": ["Not for this kind."]},
            )
    cleaned = kinds.clean(kind, data)
    return _Content(
        cleaned,
        kinds.render_parts(kind, title, cleaned),
        source_name=parsed.name if parsed else "",
    )


def _clean_slug(slug: str) -> str:
    slug = (slug or "").strip()
    try:
        context_slug_validator(slug)
    except ValidationError as error:
        raise ValidationFailed(
            f"{slug!r} is not a valid context slug. {error.messages[0]}",
            fields={"slug": error.messages},
        ) from None
    return slug


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("A context asset needs a title.", fields={"title": ["Required."]})
    if len(title) > 200:
        raise ValidationFailed("The title is too long.", fields={"title": ["200 characters max."]})
    return title


def _sharing(
    organization: Organization, visibility: str, team: Team | None
) -> tuple[str, Team | None]:
    return visibility, policy.sharing_team(organization, visibility, team)


def _approves(actor: Actor | None, draft: bool) -> bool:
    """Editors and up (and the operator) approve what they save unless they save a draft."""
    return not draft and (actor is None or actor.can(Action.CURATE_CONTENT))


def _new_version(
    asset: ContextAsset, content: _Content, author: User | None, changelog: str
) -> ContextVersion:
    # Lock the asset row so two saves at once get numbers 1..n without a gap or a clash.
    ContextAsset.objects.select_for_update().filter(pk=asset.pk).update(
        latest_number=F("latest_number") + 1
    )
    asset.refresh_from_db(fields=["latest_number"])
    return ContextVersion.objects.create(
        asset=asset,
        number=asset.latest_number,
        data=content.data,
        parts=content.parts,
        table_gz=content.table_gz,
        row_count=content.row_count,
        source_name=content.source_name[:255],
        changelog=changelog.strip()[:300],
        author=author,
    )


@dataclass(frozen=True)
class NewAsset:
    """What ``asset_create_check`` found valid: everything of a new asset but its content."""

    organization: Organization
    owner: User
    kind: str
    slug: str
    title: str
    visibility: str
    team: Team | None


def asset_create_check(
    *,
    actor: Actor | None,
    organization: Organization,
    kind: str,
    slug: str,
    title: str,
    visibility: str = Visibility.ORG,
    team: Team | None = None,
    owner: User | None = None,
) -> NewAsset:
    """Check everything of a new asset but its content (rights, kind, slug free, title,
    sharing): before a file is parsed, and by ``jobs`` before one is queued. Writes nothing."""
    if actor is not None:
        policy.require(actor, Action.CREATE_CONTENT)
        organization, owner = actor.organization, actor.user
    if owner is None:
        raise ValidationFailed("Say who owns this asset.", fields={"owner": ["Required."]})
    if kind not in Kind.values:
        raise ValidationFailed(
            f"{kind!r} is not a kind; use one of {', '.join(Kind.values)}.",
            fields={"kind": ["Unknown kind."]},
        )
    slug, title = _clean_slug(slug), _clean_title(title)
    visibility, team = _sharing(organization, visibility, team)
    _slug_free(organization, slug)
    return NewAsset(organization, owner, kind, slug, title, visibility, team)


def _slug_free(organization: Organization, slug: str) -> None:
    if ContextAsset.objects.filter(organization=organization, slug=slug).exists():
        raise ValidationFailed(
            f"There is already a context asset '{slug}'.",
            fields={"slug": ["Already used in this organisation."]},
        )


def asset_create(
    *,
    actor: Actor | None,
    organization: Organization,
    kind: str,
    slug: str,
    title: str,
    data: dict[str, Any] | None = None,
    upload: Upload | None = None,
    parsed: ParsedUpload | None = None,
    description: str = "",
    visibility: str = Visibility.ORG,
    team: Team | None = None,
    draft: bool = False,
    owner: User | None = None,
    changelog: str = "",
) -> ContextAsset:
    """Create an asset with its version 1.

    It starts ``approved`` when an editor or above (or the operator) creates it, unless
    ``draft``; a member's asset starts ``draft`` until an editor approves it. An ``upload`` is
    parsed first, outside any transaction (``parsed`` is one parsed already); the asset, its
    version and the event are then written in one short transaction.
    """
    new = asset_create_check(
        actor=actor,
        organization=organization,
        kind=kind,
        slug=slug,
        title=title,
        visibility=visibility,
        team=team,
        owner=owner,
    )
    if upload is not None and parsed is None:
        parsed = upload_parse(kind=new.kind, upload=upload)
    content = build_content(new.kind, new.title, data, parsed)
    return _asset_insert(
        new,
        content,
        approved=_approves(actor, draft),
        description=description,
        changelog=changelog,
        acting=actor or System(new.organization),
    )


@transaction.atomic
def _asset_insert(
    new: NewAsset,
    content: _Content,
    *,
    approved: bool,
    description: str,
    changelog: str,
    acting: Actor | System,
) -> ContextAsset:
    # Checked again: another upload may have taken the slug while this one was parsed (the
    # unique constraint would refuse it too, less kindly).
    _slug_free(new.organization, new.slug)
    asset = ContextAsset.objects.create(
        organization=new.organization,
        slug=new.slug,
        title=new.title,
        description=description.strip()[:300],
        kind=new.kind,
        owner=new.owner,
        team=new.team,
        visibility=new.visibility,
        status=Status.APPROVED if approved else Status.DRAFT,
    )
    version = _new_version(asset, content, new.owner, changelog or "First version.")
    if approved:
        asset.approved_version = version
        asset.save(update_fields=["approved_version"])
    event_record(
        acting, "context.created", asset, kind=new.kind, slug=new.slug, status=asset.status
    )
    return asset


def asset_update_check(*, actor: Actor | None, asset: ContextAsset) -> None:
    """Check that ``actor`` may save a new version of ``asset`` now (before a file is parsed,
    and by ``jobs`` before one is queued). Writes nothing."""
    if actor is not None:
        policy.require_edit(actor, asset)
    if asset.status == Status.ARCHIVED:
        raise ValidationFailed(f"{asset.title} is archived; restore it before changing it.")


def asset_update(
    *,
    actor: Actor | None,
    asset: ContextAsset,
    data: dict[str, Any] | None = None,
    upload: Upload | None = None,
    parsed: ParsedUpload | None = None,
    title: str | None = None,
    changelog: str = "",
    draft: bool = False,
) -> ContextVersion:
    """Save a new version (versions are never changed). An editor's new version is approved at
    once unless ``draft``; anyone else's waits for approval while the approved one stays in use.
    An ``upload`` is parsed first, outside any transaction; then one short transaction writes."""
    asset_update_check(actor=actor, asset=asset)
    title = _clean_title(title if title is not None else asset.title)
    if upload is not None and parsed is None:
        parsed = upload_parse(kind=asset.kind, upload=upload)
    content = build_content(asset.kind, title, data, parsed)
    return _version_insert(actor, asset, content, title, changelog, draft)


@transaction.atomic
def _version_insert(
    actor: Actor | None,
    asset: ContextAsset,
    content: _Content,
    title: str,
    changelog: str,
    draft: bool,
) -> ContextVersion:
    author = actor.user if actor is not None else None
    version = _new_version(asset, content, author, changelog)
    # The row is locked now (``_new_version``): it may have been archived during the parse.
    asset.refresh_from_db(fields=["status"])
    if asset.status == Status.ARCHIVED:
        raise ValidationFailed(f"{asset.title} is archived; restore it before changing it.")
    fields = ["updated_at"]
    if title != asset.title:
        asset.title = title
        fields.append("title")
    if _approves(actor, draft):
        asset.approved_version = version
        asset.status = Status.APPROVED
        fields += ["approved_version", "status"]
    asset.save(update_fields=fields)
    event_record(
        actor or System(asset.organization),
        "context.version_created",
        asset,
        version=version.number,
        approved=asset.approved_version_id == version.pk,
    )
    return version


@transaction.atomic
def asset_approve(
    *, actor: Actor | None, asset: ContextAsset, number: int | None = None
) -> ContextVersion:
    """Point the asset at version ``number`` (default: the latest): what templates now get."""
    if actor is not None:
        if not policy.can_see(actor, asset):
            raise NotFound()
        policy.require(actor, Action.CURATE_CONTENT)
    if asset.status == Status.ARCHIVED:
        raise ValidationFailed(f"{asset.title} is archived; restore it first.")
    number = number or asset.latest_number
    version = ContextVersion.objects.filter(asset=asset, number=number).first()
    if version is None:
        raise ValidationFailed(f"{asset.title} has no version {number}.")
    asset.approved_version = version
    asset.status = Status.APPROVED
    asset.save(update_fields=["approved_version", "status", "updated_at"])
    event_record(actor or System(asset.organization), "context.approved", asset, version=number)
    return version


@transaction.atomic
def asset_set_sharing(
    *, actor: Actor, asset: ContextAsset, visibility: str, team: Team | None
) -> ContextAsset:
    policy.require_edit(actor, asset)
    asset.visibility, asset.team = _sharing(asset.organization, visibility, team)
    asset.save(update_fields=["visibility", "team", "updated_at"])
    event_record(actor, "context.shared", asset, visibility=visibility)
    return asset


@transaction.atomic
def asset_archive(*, actor: Actor | None, asset: ContextAsset) -> ContextAsset:
    """Archive: references to it stop resolving (an error naming the slug)."""
    return _set_status(actor, asset, Status.ARCHIVED, "context.archived")


@transaction.atomic
def asset_restore(*, actor: Actor | None, asset: ContextAsset) -> ContextAsset:
    """Undo an archive: approved again if it ever was, else a draft."""
    status = Status.APPROVED if asset.approved_version_id else Status.DRAFT
    return _set_status(actor, asset, status, "context.restored")


def _set_status(actor: Actor | None, asset: ContextAsset, status: str, kind: str) -> ContextAsset:
    if actor is not None:
        policy.require_edit(actor, asset)
    asset.status = status
    asset.save(update_fields=["status", "updated_at"])
    event_record(actor or System(asset.organization), kind, asset)
    return asset


def upload_from(file: Any) -> Upload:
    """Read an uploaded file (Django ``UploadedFile`` or any binary file with a name) within the
    size cap into an ``Upload``."""
    from huddle.context.parsing import read_upload

    name = PurePath(getattr(file, "name", "") or "upload").name
    return Upload(name=name, content=read_upload(file, name))
