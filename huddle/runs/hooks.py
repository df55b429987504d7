"""What apps above ``runs`` do when a run is completed (the brand check stores its score).

``runs`` sits below ``brand`` in the layers, so it cannot call the brand check itself: apps above
register from their ``AppConfig.ready`` and the runs services call every hook, inside the
transaction that completes the run, whatever the door (page, API, CLI import, direct run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.accounts.policy import Actor
    from huddle.runs.models import Run

RunCompleted = Callable[["Actor", "Run"], None]
_after_run_completed: list[RunCompleted] = []


def register_after_run_completed(hook: RunCompleted) -> None:
    if hook not in _after_run_completed:
        _after_run_completed.append(hook)


def run_completed(actor: Actor, run: Run) -> None:
    """Call every registered hook for a run its author just completed.

    Called by ``runs.services`` and ``runs.direct`` only. The hooks write to the database (no
    outside calls), so they run inside the run's transaction: the run and its score land together.
    """
    for hook in _after_run_completed:
        hook(actor, run)
