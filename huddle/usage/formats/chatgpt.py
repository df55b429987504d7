"""ChatGPT Enterprise / Team user analytics: the weekly export, one row per person and week."""

from __future__ import annotations

from datetime import timedelta

from huddle.usage.formats.common import (
    WEEKLY,
    Format,
    Parsed,
    _Bad,
    _cell,
    _day,
    _email,
    _number,
    _see,
)
from huddle.usage.models import ReportSource, Tool

FORMAT = Format(
    ReportSource.CHATGPT,
    WEEKLY,
    "ChatGPT user analytics (weekly export)",
    required={
        "email": ("email",),
        "period_start": ("period_start",),
        "period_end": ("period_end",),
        "messages": ("messages",),
    },
    optional={
        "first_day": ("first_day_active_in_period",),
        "last_day": ("last_day_active_in_period",),
    },
)


def read_row(parsed: Parsed, at: dict[str, int], row: list[str], days: dict) -> None:
    email = _email(parsed, row, at)
    start = _day(_cell(row, at, "period_start"), days, "period_start")
    end = _day(_cell(row, at, "period_end"), days, "period_end")
    if start is None or end is None:
        raise _Bad("period_start or period_end is empty")
    if (end - start).days > 7:
        raise _Bad(
            f"the period {start} to {end} is longer than a week: export the weekly report "
            "(Export, then Weekly), not the monthly one"
        )
    messages = int(_number(_cell(row, at, "messages"), "messages"))
    week = start - timedelta(days=start.weekday())
    _see(parsed, start)
    i = parsed.slot((email, week, Tool.CHATGPT.value))
    parsed.messages[i] += messages
    # The export gives the first and last active day of the week, not each day: a lower bound.
    for name in ("first_day", "last_day"):
        day = _day(_cell(row, at, name), days, name)
        if day is not None and 0 <= (day - week).days < 7:
            parsed.mask[i] |= 1 << day.weekday()
    if messages and not parsed.mask[i]:
        parsed.mask[i] |= 1 << start.weekday()
