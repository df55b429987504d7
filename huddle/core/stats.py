"""Counts of an organisation's objects, contributed by each app (``huddle stats``).

An app registers a counter for each kind of object it owns from its ``AppConfig.ready``; the CLI
and the API read them all without knowing the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.accounts.models import Organization

Counter = Callable[["Organization"], int]
_counters: dict[str, Counter] = {}


def register(name: str, counter: Counter) -> None:
    _counters[name] = counter


def organization_stats(organization: Organization) -> dict[str, int]:
    return {name: counter(organization) for name, counter in _counters.items()}
