"""``huddle digest`` and ``huddle wins``: the weekly ritual from the host (the operator).

``huddle digest --org acme [--week 2026-W07] [--format md|html|json] [--send]`` prints the
week's digest (drafting it first if there is none) and, with ``--send``, sends it now through
every configured channel (nothing already delivered goes out again). ``huddle digest tick``
drafts and sends whatever the schedules say is due: run it from cron every few minutes when no
``huddle worker`` is running (the worker ticks by itself).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from huddle.cli_support import Json, Org, console, err_console, fail, organization_by_slug

digest_app = typer.Typer(
    help="The weekly digest: print, send, or run the schedule (tick).",
    invoke_without_command=True,
)
wins_app = typer.Typer(help="Wins of the week.", no_args_is_help=True)

Week = Annotated[str, typer.Option("--week", help="ISO week, e.g. 2026-W07 (default: this one).")]
FORMATS = ("md", "html", "json")


def _week(organization: Any, week: str) -> str:
    from huddle.rituals import services, weeks

    return weeks.parse_week(week) if week else services.week_now(organization)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


@digest_app.callback()
def digest(
    ctx: typer.Context,
    org: Org = "",
    week: Week = "",
    fmt: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    send: Annotated[bool, typer.Option("--send", help="Send it now.")] = False,
) -> None:
    """Print a week's digest (drafting it if needed); --send sends it."""
    if ctx.invoked_subcommand is not None:
        return
    from huddle.rituals import delivery
    from huddle.rituals.digest import digest_draft

    if not org:
        fail("Give the organisation: huddle digest --org SLUG.")
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}.")
    organization = organization_by_slug(org)
    found = digest_draft(organization, _week(organization, week))
    deliveries = delivery.digest_send(actor=None, digest=found, inline=True) if send else []
    if fmt == "md":
        typer.echo(found.markdown)
    elif fmt == "html":
        typer.echo(delivery.html_of(found))
    else:
        typer.echo(
            _dump(
                {
                    "week": found.iso_week,
                    "status": found.status,
                    "content": found.content,
                    "markdown": found.markdown,
                    "deliveries": delivery.delivery_summary(found),
                }
            )
        )
    failed = [d for d in deliveries if d.status == "failed"]
    if send and fmt != "json":
        sent = len(deliveries) - len(failed)
        err_console.print(f"Sent {sent} of {len(deliveries)} deliveries.")
    for item in failed:
        typer.echo(f"Failed: {item.channel} {item.target}: {item.last_error}", err=True)
    if failed:
        raise typer.Exit(1)


@digest_app.command("tick")
def tick() -> None:
    """Draft and send what the schedules say is due (once per missed week at most)."""
    from huddle.rituals.schedule import schedule_tick

    results = schedule_tick()
    for result in results:
        done = [
            f"drafted {result.drafted}" if result.drafted else "",
            f"sent {result.sent}" if result.sent else "",
            f"closed {', '.join(result.closed)}" if result.closed else "",
        ]
        console.print(f"{result.organization}: {'; '.join(d for d in done if d)}")
    if not results:
        console.print("Nothing due.")


@wins_app.command("list")
def wins_list(
    org: Org,
    week: Week = "",
    as_json: Json = False,
) -> None:
    """The candidates of a week with their votes; the winner first."""
    from huddle.rituals import services
    from huddle.rituals.digest import week_wins, win_data
    from huddle.rituals.models import Win

    organization = organization_by_slug(org)
    week = _week(organization, week)
    if week == services.week_now(organization):
        services.wins_suggest(organization, week)
    wins = [
        win_data(w) for w in week_wins(organization, week).order_by("-chosen", *Win._meta.ordering)
    ]
    if as_json:
        typer.echo(_dump({"week": week, "items": wins}))
        return
    from rich.table import Table

    table = Table(title=f"Wins of {week}")
    for column in ("", "title", "by", "votes", "why"):
        table.add_column(column)
    for win in wins:
        why = win["story"] or win["reason"]
        table.add_row("🏆" if win["chosen"] else "", win["title"], win["by"] or "",
                      str(win["votes"]), why)  # fmt: skip
    console.print(table)
