"""What every CLI module shares: the Rich consoles and the one way to fail."""

from __future__ import annotations

from typing import NoReturn

from rich.console import Console

from huddle.core.errors import HuddleError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def fail(message: str) -> NoReturn:
    """Stop the command with a one-line message on stderr and exit status 2."""
    raise HuddleError("cli", message)
