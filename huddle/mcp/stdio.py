"""``huddle mcp --org SLUG --user EMAIL``: the MCP server on stdin/stdout, for local clients.

The server operator starts it on the host, as the CLI's other commands, acting as one member of
one organisation with that member's current role. Standard output carries only the protocol (the
SDK diverts stray writes to standard error, where the logs go).
"""

from __future__ import annotations

from typing import Annotated

import typer

from huddle.cli_support import Org, fail, member_actor, organization_by_slug


def mcp_command(
    org: Org,
    user: Annotated[str, typer.Option("--user", help="Email of the member to act as.")],
) -> None:
    """Serve the MCP server over stdio (for Claude Desktop, VS Code, Cursor … on this host)."""
    import anyio
    from mcp.server.stdio import stdio_server

    from huddle.mcp.server import ACTOR, LONG_LIVED, server

    actor = member_actor(organization_by_slug(org), user)
    if not actor.user.is_active:
        fail(f"{actor.user.email} is deactivated.")

    async def main() -> None:
        ACTOR.set(actor)
        LONG_LIVED.set(True)
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)
