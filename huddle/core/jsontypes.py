"""Field types for API request bodies that take only what their OpenAPI schema says.

Pydantic's lax mode turns ``0`` into ``false``, ``"5"`` or ``true`` into a number and a number of
seconds into a date, which the schema (``boolean``, ``integer``, ``number``, ``string`` /
``date-time``) does not allow: a client sending them has a
bug, and should hear so instead of having it guessed (found by schemathesis' negative-data
check; docs/security.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    BeforeValidator,
    ModelWrapValidatorHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    model_validator,
)

__all__ = ["Body", "Flag", "Integer", "IsoDatetime", "Number", "json_kind", "nul_path"]

Flag = StrictBool  # JSON true or false, nothing else
Integer = StrictInt  # a JSON integer: not "5", not true
Number = StrictFloat  # a JSON number: not "5", not true


def _iso_text(value: Any) -> Any:
    if value is not None and not isinstance(value, str | datetime):
        raise ValueError("Give a date and time as ISO 8601 text, e.g. 2026-11-26T09:00:00Z.")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_text)]


class Body(Schema):
    """A request body's object, or an object inside one. Ninja's schemas read their fields off
    any value (as attributes, for responses built from models), so a list or ``null`` where an
    object belongs would pass as an object of defaults: ``"steps": [[null]]`` logged a step of
    nothing. Request schemas derive from this one and take JSON objects only."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, value: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        # Replaces ninja's validator of the same name, which wraps any value to read it by
        # attribute; a request body is a parsed JSON object, read as the dict it is.
        if not isinstance(value, dict):
            raise ValueError(f"Expected a JSON object, not {json_kind(value)}.")
        return handler(value)


def json_kind(value: Any) -> str:
    """How a JSON value is called in an error message: "an array", "null", "a number"…"""
    if value is None:
        return "null"
    kinds = {list: "an array", str: "a string", bool: "a boolean", dict: "an object"}
    return kinds.get(type(value), "a number")


def nul_path(value: Any) -> str | None:
    """Where a NUL character (``\\x00``) sits in a decoded JSON value, as ``a.b[2]`` (``the
    body`` for a bare string); None if nowhere. PostgreSQL's text columns refuse NUL, so a body
    that holds one is refused whole before anything is written. Iterative: a body may nest as
    deeply as the JSON decoder allows."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path or "the body"
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))
        elif isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    return where.replace("\x00", "\\u0000")
                stack.append((child, where))
    return None
