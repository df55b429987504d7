"""The row readers of daily reports: the generic CSV and Claude's user activity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from huddle.usage.formats.common import (
    _WEEKS,
    TOOLS,
    Parsed,
    _Bad,
    _cell,
    _day,
    _email,
    _monday,
    _number,
    _see,
)
from huddle.usage.models import ReportSource, Tool


def _daily(parsed: Parsed, at: dict[str, int], row: list[str], days: dict) -> None:
    """One row of a daily report (the slow, careful path: ``_daily_rows`` runs the fast one)."""
    email = _email(parsed, row, at)
    day = _day(_cell(row, at, "date"), days, "date")
    if day is None:
        raise _Bad("the date is empty")
    messages = int(_number(_cell(row, at, "messages"), "messages"))
    minutes = float(_number(_cell(row, at, "active_minutes"), "active_minutes", whole=False))
    if parsed.source == ReportSource.CLAUDE:
        tool = Tool.CLAUDE.value
    else:
        name = _cell(row, at, "tool").lower() or Tool.OTHER.value
        tool = TOOLS.get(name)
        if tool is None:
            parsed.skipped_tools[name] = parsed.skipped_tools.get(name, 0) + 1
            tool = Tool.OTHER.value
    _see(parsed, day)
    weekday = day.weekday()
    i = parsed.slot((email, _monday(day, days.setdefault(_WEEKS, {})), tool))
    parsed.day_messages[i * 7 + weekday] += messages
    parsed.day_minutes[i * 7 + weekday] += minutes
    parsed.present[i] |= 1 << weekday
    if messages or minutes:
        parsed.mask[i] |= 1 << weekday


def _fast_daily(parsed: Parsed, at: dict[str, int]) -> Callable[..., None]:
    """The row reader of daily reports: the same result as ``_daily``, at a third of its cost.

    E-mails, dates and tools repeat: each raw cell is checked once by ``_daily`` (the careful
    path, which also reports bad values) and remembered; later rows with the same cells only
    look them up. Anything unusual goes through the careful path again.
    """
    ie, idate, im = at["email"], at["date"], at["messages"]
    imin, itool = at.get("active_minutes"), at.get("tool")
    # Raw cells -> small ints, so the slot of a row is found by one int key (a tuple of an
    # e-mail, a date and a tool costs three hashes a row): person << 20 | week << 3 | tool.
    emails: dict[str, int] = {}
    people: list[str] = []
    dates: dict[str, tuple[int, int, date]] = {}  # raw -> (week number, weekday, Monday)
    tools: dict[str, int] = {}
    tool_names = list(dict.fromkeys(TOOLS.values()))
    claude = parsed.source == ReportSource.CLAUDE
    claude_tool = tool_names.index(Tool.CLAUDE.value)
    index: dict[int, int] = {}
    slot = parsed.slot
    day_messages, day_minutes = parsed.day_messages, parsed.day_minutes
    mask, present = parsed.mask, parsed.present

    def careful(row: list[str], days: dict) -> None:
        _daily(parsed, at, row, days)  # raises _Bad for a bad value; else counted, and:
        if row[ie] not in emails:
            emails[row[ie]] = len(people)
            people.append(row[ie].strip().lower())
        day = days[row[idate].strip()]
        monday = _monday(day, days[_WEEKS])
        dates[row[idate]] = (monday.toordinal() // 7, day.weekday(), monday)
        if not claude:
            raw = row[itool] if itool is not None and itool < len(row) else ""
            name = raw.strip().lower() or Tool.OTHER.value
            if name in TOOLS:
                tools[raw] = tool_names.index(TOOLS[name])

    def read(_parsed: Parsed, _at: dict, row: list[str], days: dict) -> None:
        try:
            person = emails[row[ie]]
            week, weekday, monday = dates[row[idate]]
            tool = claude_tool if claude else tools[row[itool] if itool is not None else ""]
            text = row[im]
            messages = int(text) if text else 0
            text = row[imin] if imin is not None else ""
            minutes = float(text) if text else 0.0
        except (KeyError, ValueError, IndexError):
            careful(row, days)
            return
        if messages < 0 or not 0.0 <= minutes < float("inf"):
            careful(row, days)  # raises, naming the value
            return
        key = person << 20 | week << 3 | tool
        i = index.get(key)
        if i is None:
            i = index[key] = slot((people[person], monday, tool_names[tool]))
        at_day = i * 7 + weekday
        day_messages[at_day] += messages
        day_minutes[at_day] += minutes
        bit = 1 << weekday
        present[i] |= bit
        if messages or minutes:
            mask[i] |= bit

    return read
