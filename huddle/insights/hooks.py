"""Extension points for apps built above insights (capture, rituals).

Insights must not import them. An app that owns countable activity registers a counter from its
``AppConfig.ready``::

    from huddle.insights import hooks
    hooks.register("captures", captures_per_week)   # huddle.capture
    hooks.register("asks", asks_per_week)           # huddle.rituals

A counter takes ``(organization, since, until)`` (aware datetimes, ``until`` exclusive) and returns
``{(user_id, week_monday): count}``. Known names: ``captures`` (member profiles: "captures made")
and ``asks`` (phase evidence: people asking for help). Nothing registered means zero, and the
figures say so ("not tracked").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.accounts.models import Organization

WeeklyCounts = dict[tuple[int, date], int]
Counter = Callable[["Organization", datetime, datetime], WeeklyCounts]
KNOWN = ("captures", "asks")
_counters: dict[str, Counter] = {}


def register(name: str, counter: Counter) -> None:
    if name not in KNOWN:
        raise ValueError(f"Unknown insights counter {name!r}; known: {', '.join(KNOWN)}.")
    _counters[name] = counter


def unregister(name: str) -> None:
    _counters.pop(name, None)


def tracked(name: str) -> bool:
    return name in _counters


def weekly_counts(
    name: str, organization: Organization, since: datetime, until: datetime
) -> WeeklyCounts:
    counter = _counters.get(name)
    return counter(organization, since, until) if counter else {}
