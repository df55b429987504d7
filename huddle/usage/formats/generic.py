"""The generic usage CSV: one row per person, day (and tool): email, date, messages."""

from __future__ import annotations

from huddle.usage.formats.common import DAILY, EMAIL, Format
from huddle.usage.models import ReportSource

FORMAT = Format(
    ReportSource.GENERIC,
    DAILY,
    "generic usage CSV",
    required={"email": EMAIL, "date": ("date", "day"), "messages": ("messages",)},
    optional={"tool": ("tool",), "active_minutes": ("active_minutes", "minutes")},
)
