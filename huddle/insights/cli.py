"""``huddle insights``: the organisation's (or a team's) insights as a table or JSON."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from huddle.cli_support import Json, Org, console, fail, organization_by_slug


def insights(
    org: Org,
    team: Annotated[str, typer.Option("--team", help="Team slug (default: everyone).")] = "",
    as_of: Annotated[
        str, typer.Option("--as-of", help="Last day of the period, YYYY-MM-DD (default: today).")
    ] = "",
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks in the period (1-104).")] = 8,
    as_json: Json = False,
) -> None:
    """Power users, the divide, struggling members, sharing, phase and time saved.

    Runs as the server operator: individual figures are included unless the organisation
    chose aggregate-only insights.
    """
    from huddle.accounts import queries
    from huddle.core.memory import collector_paused
    from huddle.insights.metrics.data.scope import Scope
    from huddle.insights.metrics.report import build
    from huddle.insights.metrics.window import make_window

    organization = organization_by_slug(org)
    scope_team = None
    if team:
        scope_team = queries.team_by_slug(organization, team)
        if scope_team is None:
            fail(f"No team {team!r} in {organization.slug}.")
    window = make_window(as_of, weeks)
    with collector_paused():  # a batch job: no other request shares the process
        data = build(None, Scope(organization, scope_team), window).as_dict()
    if as_json:
        typer.echo(json.dumps(data))
        return
    from rich.table import Table

    table = Table(title=f"Insights: {organization.name} to {data['as_of']} ({weeks} weeks)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in (
        "members", "active_members", "power_user_count", "struggling_count", "gini",
        "top10_share", "time_saved_minutes", "shared_share", "gain_lost_minutes", "phase",
        "know_how_at_risk_count",
    ):  # fmt: skip
        table.add_row(key.replace("_", " "), str(data[key]))
    console.print(table)
    for person in data["power_users"]:
        console.print(f"Power user {person['email']} ({person['score']}): " + "; ".join(
            person["reasons"]), soft_wrap=True)  # fmt: skip


def rollup(org: Org = "") -> None:
    """Bring the insights roll-up up to date now (what the worker does every few minutes).

    One organisation, or every one without --org.

    Useful after loading a lot of history at once, or where no worker runs: the first insights
    view then reads a current roll-up instead of building it.
    """
    import sys

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from huddle.accounts import queries
    from huddle.insights import rollup as rollup_module

    organizations = [organization_by_slug(org)] if org else list(queries.all_organizations())
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
        transient=True,
    ) as progress:
        for organization in organizations:
            task = progress.add_task(f"Rolling up {organization.slug}", total=None)

            def on_week(done: int, total: int, task: int = task) -> None:
                progress.update(task, completed=done, total=total)

            rebuilt = rollup_module.catch_up(organization, on_week=on_week)
            progress.remove_task(task)
            console.print(
                f"{organization.slug}: {rebuilt} week(s) rolled up."
                if rebuilt
                else f"{organization.slug}: up to date.",
            )
