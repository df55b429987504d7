"""Panels that apps above the library add to the workflow page (runs add "Time saved").

The library can't import those apps (they depend on it), so they register here from their
``AppConfig.ready``: a template name and a function giving its context, or None to hide it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huddle.accounts.policy import Actor
from huddle.library.models import Workflow

PanelContext = Callable[[Actor, Workflow], dict[str, Any] | None]
_panels: list[tuple[str, PanelContext]] = []


def register(template: str, context: PanelContext) -> None:
    if (template, context) not in _panels:
        _panels.append((template, context))


def for_workflow(actor: Actor, workflow: Workflow) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for template, context in _panels:
        data = context(actor, workflow)
        if data is not None:
            shown.append((template, data))
    return shown
