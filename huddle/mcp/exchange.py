"""One stateless Streamable HTTP exchange of the handshake era (protocol 2025-11-25 and before),
answered by the SDK's request kernel in the request's own thread.

The SDK's transport (``StreamableHTTPSessionManager``) spends ~5 ms a request on what a stateless
server with JSON responses does not need: a task group, memory streams and a dispatcher per
request, an event loop in another thread, and four hops between it and the request's thread
(each a wait for a core on a busy machine). Here the HTTP rules of that transport are applied
directly (the ``Accept`` and ``Content-Type`` checks, a parse error as JSON-RPC -32700, a
notification or response acknowledged with 202, no ``Mcp-Session-Id``: stateless servers issue
none and ignore one sent) and the request goes to the SDK's own kernel (``ServerRunner``: the
method's parameter validation, ``initialize``, the handler, cache hints, serialisation), driven
to completion without an event loop. Huddle's handlers never wait on I/O when ``INLINE`` is set:
they run the ORM work in place (``server._in_django``), in the request's thread, connection and
transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from mcp.server.connection import Connection
from mcp.server.runner import ServerRunner
from mcp.shared.exceptions import NoBackChannelError
from mcp.shared.jsonrpc_dispatcher import handler_exception_to_error_data
from mcp.shared.transport_context import TransportContext
from mcp_types import (
    DEFAULT_NEGOTIATED_VERSION,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCRequest,
    JSONRPCResponse,
    RequestId,
    jsonrpc_message_adapter,
)
from pydantic import ValidationError

from huddle.mcp.server import INLINE, server

logger = logging.getLogger(__name__)
JSON = "application/json"


def answer(request: HttpRequest, body: bytes, version: str | None) -> HttpResponse:
    """The HTTP answer to one POST of the handshake era; ``version`` is its protocol header."""
    accepted = [
        part.split(";")[0].strip().lower() for part in request.headers.get("accept", "").split(",")
    ]
    if not {JSON, "application/*", "*/*"} & set(accepted):
        return _error(406, INVALID_REQUEST, "Not Acceptable: Client must accept application/json")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        message = "Unsupported Media Type: Content-Type must be application/json"
        return _error(415, INVALID_REQUEST, message)
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError) as error:
        return _error(400, PARSE_ERROR, f"Parse error: {error}")
    try:
        message = jsonrpc_message_adapter.validate_python(decoded, by_name=False)
    except ValidationError as error:
        return _error(400, INVALID_PARAMS, f"Validation error: {error}")
    if not isinstance(message, JSONRPCRequest):
        # A notification or a response: nothing to answer, and no session for it to act on.
        return HttpResponse(status=202, content_type=JSON)
    reply = _dispatch(message, version or DEFAULT_NEGOTIATED_VERSION, request.headers)
    return HttpResponse(reply.model_dump_json(by_alias=True, exclude_unset=True), content_type=JSON)


def _dispatch(
    message: JSONRPCRequest, version: str, headers: Mapping[str, str]
) -> JSONRPCResponse | JSONRPCError:
    connection = Connection.from_envelope(version, None, None)
    runner = ServerRunner(server, connection, {})
    context = _Exchange(
        transport=TransportContext(
            kind="streamable-http", can_send_request=False, headers=dict(headers)
        ),
        request_id=message.id,
    )
    token = INLINE.set(True)
    try:
        result = _drive(runner.on_request(context, message.method, message.params))
    except Exception as failure:  # every failure becomes the request's JSON-RPC error
        error = handler_exception_to_error_data(failure)
        if error is None:
            logger.exception("MCP request %s failed", message.method, exc_info=failure)
            error = ErrorData(code=INTERNAL_ERROR, message="Internal server error")
        return JSONRPCError(jsonrpc="2.0", id=message.id, error=error)
    finally:
        INLINE.reset(token)
        # Per-connection clean-ups the handlers registered (none today), as the SDK's drivers do.
        _drive(connection.exit_stack.aclose())
    return JSONRPCResponse(jsonrpc="2.0", id=message.id, result=result)


def _drive[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end in this thread. It must not wait on anything: nothing here
    could wake it (``INLINE`` makes Huddle's handlers run their work in place)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("An MCP handler waited on I/O inside a direct HTTP exchange.")


def _error(status: int, code: int, message: str) -> HttpResponse:
    """A transport-level refusal as the SDK's transport words it: a JSON-RPC error with no id."""
    error = JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=code, message=message))
    body = error.model_dump_json(by_alias=True, exclude_unset=True)
    return HttpResponse(body, status=status, content_type=JSON)


@dataclass
class _Exchange:
    """The SDK's ``DispatchContext`` for one request answered with one JSON body: there is no
    channel back to the client, so a server-to-client request is refused and a notification
    (progress, a log line) has nowhere to go, as in the SDK's own JSON-response mode."""

    transport: TransportContext
    request_id: RequestId
    message_metadata: None = None
    can_send_request: bool = False

    @property
    def cancel_requested(self) -> Any:
        # The client cancels by leaving; the request's thread finishes its work regardless.
        return _NEVER

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: Any = None
    ) -> dict[str, Any]:
        raise NoBackChannelError(method)

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> None:
        return None

    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        return None


class _NotSet:
    """An event that never happens (the SDK only asks ``is_set()`` of it)."""

    def is_set(self) -> bool:
        return False


_NEVER = _NotSet()
