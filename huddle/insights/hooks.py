"""The one extension point for an app built above insights: rituals' asks.

Insights must not import rituals. Rituals owns the asks and registers their counter from its
``AppConfig.ready``::

    from huddle.insights import hooks
    hooks.register("asks", asks_per_week)

A counter takes ``(organization, since, until)`` (aware datetimes, ``until`` exclusive) and returns
``{(user_id, week_monday): count}``. ``asks`` feed the phase evidence (people asking for help).
Nothing registered means zero. (Apps below insights, such as capture, are read directly.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.accounts.models import Organization

WeeklyCounts = dict[tuple[int, date], int]
Counter = Callable[["Organization", datetime, datetime], WeeklyCounts]
KNOWN = ("asks",)
_counters: dict[str, Counter] = {}


def register(name: str, counter: Counter) -> None:
    if name not in KNOWN:
        raise ValueError(f"Unknown insights counter {name!r}; known: {', '.join(KNOWN)}.")
    _counters[name] = counter


def weekly_counts(
    name: str, organization: Organization, since: datetime, until: datetime
) -> WeeklyCounts:
    counter = _counters.get(name)
    return counter(organization, since, until) if counter else {}
