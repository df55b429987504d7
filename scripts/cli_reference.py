"""The CLI reference (docs/cli.md), generated from each command's ``--help`` with cog.

``make docs`` rewrites the file; ``make lint`` fails when it is stale (``cog --check``). The help
is click's plain layout at 100 columns, so the text is the same on every machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import typer.main
from typer import _click as click

from huddle.cli import app

WIDTH = 100


def _commands(
    command: click.Command, parent: click.Context | None, name: str
) -> Iterator[tuple[str, click.Command, click.Context]]:
    command.rich_markup_mode = None  # click's plain text, not Rich panels
    ctx = click.Context(command, parent=parent, info_name=name, terminal_width=WIDTH,
                        max_content_width=WIDTH)  # fmt: skip
    yield ctx.command_path, command, ctx
    if hasattr(command, "list_commands"):  # a group
        for sub in command.list_commands(ctx):
            found = command.get_command(ctx, sub)
            if found is not None and not found.hidden:
                yield from _commands(found, ctx, sub)


def reference() -> str:
    """Markdown: one section per command, its ``--help`` in a code block."""
    parts = []
    for path, command, ctx in _commands(typer.main.get_command(app), None, "huddle"):
        level = "#" * min(2 + path.count(" "), 4)
        text = "\n".join(line.rstrip() for line in command.get_help(ctx).splitlines())
        parts.append(f"{level} `{path}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)
