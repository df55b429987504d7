"""What apps above ``runs`` do when a run is saved (the brand check stores its score).

They register from their ``AppConfig.ready``; ``runs`` calls them without importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.accounts.policy import Actor
    from huddle.runs.models import Run

RunSaved = Callable[["Actor", "Run"], None]
_after_run_saved: list[RunSaved] = []


def register_after_run_saved(hook: RunSaved) -> None:
    if hook not in _after_run_saved:
        _after_run_saved.append(hook)


def run_saved(actor: Actor, run: Run) -> None:
    """Call every registered hook for a run that was just completed by its author."""
    for hook in _after_run_saved:
        hook(actor, run)
