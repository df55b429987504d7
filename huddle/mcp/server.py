"""The SDK's low-level ``Server`` with Huddle's prompts, resources and tools.

One server serves everyone: the member a request acts as is in the context variable ``ACTOR``,
set by the transport (``http.py`` from the bearer token, ``stdio.py`` from ``--org``/``--user``)
before the SDK handles anything. Handlers are async (the SDK's contract). Under ``exchange.py``
(``INLINE``: the SDK's kernel driven in the HTTP request's thread, no event loop) they run the ORM
work in place, in the request's connection and transaction; under an event loop (``stdio.py``,
and the 2026-07-28 era through the SDK's HTTP entry in ``http.py``) they run it in Django's sync
world with ``sync_to_async`` (thread-sensitive: the request's own thread, or stdio's worker).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import mcp_types as types
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from mcp.server import CacheHint, Server, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import METHOD_NOT_FOUND

from huddle.accounts.policy import Actor
from huddle.core.errors import HuddleError
from huddle.mcp import prompts, resources, tools
from huddle.mcp.errors import as_mcp_error, unexpected

ACTOR: ContextVar[Actor] = ContextVar("huddle_mcp_actor")
# Set by ``stdio.py``: a process that outlives its database connections' lifetime checks them
# before each request, as Django does at the start of an HTTP request.
LONG_LIVED: ContextVar[bool] = ContextVar("huddle_mcp_long_lived", default=False)
# Set by ``exchange.py``: no event loop runs in this thread, so the ORM work runs in place.
INLINE: ContextVar[bool] = ContextVar("huddle_mcp_inline", default=False)
RESOURCE_NOT_FOUND = -32002  # the MCP specification's code for an unknown resource

INSTRUCTIONS = (
    "Huddle is the team's shared library of AI workflows. Its prompts are the workflows you "
    "can use (endorsed ones first); getting one counts as a run, so afterwards report how it "
    "went with log_run (minutes spent, minutes without AI, a 1-5 rating, the text used). "
    "Resources hold the team's context (brand, personas, campaign data, glossary)."
)


def _in_django[T](work: Callable[[Actor], T]) -> Callable[[], Any]:
    """``work(actor)`` in Django's sync world, with domain errors turned into MCP errors."""

    def run() -> T:
        if LONG_LIVED.get():
            close_old_connections()
        try:
            return work(ACTOR.get())
        except MCPError:
            raise
        except HuddleError as error:
            raise as_mcp_error(error) from None
        except Exception as error:  # noqa: BLE001 - any other failure is a bug: logged, not leaked
            raise unexpected(error) from None

    async def call() -> T:
        if INLINE.get():
            return run()
        return await sync_to_async(run, thread_sensitive=True)()

    return call


async def _list_prompts(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListPromptsResult:
    cursor = params.cursor if params else None
    return await _in_django(lambda actor: prompts.list_prompts(actor, cursor))()


async def _get_prompt(
    ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
) -> types.GetPromptResult:
    return await _in_django(
        lambda actor: prompts.get_prompt(actor, params.name, params.arguments)
    )()


async def _list_resources(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListResourcesResult:
    return await _in_django(resources.list_resources)()


async def _list_templates(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListResourceTemplatesResult:
    return await _in_django(resources.list_templates)()


async def _read_resource(
    ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
) -> types.ReadResourceResult:
    def read(actor: Actor) -> types.ReadResourceResult:
        try:
            return resources.read_resource(actor, str(params.uri))
        except HuddleError as error:
            if error.status != 404:
                raise
            failure = as_mcp_error(error)
            raise MCPError(RESOURCE_NOT_FOUND, error.message, data=failure.data) from None

    return await _in_django(read)()


async def _list_tools(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    return tools.list_tools()


async def _call_tool(
    ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
) -> types.CallToolResult:
    if params.name not in tools.TOOLS:
        names = ", ".join(tools.TOOLS)
        raise MCPError(METHOD_NOT_FOUND, f"No tool {params.name!r}; the tools are {names}.")
    return await _in_django(lambda actor: tools.call_tool(actor, params.name, params.arguments))()


# Every answer depends on who asks: no client may share a cached one across credentials.
_PRIVATE = CacheHint(ttl_ms=0, scope="private")

server: Server[Any] = Server(
    "huddle",
    version="1",
    title="Huddle",
    description="The team's AI workflows, context and runs.",
    instructions=INSTRUCTIONS,
    cache_hints={
        "prompts/list": _PRIVATE,
        "resources/list": _PRIVATE,
        "resources/templates/list": _PRIVATE,
        "resources/read": _PRIVATE,
        "tools/list": _PRIVATE,
    },
    on_list_prompts=_list_prompts,
    on_get_prompt=_get_prompt,
    on_list_resources=_list_resources,
    on_list_resource_templates=_list_templates,
    on_read_resource=_read_resource,
    on_list_tools=_list_tools,
    on_call_tool=_call_tool,
)
