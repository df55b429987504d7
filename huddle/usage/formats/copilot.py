"""Microsoft 365 Copilot usage, user details: last-activity dates per person (both versions)."""

from __future__ import annotations

from datetime import date, timedelta

from huddle.usage.formats.common import SNAPSHOT, Format, Parsed, _cell, _day, _email, _see
from huddle.usage.models import ReportSource, Tool

FORMAT = Format(
    ReportSource.COPILOT,
    SNAPSHOT,
    "Microsoft 365 Copilot usage (user details)",
    required={
        "email": ("User Principal Name",),
        "refreshed": ("Report Refresh Date",),
    },
    any_of={
        "overall": ("Last Activity Date",),
        **{
            app: (f"{label} Last Activity Date",)
            for app, label in (
                ("chat", "Copilot Chat"),
                ("teams", "Microsoft Teams Copilot"),
                ("word", "Word Copilot"),
                ("excel", "Excel Copilot"),
                ("powerpoint", "PowerPoint Copilot"),
                ("outlook", "Outlook Copilot"),
                ("onenote", "OneNote Copilot"),
                ("loop", "Loop Copilot"),
                ("chat_work", "Copilot Chat (work)"),
                ("chat_web", "Copilot Chat (web)"),
            )
        },
    },
)


def read_row(parsed: Parsed, at: dict[str, int], row: list[str], days: dict) -> None:
    email = _email(parsed, row, at)
    seen: set[date] = set()
    for name in FORMAT.any_of:
        day = _day(_cell(row, at, name), days, name)
        if day is not None:
            seen.add(day)
    for day in seen:
        _see(parsed, day)
        weekday = day.weekday()
        i = parsed.slot((email, day - timedelta(days=weekday), Tool.COPILOT.value))
        parsed.mask[i] |= 1 << weekday
