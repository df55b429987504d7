"""``huddle capture``: add a capture for a member, list captures, promote one into a workflow.

Steps are numbered from 1 on the command line (``--example 2=TEXT``, ``--span 1:product=CRM``);
the API numbers them from 0, like the field names of its errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from huddle.capture.promote import Span

capture_app = typer.Typer(
    help="Captures: workflows as people really did them, and promoting them to the library.",
    no_args_is_help=True,
)

User = Annotated[str, typer.Option("--user", help="Email of the member acting.")]
FILE_KEYS = {
    "title", "goal", "tool", "steps", "context_text", "context_slugs", "negative_constraints",
    "manual_edits", "minutes_before", "minutes_after", "failures", "visibility", "team",
}  # fmt: skip


def _step_number(raw: str, count: int, option: str, value: str) -> int:
    """A 1-based step number from the command line, as a 0-based index."""
    if not raw.strip().isdigit() or not 1 <= int(raw) <= count:
        fail(f"{option} {value!r}: the step must be a number from 1 to {count}.")
    return int(raw) - 1


def _from_file(file: Path) -> dict[str, Any]:
    from huddle.library.portable import Problems, read_documents

    if not file.is_file():
        fail(f"No such file: {file}")
    problems = Problems()
    documents = read_documents(file, file.name, problems)
    problems.raise_if_any()
    if len(documents) != 1 or not isinstance(documents[0][1], dict):
        fail(f"{file} must hold one capture (a mapping of title, steps, …).")
    data = documents[0][1]
    unknown = sorted(set(map(str, data)) - FILE_KEYS)
    if unknown:
        fail(f"{file}: unknown keys {', '.join(unknown)}; use {', '.join(sorted(FILE_KEYS))}.")
    return data


@capture_app.command("add")
def add(
    org: Org,
    user: User,
    title: Annotated[str, typer.Option("--title", help="A short name.")] = "",
    step: Annotated[
        list[str] | None,
        typer.Option("--step", help="A prompt exactly as typed; repeat for each message sent."),
    ] = None,
    example: Annotated[
        list[str] | None,
        typer.Option("--example", help="STEP=TEXT: another pasted example of step STEP (from 1)."),
    ] = None,
    goal: Annotated[str, typer.Option("--goal", help="What you were trying to do.")] = "",
    tool: Annotated[
        str, typer.Option("--tool", help="chatgpt, claude, copilot, gemini or other.")
    ] = "other",
    context: Annotated[str, typer.Option("--context", help="The context you gave it.")] = "",
    context_slug: Annotated[
        list[str] | None, typer.Option("--context-slug", help="A context asset's slug; repeat.")
    ] = None,
    avoid: Annotated[str, typer.Option("--avoid", help="What you told it NOT to do.")] = "",
    fixed: Annotated[str, typer.Option("--fixed", help="What you still fixed by hand.")] = "",
    failed: Annotated[str, typer.Option("--failed", help="Where it went wrong.")] = "",
    minutes_before: Annotated[
        int | None, typer.Option("--minutes-before", help="Minutes it took before AI.")
    ] = None,
    minutes_after: Annotated[
        int | None, typer.Option("--minutes-after", help="Minutes it takes now.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="A capture YAML file (the API's fields).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Add a capture as the member ``--user``; it is private to them."""
    from huddle.accounts.queries import team_by_slug
    from huddle.capture import services
    from huddle.capture.api import capture_data

    actor = member_actor(organization_by_slug(org), user)
    visibility, team = "private", None
    if file is not None:
        if title or step or example:
            fail("Give either --file or --title/--step/--example, not both.")
        data = _from_file(file)
        visibility = str(data.pop("visibility", None) or "private")
        team_slug = data.pop("team", None)
        if team_slug:
            team = team_by_slug(actor.organization, str(team_slug))
            if team is None:
                fail(f"No team {team_slug!r} in {actor.organization.slug}.")
    else:
        if not title or not step:
            fail("Give --title and at least one --step (or --file).")
        steps: list[dict[str, Any]] = [{"text": text, "examples": []} for text in step]
        for value in example or []:
            number, sep, text = value.partition("=")
            if not sep:
                fail(f"--example {value!r} is not STEP=TEXT, e.g. --example 1='Write about…'.")
            steps[_step_number(number, len(steps), "--example", value)]["examples"].append(text)
        data = {
            "title": title,
            "goal": goal,
            "tool": tool,
            "steps": steps,
            "context_text": context,
            "context_slugs": context_slug or [],
            "negative_constraints": avoid,
            "manual_edits": fixed,
            "failures": failed,
            "minutes_before": minutes_before,
            "minutes_after": minutes_after,
        }
    with explained():
        capture = services.capture_create(
            actor=actor,
            data=services.CaptureData.from_data(data),
            visibility=visibility,
            team=team,
        )
    if as_json:
        typer.echo(to_json(capture_data(capture)))
        return
    console.print(Text.assemble("Captured ", (capture.title, "bold"), f" ({capture.public_id})."))


@capture_app.command("list")
def list_(
    org: Org,
    user: Annotated[
        str | None, typer.Option("--user", help="List what this member can see.")
    ] = None,
    as_json: Json = False,
) -> None:
    """List captures: all of the organisation (the operator's view), or what one member sees."""
    from huddle.capture import queries
    from huddle.capture.api import capture_data

    organization = organization_by_slug(org)
    if user:
        found = queries.visible_captures(member_actor(organization, user))
    else:
        found = queries.organization_captures(organization)
    rows = [capture_data(c) for c in found.order_by("-created_at", "-id")]
    if as_json:
        typer.echo(to_json(rows))
        return
    from rich.table import Table

    table = Table(title=f"Captures of {organization.slug} ({len(rows)})")
    for column in ("id", "title", "tool", "steps", "visibility", "owner", "promoted to"):
        table.add_column(column, no_wrap=column == "id")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["title"],
            row["tool"],
            str(len(row["steps"])),
            row["visibility"],
            row["owner"],
            row["promoted_to"] or "",
        )
    console.print(table)


def _spans(values: list[str], count: int) -> list[Span]:
    from huddle.capture.promote import Span

    spans = []
    for value in values:
        head, sep, text = value.partition("=")
        where, colon, name = head.rpartition(":")
        if not sep or not name.strip() or not text:
            fail(f"--span {value!r} is not [STEP:]NAME=TEXT, e.g. --span 1:product=Huddle.")
        step = _step_number(where, count, "--span", value) if colon and where.strip() else None
        spans.append(Span(text=text, name=name.strip(), step=step))
    return spans


@capture_app.command("promote")
def promote(
    capture_id: Annotated[str, typer.Argument(help="The capture's id.")],
    org: Org,
    user: User,
    span: Annotated[
        list[str] | None,
        typer.Option(
            "--span",
            help="STEP:NAME=TEXT makes TEXT of step STEP (from 1) the input NAME; "
            "NAME=TEXT applies to every step. Repeat for more.",
        ),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="The workflow's title.")] = "",
    rename: Annotated[
        list[str] | None,
        typer.Option("--rename", help="OLD=NEW renames an input inferred from the examples."),
    ] = None,
    drop: Annotated[
        list[str] | None,
        typer.Option("--drop", help="NAME removes an inferred input (its text stays as typed)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the result; create nothing.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Promote a capture into a private draft workflow owned by ``--user`` (try --dry-run
    first: it shows the inputs inferred from your examples, to --rename or --drop)."""
    from huddle.accounts import policy
    from huddle.capture import queries, services

    actor = member_actor(organization_by_slug(org), user)
    capture = queries.get_capture(actor, capture_id)
    spans = _spans(span or [], len(capture.steps))
    choices: dict[str, str | None] = dict.fromkeys(drop or [])
    for pair in rename or []:
        old, equals, new = pair.partition("=")
        if not equals or not old.strip() or not new.strip():
            fail(f"--rename takes OLD=NEW, not {pair!r}.")
        choices[old.strip()] = new.strip()
    with explained():
        if dry_run:
            policy.require_edit(actor, capture)
            preview = services.promote_preview(capture, spans, actor=actor, choices=choices)
            if preview.problems:
                from huddle.core.errors import ValidationFailed

                raise ValidationFailed(
                    "It can't be promoted yet; see the fields.", fields=preview.problems
                )
            workflow = None
        else:
            workflow, preview = services.capture_promote(
                actor=actor, capture=capture, spans=spans, title=title, choices=choices
            )
    result = preview.as_data()
    if as_json:
        typer.echo(
            to_json(
                {
                    "workflow": {"id": workflow.public_id, "slug": workflow.slug}
                    if workflow
                    else None,
                    "preview": result,
                }
            )
        )
        return
    for i, step in enumerate(result["steps"], start=1):
        console.print(f"Step {i}", style="bold", soft_wrap=True)
        console.print(step["template"], soft_wrap=True)
    for spec in result["inputs"]:
        console.print(f"input {spec['name']} (default: {spec['default']!r})")
    if result["context_to_attach"]:
        console.print("Context to attach: " + ", ".join(result["context_to_attach"]))
    for note in result["notes"]:
        console.print(note)
    if workflow is not None:
        console.print(
            Text.assemble("Promoted to the draft workflow ", (workflow.slug, "bold"), ".")
        )
