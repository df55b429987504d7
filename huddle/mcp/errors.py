"""How domain errors reach an MCP client: the API's message, and its ``{code, message, fields}``
as the error's data."""

from __future__ import annotations

import logging
from typing import Any

from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS
from pydantic import ValidationError

from huddle.core.errors import HuddleError, ValidationFailed
from huddle.core.jsontypes import nul_path

logger = logging.getLogger(__name__)

# JSON-RPC has no "not found" or "forbidden"; the code in ``data`` says which (as the API's does).
SERVER_ERROR = -32000


def as_mcp_error(error: HuddleError) -> MCPError:
    """A domain error as the JSON-RPC error of a prompt or resource request."""
    code = INVALID_PARAMS if error.status in (404, 422) else SERVER_ERROR
    return MCPError(code, error.message, data=error.as_dict()["error"])


def unexpected(error: Exception) -> MCPError:
    """A bug: logged with its traceback, answered without it."""
    logger.exception("MCP handler failed", exc_info=error)
    return MCPError(INTERNAL_ERROR, "Something went wrong on the server; it has been logged.")


def invalid_arguments(error: ValidationError, *, where: str = "arguments") -> ValidationFailed:
    """Pydantic's complaint about tool arguments as the API's 422: each field named."""
    fields: dict[str, list[str]] = {}
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ())) or where
        message = item.get("msg", "Invalid.")
        if item.get("type") == "extra_forbidden":
            message = "Not an argument of this tool."
        fields.setdefault(location, []).append(message)
    names = ", ".join(sorted(fields))
    return ValidationFailed(f"Check the {where}: {names}.", fields=fields)


def refuse_nul(value: Any, *, where: str = "arguments") -> None:
    """PostgreSQL's text columns take no NUL character: refuse it before anything is written."""
    found = nul_path(value)
    if found is not None:
        message = f"The {where} hold a NUL character (\\u0000) in {found}; text can't contain it."
        raise ValidationFailed(message, fields={found: [message]})
