"""``huddle usage import FILE --org SLUG --source chatgpt|claude|copilot|generic``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from huddle.cli_support import Json, Org, console, explained, fail, organization_by_slug

usage_app = typer.Typer(
    help="Import the per-person usage reports of ChatGPT, Claude and Microsoft 365 Copilot.",
    no_args_is_help=True,
)


@usage_app.command("import")
def usage_import_command(
    path: Annotated[Path, typer.Argument(help="The report, a CSV file (UTF-8).")],
    org: Org,
    source: Annotated[
        str, typer.Option("--source", help="chatgpt, claude, copilot or generic (docs/usage.md).")
    ],
    create_members: Annotated[
        bool,
        typer.Option("--create-members", help="Add people the report names who aren't members."),
    ] = False,
    as_json: Json = False,
) -> None:
    """Import a usage report: weekly activity per person, matched by e-mail.

    Importing the same report again changes nothing; a refused report writes nothing."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    from huddle.usage.queries import import_data
    from huddle.usage.services import usage_import

    organization = organization_by_slug(org)
    if not path.is_file():
        fail(f"No such file: {path}")
    show = sys.stderr.isatty() and not as_json
    with (
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not show,
            transient=True,
        ) as progress,
        path.open("rb") as stream,
        explained(),
    ):
        reading = progress.add_task("Reading the report", total=path.stat().st_size)
        writing = progress.add_task("Writing weeks", total=None, visible=False)

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage == "read":
                progress.update(reading, completed=done)
            else:
                progress.update(writing, completed=done, total=total, visible=True)

        record = usage_import(
            actor=None,
            organization=organization,
            source=source,
            stream=stream,
            file_name=path.name,
            total_bytes=path.stat().st_size,
            create_members=create_members,
            on_progress=on_progress,
        )
    data = import_data(record)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    report = data["report"]
    console.print(
        f"Imported {report['rows']:,} row(s) into {report['weeks']:,} person-week(s): "
        f"{report['matched']} of {report['people']} people matched"
        + (f", {report['created']} added as members" if report["created"] else "")
        + ".",
        soft_wrap=True,
    )
    if report["unknown_count"]:
        console.print(
            f"{report['unknown_count']} people are not members (add them with --create-members):",
            soft_wrap=True,
        )
        for email in report["unknown"][:20]:
            console.print(f"  {email}")
