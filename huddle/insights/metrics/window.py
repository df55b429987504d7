"""The period figures are computed over: whole weeks (Monday to Sunday) ending with ``as_of``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from huddle.core.errors import ValidationFailed

DEFAULT_WEEKS = 8
MAX_WEEKS = 104
LEAD_WEEKS = 12  # history before the window for phases (a "silo" needs a lasting divide)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the configured time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class Window:
    """``weeks`` weekly buckets; the last one holds ``as_of`` and stops at the end of that day,
    so the same ``as_of`` gives the same figures whenever they are computed."""

    as_of: date
    weeks: int

    @property
    def week_starts(self) -> list[date]:
        last = monday(self.as_of)
        return [last - timedelta(weeks=self.weeks - 1 - i) for i in range(self.weeks)]

    @property
    def start(self) -> date:
        return self.week_starts[0]

    @property
    def until(self) -> datetime:
        """Runs started before this instant count (the end of ``as_of``)."""
        return day_start(self.as_of + timedelta(days=1))

    @property
    def days_in_last_week(self) -> int:
        """How many days of the last week the window holds (7 when ``as_of`` is a Sunday): the
        week in progress is drawn as partial, so that it does not read as a collapse."""
        return (self.as_of - self.week_starts[-1]).days + 1

    def extended(self, lead_weeks: int) -> Window:
        """The same end with ``lead_weeks`` more weeks before (history for trends)."""
        return Window(self.as_of, self.weeks + lead_weeks)


def today() -> date:
    return timezone.localdate()


def make_window(as_of: date | str | None = None, weeks: int | str | None = None) -> Window:
    """Parse and check a window; ``ValidationFailed`` names the bad field."""
    problems: dict[str, list[str]] = {}
    day = today()
    if isinstance(as_of, str) and as_of.strip():
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            problems["as_of"] = ["Use a date like 2026-03-31."]
    elif isinstance(as_of, date):
        day = as_of
    day = min(day, today())  # the future has no runs yet; figures stop today
    count = DEFAULT_WEEKS
    if weeks not in (None, ""):
        try:
            count = int(weeks)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= MAX_WEEKS:
            problems["weeks"] = [f"Use 1 to {MAX_WEEKS} weeks."]
    if problems:
        raise ValidationFailed("Check the period.", fields=problems)
    return Window(day, count)
