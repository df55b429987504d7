"""Figures in words for people: counts with their noun in the right number, durations in hours.

Pages, the digest and the insights summary use these so that "1 vote" and "299 hours" read the
same everywhere (never "1 votes" or "17,955 minutes").
"""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 vote", "2 votes", "2,500 timed runs"; ``many`` for irregular nouns."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def hours_text(minutes: float | None) -> str:
    """A duration given in minutes, as people say it: "45 minutes", "1.5 hours", "299 hours".

    Under 90 minutes stays in minutes; up to 10 hours keeps one decimal; beyond, whole hours.
    """
    if minutes is None:
        return "—"
    if abs(minutes) < 90:
        return plural(round(minutes), "minute")
    hours = minutes / 60
    if abs(hours) < 10:
        return f"{hours:,.1f} hours"
    return plural(round(hours), "hour")
