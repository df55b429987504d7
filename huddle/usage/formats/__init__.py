"""The usage reports Huddle reads, and the one streaming parser behind them.

Each format names the columns it needs (with the spellings vendors use) and turns one CSV row
into activity of one person on a day or in a week. ``parse`` reads the whole file first and keeps
only the weekly sums, so a refused file (unknown shape, missing columns, bad values, not UTF-8,
too many rows) is refused before anything is written. The columns and versions supported are
listed in docs/usage.md.

The readers live one module per vendor (``generic``, ``claude``, ``chatgpt``, ``copilot``; the
daily row readers in ``daily``, what they share in ``common``); this module keeps the public
functions: ``parse`` and ``check_header``.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from typing import IO, Any

from huddle.core.errors import ValidationFailed
from huddle.usage.formats import chatgpt, claude, copilot, generic
from huddle.usage.formats.common import (
    DAILY,
    MAX_PROBLEMS,
    SNAPSHOT,
    TOOLS,
    WEEKLY,
    Format,
    Parsed,
    _Bad,
    _Problems,
)
from huddle.usage.formats.daily import _daily, _fast_daily
from huddle.usage.models import ReportSource

__all__ = [
    "DAILY",
    "FORMATS",
    "MAX_PROBLEMS",
    "PROGRESS_EVERY",
    "SNAPSHOT",
    "TOOLS",
    "WEEKLY",
    "Format",
    "Parsed",
    "check_header",
    "parse",
]

PROGRESS_EVERY = 20_000  # rows between two progress calls

FORMATS: dict[str, Format] = {
    ReportSource.GENERIC: generic.FORMAT,
    ReportSource.CHATGPT: chatgpt.FORMAT,
    ReportSource.CLAUDE: claude.FORMAT,
    ReportSource.COPILOT: copilot.FORMAT,
}


def _format(source: str) -> Format:
    """The format of ``source``; ``ValidationFailed`` naming the field for an unknown one."""
    fmt = FORMATS.get(source)
    if fmt is None:
        raise ValidationFailed(
            f"Unknown report source {source!r}: use chatgpt, claude, copilot or generic.",
            fields={"source": ["Choose chatgpt, claude, copilot or generic."]},
        )
    return fmt


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
    fmt = _format(source)
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


_ROW_READERS: dict[str, Any] = {
    DAILY: _daily,
    WEEKLY: chatgpt.read_row,
    "copilot": copilot.read_row,
}


def check_header(stream: IO[bytes], source: str) -> None:
    """Refuse a file whose first line is not the ``source`` report's (``ValidationFailed``
    naming the missing columns), so an upload is turned down at once, before it is queued."""
    fmt = _format(source)
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
