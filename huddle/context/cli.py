"""``huddle context``: add assets from files, list them, export packs — as the operator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from huddle.cli_support import Json, Org, console, fail, member_of, organization_by_slug

if TYPE_CHECKING:
    from huddle.context.parsing.upload import ParsedUpload
    from huddle.context.services import Upload

context_app = typer.Typer(help="Context assets and packs.", no_args_is_help=True)


@context_app.command("add")
def add(
    org: Org,
    kind: Annotated[
        str,
        typer.Option("--kind", help="brand, persona, campaign_data, messaging, glossary or other."),
    ],
    slug: Annotated[str, typer.Option("--slug", help="Reference: {{ context.<slug> }}.")],
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            help="CSV/XLSX (campaign data, glossary), Markdown/text/DOCX/PDF, or JSON/YAML "
            "with the kind's fields.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    title: Annotated[str | None, typer.Option("--title", help="Defaults to the slug.")] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Owner's email (default: the first owner).")
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Save without approving.")] = False,
) -> None:
    """Add a context asset from a file (approved unless --draft).

    The file is read in this process (DOCX, XLSX and PDF in a child process with the server's
    limits), outside any database transaction, with a progress bar; then the asset is saved."""
    from huddle.context import queries, services
    from huddle.core.uploads import max_upload_bytes, too_large

    organization = organization_by_slug(org)
    owner = member_of(organization, user, owner_by_default=True).user
    size = file.stat().st_size
    if size > max_upload_bytes():
        raise too_large(size, file.name)
    title = title or slug.replace("_", " ").capitalize()
    fields = {"organization": organization, "owner": owner, "kind": kind, "slug": slug}
    data, parsed = None, None
    if file.suffix.lower() in {".json", ".yaml", ".yml"}:
        data = _structured(file)
    else:
        # Refuse a taken slug or an unknown kind before reading the file.
        services.asset_create_check(actor=None, title=title, **fields)
        parsed = _parse(services.Upload(file.name, file.read_bytes()), kind)
    asset = services.asset_create(
        actor=None, title=title, data=data, parsed=parsed, draft=draft, **fields
    )
    version = queries.get_version(asset)  # its only one
    rows = f", {version.row_count:,} rows" if version.row_count else ""
    console.print(
        Text.assemble(
            "Added ",
            (asset.slug, "bold"),
            f" ({asset.get_kind_display()}{rows}, {asset.status}). "
            f"Use it as {{{{ context.{asset.slug} }}}}.",
        ),
        soft_wrap=True,
    )


def _parse(upload: Upload, kind: str) -> ParsedUpload:
    """The file parsed with a progress bar on a terminal."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from huddle.context import services

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
        disable=not sys.stderr.isatty(),
        transient=True,
    ) as progress:
        task = progress.add_task(f"Reading {upload.name}", total=None, note="checking")

        def on_progress(fraction: float | None, note: str) -> None:
            done = None if fraction is None else round(100 * fraction)
            progress.update(task, total=None if done is None else 100, completed=done, note=note)

        return services.upload_parse(kind=kind, upload=upload, on_progress=on_progress)


def _structured(file: Path) -> dict:
    import yaml

    text = file.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        fail(f"{file.name} is not valid {file.suffix[1:].upper()}: {error}")
    if not isinstance(data, dict):
        fail(f"{file.name} must hold an object with the kind's fields.")
    return data


@context_app.command("list")
def list_assets(
    org: Org,
    as_json: Json = False,
    kind: Annotated[str, typer.Option("--kind", help="Only this kind.")] = "",
) -> None:
    """List an organisation's context assets (all of them: this is the operator's view)."""
    from huddle.context import queries
    from huddle.context.models import Kind

    assets = queries.organization_assets(organization_by_slug(org))
    if kind:
        if kind not in Kind.values:
            fail(f"Unknown kind {kind!r}; use one of {', '.join(Kind.values)}.")
        assets = assets.filter(kind=kind)
    rows = [
        {
            "slug": a.slug,
            "title": a.title,
            "kind": a.kind,
            "status": a.status,
            "visibility": a.visibility,
            "version": a.latest_number,
            "approved_version": a.approved_version.number if a.approved_version else None,
            "owner": a.owner.email,
            "id": str(a.public_id),
        }
        for a in assets.order_by("slug")
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print("No context assets yet. Add one with: huddle context add …")
        return
    from rich.table import Table

    table = Table()
    for column in ("slug", "title", "kind", "status", "version", "owner"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(str(row[c]) for c in ("slug", "title", "kind", "status", "version", "owner"))
        )
    console.print(table)


@context_app.command("pack")
def pack(
    name: Annotated[str, typer.Argument(help="The pack's name.")],
    org: Org,
    out: Annotated[Path, typer.Option("--out", help="File to write: .md or .zip.")],
    target: Annotated[
        str, typer.Option("--target", help="chatgpt, custom_gpt or claude_project.")
    ] = "custom_gpt",
    user: Annotated[
        str | None, typer.Option("--user", help="Export as this member (default: pack owner).")
    ] = None,
) -> None:
    """Export a context pack as paste-ready Markdown or a .zip of instructions + knowledge."""
    from huddle.accounts.policy import Actor
    from huddle.context import packs, queries

    organization = organization_by_slug(org)
    found = queries.organization_pack_by_name(organization, name)
    if found is None:
        fail(f"No context pack called {name!r} in {organization.slug}.")
    email = user or found.owner.email
    actor = Actor(member_of(organization, email, owner_by_default=True))
    chosen = queries.get_pack(actor, found.public_id)
    if out.suffix.lower() == ".zip":
        out.write_bytes(packs.pack_zip(actor, chosen, target))
        console.print(f"Wrote {out} for {packs.get_target(target).label}.")
        return
    export = packs.pack_export(actor, chosen, target)
    out.write_text(export.text, encoding="utf-8")
    limit = f" of {export.target.limit:,}" if export.target.limit else ""
    console.print(f"Wrote {out}: {export.chars:,} characters{limit} ({export.target.label}).")
    for line in export.advice:
        console.print(line, style="yellow", soft_wrap=True)
