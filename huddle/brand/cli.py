"""``huddle brand check``: check a file (or stdin) against an organisation's brand rules.

Prints one line per finding — ``line N: [rule] message → suggestion (where the rule comes
from)`` — then the score. Exit
status 1 when a blocking finding (a banned term) exists, so it can gate a content pipeline; 0
otherwise; 2 for errors (unknown organisation, member, workflow or channel, unreadable file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from huddle.cli_support import Json, Org, console, fail, member_of, organization_by_slug

brand_app = typer.Typer(
    help="Brand check: texts against glossaries and guides.", no_args_is_help=True
)


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    if not path.is_file():
        fail(f"No such file: {file}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{file} is not UTF-8 text.")


@brand_app.command("check")
def check(
    file: Annotated[str, typer.Argument(help="A text or Markdown file, or - for stdin.")],
    org: Org,
    user: Annotated[
        str | None, typer.Option("--user", help="Check as this member (default: the first owner).")
    ] = None,
    workflow: Annotated[
        str | None,
        typer.Option(
            "--workflow",
            help="Workflow slug: adds its required elements and its negative constraints.",
        ),
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="x, linkedin, sms, email_subject …")
    ] = None,
    as_json: Json = False,
) -> None:
    """Check a text; exit 1 when it has a blocking finding (a banned term), else 0."""
    from huddle.accounts.policy import Actor
    from huddle.brand.services import brand_check

    actor = Actor(member_of(organization_by_slug(org), user, owner_by_default=True))
    result = brand_check(actor=actor, text=_read(file), workflow=workflow, channel=channel)
    report = result.report
    if as_json:
        typer.echo(json.dumps({**report.as_dict(), "sources": list(result.ruleset.sources)}))
    else:
        for finding in report.findings:
            where = f"line {finding.line}" if finding.line else "text"
            fix = f" → {finding.suggestion}" if finding.suggestion else ""
            origin = f" ({finding.source})" if finding.source else ""
            console.print(f"{where}: [{finding.rule}] {finding.message}{fix}{origin}")
        counts = report.counts()
        console.print(
            f"Score {report.score}/100 · {counts['blocking']} blocking, {counts['warning']} "
            f"warning(s), {counts['info']} hint(s).",
        )
    if report.blocking:
        raise typer.Exit(1)
