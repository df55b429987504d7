"""``huddle import chatgpt|claude PATH`` and ``huddle mine``: chat exports and their patterns."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from huddle.cli_support import (
    Json,
    Org,
    console,
    explained,
    fail,
    member_actor,
    organization_by_slug,
    to_json,
)

import_app = typer.Typer(
    help="Import a ChatGPT or Claude data export (zip or conversations JSON).",
    no_args_is_help=True,
)

User = Annotated[str, typer.Option("--user", help="Email of the member importing.")]
ExportPath = Annotated[
    Path, typer.Argument(help="The export .zip, or a conversations.json / conversations-NNN.json.")
]


def _import(source: str, path: Path, org: str, user: str, as_json: bool) -> None:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from huddle.capture.importers.writer import import_export

    actor = member_actor(organization_by_slug(org), user)
    if not path.is_file():
        fail(f"No such file: {path}")
    show_progress = sys.stderr.isatty() and not as_json
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not show_progress,
        transient=True,
    ) as progress:
        task = progress.add_task(f"Importing the {source} export", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = import_export(actor=actor, source=source, path=str(path), on_progress=on_progress)
    data = report.as_dict()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    console.print(
        f"Imported {data['conversations']} conversation(s) with {data['prompts']} new "
        f"prompt(s); {data['duplicates']} already there; {len(data['skipped'])} skipped; "
        f"{data['instructions']} custom instruction(s), {data['projects']} project(s), "
        f"{data['context_assets']} context asset(s). Only you can see them.",
        soft_wrap=True,
    )
    for item in data["skipped"][:20]:
        console.print(f"  skipped {item['title'] or item['id']}: {item['reason']}")


@import_app.command("chatgpt")
def import_chatgpt(path: ExportPath, org: Org, user: User, as_json: Json = False) -> None:
    """Import a ChatGPT "Export data" zip (or its conversations JSON) for a member."""
    _import("chatgpt", path, org, user, as_json)


@import_app.command("claude")
def import_claude(path: ExportPath, org: Org, user: User, as_json: Json = False) -> None:
    """Import a Claude data export zip (conversations and projects) for a member."""
    _import("claude", path, org, user, as_json)


def pattern_data(pattern: Any) -> dict[str, Any]:
    return {
        "id": str(pattern.public_id),
        "size": pattern.size,
        "template": pattern.template,
        "variables": pattern.variables,
        "examples": pattern.examples,
        "last_used": pattern.last_used.isoformat() if pattern.last_used else None,
        "negative_constraints": pattern.negative_constraints,
    }


mine_app = typer.Typer(
    help="Find the prompts members keep retyping in their imported chats (patterns).",
    invoke_without_command=True,
)


@mine_app.callback()
def mine(
    ctx: typer.Context,
    org: Org = "",
    user: Annotated[
        str | None, typer.Option("--user", help="One member (default: every importer).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Mine imported prompts for patterns and list them, largest first."""
    if ctx.invoked_subcommand is not None:
        return
    from huddle.capture import queries
    from huddle.capture.importers.patterns import patterns_mine

    if not org:
        fail("Give --org SLUG.")
    organization = organization_by_slug(org)
    actors = [member_actor(organization, user)] if user else queries.prompt_authors(organization)
    patterns = [p for actor in actors for p in patterns_mine(actor=actor)]
    patterns.sort(key=lambda p: (-p.size, -(p.last_used.timestamp() if p.last_used else 0)))
    if as_json:
        typer.echo(json.dumps([pattern_data(p) for p in patterns], ensure_ascii=False))
        return
    if not patterns:
        console.print("No patterns yet: import a chat export, or keep chatting.")
    for pattern in patterns:
        console.print(
            Text.assemble((f"{pattern.size} prompts", "bold"), f" {pattern.public_id}"),
            soft_wrap=True,
        )
        console.print(pattern.template, soft_wrap=True)


@mine_app.command("promote")
def mine_promote(
    pattern_id: Annotated[str, typer.Argument(help="The pattern's id.")],
    org: Org,
    user: User,
    title: Annotated[str, typer.Option("--title", help="The workflow's title.")] = "",
    as_json: Json = False,
) -> None:
    """Turn one of the member's patterns into a private draft workflow owned by them."""
    from huddle.capture.importers.patterns import get_pattern, pattern_promote

    actor = member_actor(organization_by_slug(org), user)
    with explained():
        workflow = pattern_promote(actor=actor, pattern=get_pattern(actor, pattern_id), title=title)
    if as_json:
        typer.echo(
            to_json({"id": workflow.public_id, "slug": workflow.slug, "kind": workflow.kind})
        )
        return
    console.print(Text.assemble("Promoted to the draft workflow ", (workflow.slug, "bold"), "."))
