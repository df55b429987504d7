"""What every usage report reader shares: the parsed report (``Parsed``), a format's columns
(``Format``), the bad-line collector and the cell readers."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import date, timedelta

from huddle.core.errors import ValidationFailed
from huddle.usage.models import Tool

MAX_PROBLEMS = 10  # bad lines listed before the file is refused

DAILY, WEEKLY, SNAPSHOT = "daily", "weekly", "snapshot"
_WEEKS = ("weeks",)  # the key of the Monday cache inside the date cache: never a cell's text


Key = tuple[str, date, str]  # (email, Monday, tool)


@dataclass
class Parsed:
    """A report read whole: one slot per (person, week, tool), its figures in flat arrays (a
    1M-row report makes ~150k slots; arrays hold them in a tenth of the memory of objects).

    Slot ``i`` has seven days at ``i * 7 + weekday`` in ``day_messages``/``day_minutes``;
    ``mask[i]`` marks the days with activity, ``present[i]`` the days the file speaks of (a daily
    file replaces exactly those), ``messages[i]`` a weekly report's total for the week.
    """

    source: str
    kind: str
    index: dict[Key, int] = field(default_factory=dict)
    day_messages: array = field(default_factory=lambda: array("q"))
    day_minutes: array = field(default_factory=lambda: array("d"))
    mask: array = field(default_factory=lambda: array("B"))
    present: array = field(default_factory=lambda: array("B"))
    messages: array = field(default_factory=lambda: array("q"))
    rows: int = 0
    first_day: date | None = None
    last_day: date | None = None
    skipped_tools: dict[str, int] = field(default_factory=dict)
    people: set[str] = field(default_factory=set)  # every e-mail named, active or not

    def slot(self, key: Key) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.mask)
            self.day_messages.extend(_ZEROS)
            self.day_minutes.extend(_FZEROS)
            self.mask.append(0)
            self.present.append(0)
            self.messages.append(0)
        return i

    def week_figures(self, i: int) -> tuple[list[int], list[float], int, int, int]:
        """(messages per day, minutes per day, active-day mask, present mask, week total)."""
        base = i * 7
        return (
            self.day_messages[base : base + 7].tolist(),
            self.day_minutes[base : base + 7].tolist(),
            self.mask[i],
            self.present[i],
            self.messages[i],
        )


_ZEROS = array("q", [0] * 7)
_FZEROS = array("d", [0.0] * 7)


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: int, text: str) -> None:
        self.lines.append(f"line {line}: {text}")
        if len(self.lines) >= MAX_PROBLEMS:
            self.refuse()

    def refuse(self) -> None:
        if self.lines:
            raise ValidationFailed(
                "The report has values Huddle can't read; nothing was imported.",
                fields={"file": self.lines},
            )


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").replace(".", " ").lower().split())


@dataclass
class Format:
    source: str
    kind: str
    title: str
    required: dict[str, tuple[str, ...]]  # our name -> the spellings accepted
    optional: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # For reports whose activity is spread over columns (Copilot: one per app): at least one.
    any_of: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def bind(self, header: list[str]) -> dict[str, int]:
        """Where each column is; ``ValidationFailed`` naming every required one missing."""
        where = {_norm(h): i for i, h in enumerate(header)}
        found: dict[str, int] = {}
        missing = []
        for name, spellings in self.required.items():
            index = next((where[_norm(s)] for s in spellings if _norm(s) in where), None)
            if index is None:
                missing.append(spellings[0])
            else:
                found[name] = index
        for name, spellings in {**self.optional, **self.any_of}.items():
            index = next((where[_norm(s)] for s in spellings if _norm(s) in where), None)
            if index is not None:
                found[name] = index
        if self.any_of and not any(name in found for name in self.any_of):
            missing.append("one of: " + ", ".join(s[0] for s in self.any_of.values()))
        if missing:
            shown = ", ".join(h for h in header[:12] if h) or "nothing"
            raise ValidationFailed(
                f"This is not a {self.title} file: it has no {'; no '.join(missing)} column. "
                f"Its columns are: {shown}. Nothing was imported.",
                fields={"file": [f"Missing column: {m}" for m in missing]},
            )
        return found


EMAIL = ("email", "user email", "user_email", "user.email_address", "email_address", "mail")

TOOLS = {t.value: t.value for t in Tool} | {
    "chat gpt": Tool.CHATGPT.value,
    "openai": Tool.CHATGPT.value,
    "anthropic": Tool.CLAUDE.value,
    "microsoft copilot": Tool.COPILOT.value,
    "m365 copilot": Tool.COPILOT.value,
}


class _Bad(Exception):
    """A value on one line that can't be read (collected, then the file is refused)."""


def _cell(row: list[str], at: dict[str, int], name: str) -> str:
    index = at.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _email(parsed: Parsed, row: list[str], at: dict[str, int]) -> str:
    email = _cell(row, at, "email").lower()
    if "@" not in email:
        raise _Bad(f"{email or 'an empty cell'!r} is not an e-mail address")
    parsed.people.add(email)
    return email


def _day(text: str, days: dict[str, date | None], column: str) -> date | None:
    known = days.get(text, False)
    if known is not False:
        return known  # type: ignore[return-value]
    try:
        # Vendors write dates as 2026-03-02, sometimes with a time after them.
        value: date | None = date.fromisoformat(text[:10])
    except ValueError:
        raise _Bad(f"{column} {text!r} is not a date (YYYY-MM-DD)") from None
    days[text] = value
    return value


def _number(text: str, column: str, *, whole: bool = True) -> float:
    if not text:
        return 0
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise _Bad(f"{column} {text!r} is not a number") from None
        if whole and value != int(value):
            raise _Bad(f"{column} {text!r} is not a whole number") from None
        value = int(value)
    if value < 0 or value != value:  # negative, or NaN
        raise _Bad(f"{column} {text!r} is below zero")
    return value


def _see(parsed: Parsed, day: date) -> None:
    if parsed.first_day is None or day < parsed.first_day:
        parsed.first_day = day
    if parsed.last_day is None or day > parsed.last_day:
        parsed.last_day = day


def _monday(day: date, weeks: dict[date, date]) -> date:
    monday = weeks.get(day)
    if monday is None:
        monday = weeks[day] = day - timedelta(days=day.weekday())
    return monday
