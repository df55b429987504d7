"""``huddle workflows``: add, list, render, export and import the library from the host.

Commands that act for someone take ``--owner``/``--user`` (an email) and run as that member, with
their rights; ``list`` and ``export`` without ``--user`` are the operator's view of everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from huddle.cli_support import (
    Json,
    Org,
    console,
    err_console,
    explained,
    fail,
    member_actor,
    organization_by_slug,
    to_json,
)

workflows_app = typer.Typer(
    help="The shared library: add, list, render, export and import workflows.",
    no_args_is_help=True,
)

PROGRESS_FROM = 10  # workflows; below this an import is too quick for a progress bar


def _pairs(values: list[str], option: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            fail(f"{option} {value!r} is not NAME=VALUE, e.g. {option} product=Huddle.")
        result[name.strip()] = text
    return result


@workflows_app.command("add")
def add(
    org: Org,
    owner: Annotated[str, typer.Option("--owner", help="Email of the member who owns it.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="A workflow YAML file (the export's shape).")
    ] = None,
    slug: Annotated[str, typer.Option("--slug", help="Short name, e.g. launch-post.")] = "",
    title: Annotated[str, typer.Option("--title")] = "",
    kind: Annotated[str, typer.Option("--kind", help="prompt, chain or instructions.")] = "",
    visibility: Annotated[str, typer.Option("--visibility", help="private, team or org.")] = (
        "private"
    ),
    team: Annotated[str, typer.Option("--team", help="Team slug (team visibility).")] = "",
    summary: Annotated[str, typer.Option("--summary")] = "",
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag; repeat for more.")] = None,
    input_: Annotated[
        list[str] | None, typer.Option("--input", help="An input's name; repeat for more.")
    ] = None,
    system: Annotated[str, typer.Option("--system", help="System text.")] = "",
    step: Annotated[
        list[str] | None, typer.Option("--step", help="A step's template; repeat for a chain.")
    ] = None,
) -> None:
    """Add a workflow, from options or from a YAML file, as its owner."""
    from huddle.accounts.queries import team_by_slug
    from huddle.library import portable, services
    from huddle.library.content import VersionContent

    actor = member_actor(organization_by_slug(org), owner)
    if file is not None and (step or title or slug or kind or system or input_):
        fail("Give either --file or --title/--kind/--step…, not both.")
    if file is None and not (title and kind and step):
        fail("Give --title, --kind and at least one --step (or --file).")
    team_obj = team_by_slug(actor.organization, team)
    if team and team_obj is None:
        fail(f"No team {team!r} in {actor.organization.slug}.")
    with explained():
        if file is not None:
            docs = portable.load_docs(actor, file)
            if len(docs) != 1:
                fail(f"{file} holds {len(docs)} workflows; use 'huddle workflows import'.")
            workflow = portable.create_from_doc(actor, docs[0])
        else:
            content = VersionContent.from_data(
                {"system": system, "steps": step, "inputs": [{"name": n} for n in input_ or []]}
            )
            workflow = services.workflow_create(
                actor=actor,
                title=title,
                kind=kind,
                content=content,
                slug=slug,
                summary=summary,
                tags=tag or [],
                visibility=visibility,
                team=team_obj,
            )
    console.print(
        Text.assemble(
            "Added ", (workflow.slug, "bold"), f" ({workflow.kind}, {workflow.visibility})."
        )
    )


@workflows_app.command("list")
def list_(
    org: Org,
    user: Annotated[
        str | None, typer.Option("--user", help="List what this member can see.")
    ] = None,
    q: Annotated[str, typer.Option("--q", help="Full-text search.")] = "",
    as_json: Json = False,
) -> None:
    """List workflows: everything of the organisation, or what one member can see."""
    from huddle.library import queries
    from huddle.library.serialize import workflow_data

    organization = organization_by_slug(org)
    if user:
        found = queries.search_workflows(
            member_actor(organization, user), queries.LibraryFilter(q=q)
        )
    else:
        found = queries.organization_workflows(organization, q=q)
    rows = [workflow_data(w) for w in queries.with_listing_data(found)]
    if as_json:
        typer.echo(to_json(rows))
        return
    from rich.table import Table

    table = Table(title=f"Workflows of {organization.slug} ({len(rows)})")
    for column in ("slug", "title", "kind", "visibility", "status", "owner", "v", "★"):
        # The slug is what people type next (render, export); never cut it.
        table.add_column(
            column, justify="right" if column in {"v", "★"} else "left", no_wrap=column == "slug"
        )
    for row in rows:
        table.add_row(
            row["slug"],
            row["title"],
            row["kind"],
            row["visibility"] + (f" ({row['team']})" if row["team"] else ""),
            row["status"],
            row["owner"]["email"],
            str(row["latest_version"]),
            str(row["star_count"]),
        )
    console.print(table)


@workflows_app.command("render")
def render(
    workflow: Annotated[str, typer.Argument(help="The workflow's slug or id.")],
    org: Org,
    user: Annotated[str, typer.Option("--user", help="Render as this member.")],
    var: Annotated[
        list[str] | None, typer.Option("--var", help="An input, NAME=VALUE; repeat for more.")
    ] = None,
    step_output: Annotated[
        list[str] | None,
        typer.Option("--step-output", help="A chain step's output, NAME=TEXT."),
    ] = None,
    version: Annotated[int | None, typer.Option("--version", help="Default: latest.")] = None,
    as_json: Json = False,
) -> None:
    """Fill in a workflow's inputs and print the prompt(s) to paste."""
    from huddle.library import queries, services
    from huddle.library.rendering import render_version

    values = _pairs(var or [], "--var")
    outputs = _pairs(step_output or [], "--step-output")
    actor = member_actor(organization_by_slug(org), user)
    found = queries.get_workflow(actor, workflow)
    chosen = queries.get_version(found, version) if version else services.latest_version(found)
    with explained():
        rendered = render_version(actor, chosen, values, step_outputs=outputs)
    if as_json:
        steps = [{"name": s.name, "text": s.text} for s in rendered.steps]
        data = {"version": chosen.number, "system": rendered.system, "steps": steps}
        typer.echo(to_json({**data, "text": rendered.as_text()}))
        return
    typer.echo(rendered.as_text())


@workflows_app.command("export")
def export(
    org: Org,
    out: Annotated[Path, typer.Option("--out", help="A folder, or one file ending in .yaml.")],
    user: Annotated[
        str | None, typer.Option("--user", help="Export what this member can see.")
    ] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Include older versions as history.")
    ] = False,
) -> None:
    """Export workflows (not archived ones) as YAML, one document per workflow."""
    from huddle.library import portable, queries
    from huddle.library.models import Status

    organization = organization_by_slug(org)
    if user:
        found = queries.search_workflows(member_actor(organization, user), queries.LibraryFilter())
    else:
        found = queries.organization_workflows(organization).exclude(status=Status.ARCHIVED)
    count = portable.write_export(
        queries.with_listing_data(found.order_by("slug")), out, all_versions=all_versions
    )
    console.print(f"Exported {count} workflow{'s' if count != 1 else ''} to {out}.")


@workflows_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A YAML file, or a folder of them.")],
    org: Org,
    owner: Annotated[str, typer.Option("--owner", help="Email of the member who owns them.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Import YAML workflows: new slugs are created, changed ones get a new version.

    Everything is checked first: one problem in any file and nothing is imported.
    """
    from huddle.library import portable

    actor = member_actor(organization_by_slug(org), owner)
    with explained():
        plan = portable.plan_import(actor, path)
    if dry_run:
        counts = {"created": len(plan.create), "updated": len(plan.update)}
        counts["unchanged"] = len(plan.unchanged)
    elif plan.size - len(plan.unchanged) >= PROGRESS_FROM:
        from rich.progress import Progress

        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("Importing", total=plan.size - len(plan.unchanged))
            counts = portable.apply_import(actor, plan, advance=lambda: progress.advance(task))
    else:
        counts = portable.apply_import(actor, plan)
    if as_json:
        typer.echo(to_json({**counts, "dry_run": dry_run}))
        return
    c = counts
    if dry_run:
        console.print(
            f"Would create {c['created']}, update {c['updated']}, leave {c['unchanged']} "
            "unchanged. Nothing was written."
        )
    else:
        console.print(
            f"Created {c['created']}, updated {c['updated']}, unchanged {c['unchanged']}."
        )
