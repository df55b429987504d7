"""ISO weeks ("2026-W07") in an organisation's time zone.

A week runs Monday 00:00 to the next Monday 00:00 *local time*; ``bounds`` turns that into aware
datetimes so queries on ``started_at``/``created_at`` (stored in UTC) pick the right rows.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from huddle.core.errors import ValidationFailed

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"{name!r} is not a time zone; use a name such as Europe/Paris.",
            fields={"timezone": ["Unknown time zone."]},
        ) from None


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_week(tz: str = "UTC", now: datetime | None = None) -> str:
    return week_of((now or timezone.now()).astimezone(zone(tz)).date())


def parse_week(text: str) -> str:
    """The week ``text`` names, normalised; ``ValidationFailed`` for anything else."""
    match = WEEK_RE.match((text or "").strip().upper())
    if match:
        try:
            date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
        else:
            return f"{match[1]}-W{match[2]}"
    raise ValidationFailed(
        f"{text!r} is not an ISO week; write it like 2026-W07.", fields={"week": ["Use YYYY-Www."]}
    )


def monday(week: str) -> date:
    match = WEEK_RE.match(parse_week(week))
    assert match is not None  # noqa: S101 - parse_week checked it
    return date.fromisocalendar(int(match[1]), int(match[2]), 1)


def bounds(week: str, tz: str = "UTC") -> tuple[datetime, datetime]:
    """``[start, end)`` of the week in ``tz`` as aware datetimes."""
    start = datetime.combine(monday(week), time(0), tzinfo=zone(tz))
    end = datetime.combine(monday(week) + timedelta(days=7), time(0), tzinfo=zone(tz))
    return start, end


def shift(week: str, weeks: int) -> str:
    return week_of(monday(week) + timedelta(weeks=weeks))


def label(week: str) -> str:
    """ "Week 7, 9 Feb 2026" for people."""
    start = monday(week)
    return f"Week {start.isocalendar()[1]}, {start.day} {start:%b %Y}"
