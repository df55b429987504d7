"""``huddle runs import``: load runs recorded elsewhere (JSON lines)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from huddle.cli_support import Json, Org, console, err_console, fail, organization_by_slug

runs_app = typer.Typer(
    help="Runs: uses of workflows and the time they saved.", no_args_is_help=True
)


@runs_app.command("import")
def import_runs(
    file: Annotated[Path, typer.Argument(help="A .jsonl file: one run per line.")],
    org: Org,
    create_members: Annotated[
        bool,
        typer.Option(
            "--create-members",
            help="Add unknown people as members, without a password and without an e-mail "
            "(they can choose a password with 'Forgot your password?').",
        ),
    ] = False,
    invite: Annotated[
        bool,
        typer.Option(
            "--invite",
            help="With --create-members: e-mail each new member an invitation with a link to "
            "choose their password.",
        ),
    ] = False,
    as_json: Json = False,
) -> None:
    """Import runs; bad lines are reported with their number, good lines go in, repeats are
    skipped (a line is identified by user + started_at + workflow)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from huddle.runs.importing import lines_of, runs_import

    organization = organization_by_slug(org)
    if invite and not create_members:
        fail("--invite only applies with --create-members.")
    if not file.is_file():
        fail(f"No such file: {file}")
    size = file.stat().st_size
    show_progress = sys.stderr.isatty() and not as_json
    with (
        file.open("rb") as handle,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=not show_progress,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("Importing runs", total=size)
        report = runs_import(
            organization=organization,
            lines=lines_of(handle),
            create_members=create_members,
            invite=invite,
            on_line=lambda n: progress.advance(task, n),
        )
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    else:
        added = ""
        if report.members_created:
            mailed = "and invited" if invite else "(not e-mailed: --invite does that)"
            added = f" {report.members_created} member(s) added {mailed}."
        console.print(
            f"Imported {report.imported} run(s); {report.duplicates} already there; "
            f"{len(report.errors)} line(s) with errors.{added}",
            soft_wrap=True,
        )
        for error in report.errors[:50]:
            console.print(f"  line {error['line']}: {error['reason']}")
        if len(report.errors) > 50:
            console.print(f"  … and {len(report.errors) - 50} more (use --json for all).")
    if report.errors and not report.imported and not report.duplicates:
        raise typer.Exit(1)
