"""The usage reports Huddle reads, and the one streaming parser behind them.

Each format names the columns it needs (with the spellings vendors use) and turns one CSV row
into activity of one person on a day or in a week. ``parse`` reads the whole file first and keeps
only the weekly sums, so a refused file (unknown shape, missing columns, bad values, not UTF-8,
too many rows) is refused before anything is written. The columns and versions supported are
listed in docs/usage.md.
"""

from __future__ import annotations

import codecs
import csv
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

from huddle.core.errors import ValidationFailed
from huddle.usage.models import ReportSource, Tool

MAX_PROBLEMS = 10  # bad lines listed before the file is refused
PROGRESS_EVERY = 20_000  # rows between two progress calls

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

FORMATS: dict[str, Format] = {
    ReportSource.GENERIC: Format(
        ReportSource.GENERIC,
        DAILY,
        "generic usage CSV",
        required={"email": EMAIL, "date": ("date", "day"), "messages": ("messages",)},
        optional={"tool": ("tool",), "active_minutes": ("active_minutes", "minutes")},
    ),
    ReportSource.CHATGPT: Format(
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
    ),
    ReportSource.CLAUDE: Format(
        ReportSource.CLAUDE,
        DAILY,
        "Claude user activity",
        required={
            "email": ("user.email_address", "user_email", "email"),
            "date": ("date",),
            "messages": ("chat_metrics.message_count", "message_count"),
        },
    ),
    ReportSource.COPILOT: Format(
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
    ),
}

TOOLS = {t.value: t.value for t in Tool} | {
    "chat gpt": Tool.CHATGPT.value,
    "openai": Tool.CHATGPT.value,
    "anthropic": Tool.CLAUDE.value,
    "microsoft copilot": Tool.COPILOT.value,
    "m365 copilot": Tool.COPILOT.value,
}


def _text_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    """CSV rows of a UTF-8 file (a BOM is allowed); a byte that is not UTF-8 refuses the file,
    naming its physical line (lines are decoded one by one, so the number is exact)."""
    where = {"line": 0}

    def lines() -> Iterator[str]:
        for number, raw in enumerate(stream, start=1):
            where["line"] = number
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValidationFailed(
                    f"The file is not UTF-8 text (line {number}, byte "
                    f'0x{raw[error.start]:02x}): save it as "CSV UTF-8" and import it again. '
                    "Nothing was imported.",
                    fields={"file": [f"Line {number}: not UTF-8 (a Latin-1 or Windows file?)."]},
                ) from None
            yield text.removeprefix("\ufeff") if number == 1 else text

    reader = csv.reader(lines(), strict=True)
    try:
        yield from reader
    except csv.Error as error:
        raise ValidationFailed(
            f"The file is not a readable CSV (line {where['line']}: {error}). "
            "Nothing was imported.",
            fields={"file": [f"Line {where['line']}: {error}"]},
        ) from None


def _sniff_binary(stream: IO[bytes]) -> None:
    """Refuse a zip, a spreadsheet or a JSON file by its first bytes, with a message that says
    what it looks like, before the CSV reader makes less sense of it."""
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"PK"):
        raise ValidationFailed(
            "This is a zip or an Excel workbook, not a CSV: export the report as CSV. "
            "Nothing was imported.",
            fields={"file": ["Not a CSV file."]},
        )
    if head.lstrip(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"["):
        raise ValidationFailed(
            "This is a JSON file, not a CSV. Nothing was imported.",
            fields={"file": ["Not a CSV file."]},
        )


def parse(
    stream: IO[bytes],
    source: str,
    *,
    max_rows: int | None = None,
    total_bytes: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
) -> Parsed:
    """Read a whole report into weekly cells, or raise ``ValidationFailed`` (nothing kept).

    ``stream`` is a binary file positioned at its start; ``max_rows`` refuses larger files;
    ``on_progress(bytes_read, total_bytes)`` is called every few thousand rows.
    """
    fmt = FORMATS.get(source)
    if fmt is None:
        raise ValidationFailed(
            f"Unknown report source {source!r}: use chatgpt, claude, copilot or generic.",
            fields={"source": ["Choose chatgpt, claude, copilot or generic."]},
        )
    _sniff_binary(stream)
    rows = _text_rows(stream)
    header = next(rows, None)
    if not header or not any(h.strip() for h in header):
        raise ValidationFailed(
            "The file is empty. Nothing was imported.", fields={"file": ["Empty file."]}
        )
    at = fmt.bind(header)
    parsed = Parsed(source=source, kind=fmt.kind)
    problems = _Problems()
    read_row = (
        _fast_daily(parsed, at)
        if fmt.kind == DAILY
        else _ROW_READERS[fmt.kind if source != ReportSource.COPILOT else "copilot"]
    )
    days: dict[Any, Any] = {"": None}
    limit = max_rows if max_rows is not None else float("inf")
    blank = 0
    count = 0
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise ValidationFailed(
                f"The report has more than {max_rows:,} rows, more than an upload may hold. "
                "Import it on the server with: huddle usage import FILE --org SLUG --source "
                f"{source}. Nothing was imported.",
                fields={"file": [f"More than {max_rows:,} rows."]},
            )
        if not row or (len(row) == 1 and not row[0].strip()):
            blank += 1
            continue
        try:
            read_row(parsed, at, row, days)
        except _Bad as bad:
            problems.add(count + 1, str(bad))
        if on_progress is not None and not count % PROGRESS_EVERY:
            on_progress(_position(stream), total_bytes)
    parsed.rows = count - blank
    problems.refuse()
    if on_progress is not None:
        on_progress(total_bytes, total_bytes)
    return parsed


def _position(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):  # a stream that can't tell: no progress, not a failure
        return 0


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


def _weekly(parsed: Parsed, at: dict[str, int], row: list[str], days: dict) -> None:
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


def _copilot(parsed: Parsed, at: dict[str, int], row: list[str], days: dict) -> None:
    email = _email(parsed, row, at)
    seen: set[date] = set()
    for name in FORMATS[ReportSource.COPILOT].any_of:
        day = _day(_cell(row, at, name), days, name)
        if day is not None:
            seen.add(day)
    for day in seen:
        _see(parsed, day)
        weekday = day.weekday()
        i = parsed.slot((email, day - timedelta(days=weekday), Tool.COPILOT.value))
        parsed.mask[i] |= 1 << weekday


_ROW_READERS: dict[str, Any] = {DAILY: _daily, WEEKLY: _weekly, "copilot": _copilot}


def check_header(stream: IO[bytes], source: str) -> None:
    """Refuse a file whose first line is not the ``source`` report's (``ValidationFailed``
    naming the missing columns), so an upload is turned down at once, before it is queued."""
    fmt = FORMATS.get(source)
    if fmt is None:
        raise ValidationFailed(
            f"Unknown report source {source!r}: use chatgpt, claude, copilot or generic.",
            fields={"source": ["Choose chatgpt, claude, copilot or generic."]},
        )
    _sniff_binary(stream)
    head = stream.read(64 * 1024)
    stream.seek(0)
    first = head.split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            'The file is not UTF-8 text: save it as "CSV UTF-8" and upload it again.',
            fields={"file": ["Not UTF-8 (a Latin-1 or Windows-1252 file?)."]},
        ) from None
    header = next(csv.reader([text]), [])
    if not header or not any(h.strip() for h in header):
        raise ValidationFailed("The file is empty.", fields={"file": ["Empty file."]})
    fmt.bind(header)
