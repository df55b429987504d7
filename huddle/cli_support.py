"""What every CLI module shares: the Rich consoles and the one way to fail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, NoReturn
from uuid import UUID

import typer
from rich.console import Console

from huddle.core.errors import HuddleError

# No Rich markup in anything printed: titles, names and messages are people's own words, and a
# "[/draft]" in a title made Rich raise. Emphasis is a Text's style.
console = Console(highlight=False, markup=False)
err_console = Console(stderr=True, highlight=False, markup=False)

# The options every command spells the same way, defined once: ``org: Org``, ``as_json: Json =
# False`` (an optional organisation: ``org: Org = ""``).
Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON (alone on standard output).")]


def fail(message: str) -> NoReturn:
    """Stop the command with a one-line message on stderr and exit status 2."""
    raise HuddleError("cli", message)


def organization_by_slug(slug: str) -> Any:
    """The organisation ``slug`` (an ``Organization``); a clear error when there is none."""
    from huddle.accounts import queries

    organization = queries.organization_by_slug(slug)
    if organization is None:
        fail(f"No organisation {slug!r}. Create it with: huddle org create {slug} --name …")
    return organization


def member_of(organization: Any, email: str | None, *, owner_by_default: bool = False) -> Any:
    """The ``Membership`` of ``email``; without an email, the first owner when allowed."""
    from huddle.accounts import queries
    from huddle.accounts.models import Role

    memberships = queries.memberships_of(organization)
    if email:
        membership = queries.membership_by_email(organization, email)
        if membership is None:
            fail(f"{email} is not a member of {organization.slug}.")
        return membership
    if not owner_by_default:
        fail("Pass --user EMAIL: the member to act as.")
    membership = memberships.filter(role=Role.OWNER).order_by("created_at").first()
    if membership is None:
        fail(f"{organization.slug} has no owner; pass --user EMAIL.")
    return membership


def member_actor(organization: Any, email: str) -> Any:
    """The ``Actor`` for ``email`` in ``organization``."""
    from huddle.accounts.policy import Actor

    return Actor(member_of(organization, email))


@contextmanager
def explained() -> Iterator[None]:
    """Put a ``ValidationFailed``'s fields on its one line: the CLI has no form to show them on."""
    from huddle.core.errors import ValidationFailed

    try:
        yield
    except ValidationFailed as error:
        if not error.fields:
            raise
        details = "; ".join(
            f"{where}: {message.rstrip('.')}"
            for where, messages in error.fields.items()
            for message in messages
        )
        fail(f"{error.message.replace('; see the fields.', ':')} {details}.")


def to_json(value: Any) -> str:
    """JSON for people and scripts: dates as ISO 8601, ids as strings, UTF-8 kept."""

    def default(obj: object) -> str:
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        if isinstance(obj, UUID):
            return str(obj)
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default, ensure_ascii=False, indent=2)
