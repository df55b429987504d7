"""Campaign tables from CSV or XLSX: validated, normalised, compressed and summarised.

Rows stream through: each is checked, written to a gzip-compressed CSV and folded into the
summary, so memory stays bounded by the upload cap whatever the row count. The first
``PREVIEW_ROWS`` rows are kept for the page and the Markdown table.

Limits (``limits``): rows (``HUDDLE_CONTEXT_MAX_ROWS``), columns, cells, the length of a CSV
line before it is split; an XLSX is checked as an archive first (``package``), and a sheet's
declared size, the row numbers it reaches and the cells it pads are bounded before openpyxl
builds them.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings

from huddle.context.parsing.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    Progress,
    refuse,
)
from huddle.context.parsing.package import XLSX, check_package, library_errors
from huddle.context.parsing.text import (
    DELIMITER_NAMES,
    Lines,
    column_letter,
    decode_text,
    sniff_delimiter,
)
from huddle.core.errors import ValidationFailed

PREVIEW_ROWS = 100
METRICS = ("impressions", "clicks", "spend", "leads", "conversions", "revenue")
DIMENSIONS = ("channel", "campaign")
# Header names (lower-cased, spaces and dashes as underscores) that mean each role.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "week", "month", "period", "report_date"),
    "channel": ("channel", "source", "medium", "platform", "network"),
    "campaign": ("campaign", "campaign_name", "campaign_id"),
    "impressions": ("impressions", "impr", "impr.", "views", "reach"),
    "clicks": ("clicks", "link_clicks"),
    "spend": ("spend", "cost", "amount_spent", "spend_eur", "spend_usd", "budget_spent"),
    "leads": ("leads", "signups", "sign_ups", "mqls"),
    "conversions": ("conversions", "conv", "conv.", "purchases", "orders", "sales"),
    "revenue": ("revenue", "value", "conversion_value", "sales_value"),
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y")
MAX_GROUPS = 25
# A sheet's rows may start below blank rows and a title: row numbers may reach the row cap plus
# this before the sheet is refused (openpyxl yields every blank row up to the last one).
ROW_SLACK = 1_000
# Cells openpyxl pads a sheet's rows to (formatted empty cells count): bounded even when the
# values themselves fit in MAX_COLUMNS.
MAX_SCANNED_CELLS = 4 * MAX_CELLS
PROGRESS_ROWS = 2_000
_NUMBER_CLEAN = re.compile(r"[\s$€£%\u00a0\u202f]")


@dataclass
class ParsedTable:
    columns: list[str]
    roles: dict[str, int]
    row_count: int
    preview: list[list[str]]
    table_gz: bytes
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def parse_table(
    raw: bytes,
    filename: str,
    *,
    max_rows: int | None = None,
    on_progress: Progress | None = None,
) -> ParsedTable:
    """Validate and normalise a campaign table from CSV or XLSX bytes.

    Raises ``ValidationFailed`` naming the row and column of the first problem: an empty file, a
    missing header, a row with the wrong number of values, a value that is not a number or a date,
    a formula without a saved result, more rows, columns or cells than the limits, an XLSX that
    is not a sound archive. ``on_progress(fraction or None, note)`` is called every few thousand
    rows.
    """
    suffix = PurePath(filename).suffix.lower()
    notes: list[str] = []
    max_rows = max_rows or settings.HUDDLE_CONTEXT_MAX_ROWS
    progress = _Progress(on_progress)
    if suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(raw, filename, notes, max_rows, progress)
        decimal_comma = False
    elif suffix in {".csv", ".txt", ".tsv", ""}:
        text, note = decode_text(raw)
        if note:
            notes.append(note)
        delimiter = sniff_delimiter(text)
        if delimiter != ",":
            notes.append(f"Values are separated by {DELIMITER_NAMES[delimiter]}.")
        decimal_comma = delimiter == ";"
        rows = _csv_rows(text, delimiter, filename, progress)
    elif suffix == ".xls":
        raise refuse(f"{filename} is an old Excel .xls file: save it as .xlsx or CSV.")
    else:
        raise refuse(f"{filename}: upload a CSV or XLSX file.")
    return _build(rows, filename, notes, decimal_comma, max_rows, progress)


def check_csv_header(raw: bytes, filename: str) -> None:
    """The cheap part of reading a CSV (its first row, within the line and column limits), for
    refusing at upload time what would be refused later."""
    text, _note = decode_text(raw)
    for _line, row in _csv_rows(text, sniff_delimiter(text), filename, _Progress(None)):
        if any(str(c).strip() for c in row):
            _check_width(len(row), filename)
            return


class _Progress:
    """Calls ``on_progress`` every ``PROGRESS_ROWS`` rows with the share of the input read."""

    def __init__(self, on_progress: Progress | None) -> None:
        self.on_progress = on_progress
        self.fraction: Callable[[], float | None] = lambda: None

    def row(self, count: int) -> None:
        if self.on_progress is not None and count % PROGRESS_ROWS == 0:
            self.on_progress(self.fraction(), f"{count:,} rows read")


def _check_width(width: int, filename: str, where: str = "The table") -> None:
    if width > MAX_COLUMNS:
        raise refuse(
            f"{where} of {filename} has {width:,} columns; the limit is {MAX_COLUMNS}. Keep "
            "the columns your prompts need and upload it again."
        )


def _csv_rows(
    text: str, delimiter: str, filename: str, progress: _Progress
) -> Iterator[tuple[int, list[Any]]]:
    lines = Lines(text, filename, delimiter)
    progress.fraction = lambda: lines.read / max(len(text), 1)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise refuse(f"Line {reader.line_num}: the CSV is malformed ({error}).") from None


def _xlsx_rows(
    raw: bytes, filename: str, notes: list[str], max_rows: int, progress: _Progress
) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    check_package(raw, filename, XLSX)
    errors = library_errors()
    try:
        values = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        names = values.sheetnames
        if not names:
            raise refuse(f"{filename} is not a readable XLSX workbook (it has no sheet).")
        sheet, formula_sheet = values[names[0]], formulas[names[0]]
    except errors as error:
        raise refuse(f"{filename} is not a readable XLSX workbook ({error}).") from None
    if len(names) > 1:
        listed = ", ".join(repr(n) for n in names[:10]) + (", …" if len(names) > 10 else "")
        notes.append(
            f"The workbook has {len(names)} sheets ({listed}); the first, {names[0]!r}, was used."
        )
    where = f"The sheet {names[0]!r}"
    row_limit = max_rows + ROW_SLACK
    # The declared size (<dimension>) is checked, then ignored: openpyxl would pad every row to
    # its width (16,384 cells a row for A1:XFD1048576), and a dimension can also lie small.
    declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
    _check_width(declared_columns, filename, where)
    if declared_rows > row_limit:
        raise _too_many_rows(filename, max_rows, f"{declared_rows:,} rows")
    if declared_rows:
        progress.fraction = lambda: min(1.0, number / declared_rows)
    sheet.reset_dimensions()
    formula_sheet.reset_dimensions()
    number = 0

    def rows() -> Iterator[tuple[int, list[Any]]]:
        nonlocal number
        scanned = 0
        pairs = zip(
            sheet.iter_rows(values_only=True),
            formula_sheet.iter_rows(values_only=True),
            strict=False,
        )
        try:
            for number, (row, source) in enumerate(pairs, start=1):
                if number > row_limit:
                    raise _too_many_rows(filename, max_rows, f"rows down to row {number:,}")
                scanned += len(row)
                if scanned > MAX_SCANNED_CELLS:
                    raise refuse(
                        f"{where} of {filename} has formatting or values across more than "
                        f"{MAX_SCANNED_CELLS:,} cells. Clear the formatting of the empty rows "
                        "and columns (or paste the values into a new sheet) and upload it again."
                    )
                for index, value in enumerate(row):
                    written = source[index] if index < len(source) else None
                    if value is None and isinstance(written, str) and written.startswith("="):
                        raise refuse(
                            f"Cell {column_letter(index)}{number} of sheet {names[0]!r} holds a "
                            f"formula ({written}) with no saved result. Open the file in Excel or "
                            "LibreOffice, save it, and upload it again — or paste values only."
                        )
                end = len(row)
                while end and row[end - 1] is None:
                    end -= 1
                _check_width(end, filename, where)
                yield number, ["" if c is None else c for c in row[:end]]
        except errors as error:
            raise refuse(f"{filename} is not a readable XLSX workbook ({error}).") from None
        finally:
            values.close()
            formulas.close()

    return rows()


def _too_many_rows(filename: str, max_rows: int, found: str) -> ValidationFailed:
    return refuse(
        f"{filename} has more than {max_rows:,} rows (the limit; it has {found}). Aggregate it "
        "(for example by week) or split it into several assets."
    )


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        for role, synonyms in SYNONYMS.items():
            if key in synonyms and role not in roles:
                roles[role] = index
    return roles


def _build(
    rows: Iterator[tuple[int, list[Any]]],
    filename: str,
    notes: list[str],
    decimal_comma: bool,
    max_rows: int,
    progress: _Progress,
) -> ParsedTable:
    header: list[str] | None = None
    header_line = 0
    for line, row in rows:
        if any(str(c).strip() for c in row):
            _check_width(len(row), filename)
            header, header_line = [str(c).strip() for c in row], line
            break
    if header is None:
        raise refuse(f"{filename} is empty: it has no header and no rows.")
    _check_header(header, header_line)
    roles = _roles(header)
    if not any(metric in roles for metric in METRICS):
        raise refuse(
            f"Line {header_line}: no column is recognised as a metric. Name at least one column "
            f"{', '.join(METRICS)} (also recognised: date, channel, campaign)."
        )
    width = len(header)
    buffer = io.BytesIO()
    summary = _Summary(roles)
    preview: list[list[str]] = []
    count = 0
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:
        out = io.TextIOWrapper(gz, encoding="utf-8", newline="")
        writer = csv.writer(out)
        writer.writerow(header)
        for line, row in rows:
            if not any(str(c).strip() for c in row):
                continue
            if len(row) > width and not any(str(c).strip() for c in row[width:]):
                row = row[:width]
            if len(row) != width:
                raise refuse(
                    f"Row {line} has {len(row)} values but the header (line {header_line}) has "
                    f"{width} columns. Check for a missing or extra separator in that row."
                )
            count += 1
            if count > max_rows:
                raise refuse(
                    f"{filename} has more than {max_rows:,} rows (the limit). Aggregate it (for "
                    "example by week) or split it into several assets."
                )
            if count * width > MAX_CELLS:
                raise refuse(
                    f"{filename} has more than {MAX_CELLS:,} cells ({count:,} rows of {width} "
                    f"columns); the limit is {MAX_CELLS:,}. Keep fewer columns, or aggregate "
                    "the rows."
                )
            progress.row(count)
            cells = _normalise(row, roles, header, line, decimal_comma)
            summary.add(cells)
            writer.writerow(cells)
            if len(preview) < PREVIEW_ROWS:
                preview.append(cells)
        out.flush()
        out.detach()
    if count == 0:
        raise refuse(f"{filename} has a header (line {header_line}) but no rows of data.")
    return ParsedTable(
        columns=header,
        roles=roles,
        row_count=count,
        preview=preview,
        table_gz=buffer.getvalue(),
        summary=summary.result(header, count),
        notes=notes,
    )


def _check_header(header: list[str], line: int) -> None:
    for index, name in enumerate(header):
        if not name:
            raise refuse(f"Line {line}, column {column_letter(index)}: the header is blank.")
    seen: set[str] = set()
    for index, name in enumerate(header):
        key = name.lower()
        if key in seen:
            raise refuse(
                f"Line {line}, column {column_letter(index)}: the header {name!r} is repeated."
            )
        seen.add(key)
    if all(_looks_numeric(name) for name in header):
        raise refuse(
            f"Line {line} looks like data, not a header: the first row must name the "
            "columns (date, channel, campaign, impressions, clicks, spend…)."
        )


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _normalise(
    row: list[Any], roles: dict[str, int], header: list[str], line: int, decimal_comma: bool
) -> list[str]:
    cells = [c if isinstance(c, (int, float, date)) else str(c).strip() for c in row]
    for role, index in roles.items():
        value = cells[index]
        where = f"Row {line}, column {column_letter(index)} ({header[index]!r})"
        if role in METRICS:
            cells[index] = _number(value, where, decimal_comma)
        elif role == "date":
            cells[index] = _date(value, where)
    return [_text(c) for c in cells]


def _number(value: Any, where: str, decimal_comma: bool) -> float | str:
    if isinstance(value, bool):
        raise refuse(f"{where}: {value!r} is not a number.")
    if isinstance(value, (int, float)):
        return value
    text = _NUMBER_CLEAN.sub("", str(value))
    if text in {"", "-", "—"}:
        return ""
    # "1.234,5" in semicolon files (European), "1,234.5" otherwise.
    text = text.replace(".", "").replace(",", ".") if decimal_comma else text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        raise refuse(f"{where}: {value!r} is not a number.") from None


def _date(value: Any, where: str) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return ""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise refuse(f"{where}: {value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY).")


def _text(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


class _Summary:
    """Folds rows into totals, date range and per-channel / per-campaign figures."""

    def __init__(self, roles: dict[str, int]) -> None:
        self.roles = roles
        self.metrics = [m for m in METRICS if m in roles]
        self.totals = dict.fromkeys(self.metrics, 0.0)
        self.groups: dict[str, dict[str, dict[str, float]]] = {d: {} for d in DIMENSIONS}
        self.first: str | None = None
        self.last: str | None = None

    def add(self, cells: list[Any]) -> None:
        values = {m: float(cells[self.roles[m]] or 0) for m in self.metrics}
        for metric, value in values.items():
            self.totals[metric] += value
        for dimension in DIMENSIONS:
            if dimension in self.roles:
                name = str(cells[self.roles[dimension]]) or "(none)"
                group = self.groups[dimension].setdefault(name, dict.fromkeys(self.metrics, 0.0))
                for metric, value in values.items():
                    group[metric] += value
        if "date" in self.roles and cells[self.roles["date"]]:
            day = str(cells[self.roles["date"]])
            self.first = day if self.first is None or day < self.first else self.first
            self.last = day if self.last is None or day > self.last else self.last

    def result(self, columns: list[str], rows: int) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "rows": rows,
            "columns": columns,
            "metrics": self.metrics,
            "date_from": self.first,
            "date_to": self.last,
            "totals": with_rates(self.totals),
        }
        rank = "spend" if "spend" in self.metrics else self.metrics[0]
        for dimension in DIMENSIONS:
            if dimension not in self.roles:
                continue
            groups = sorted(self.groups[dimension].items(), key=lambda kv: -kv[1][rank])
            listed = [{"name": name, **with_rates(v)} for name, v in groups[:MAX_GROUPS]]
            if len(groups) > MAX_GROUPS:
                rest = dict.fromkeys(self.metrics, 0.0)
                for _name, values in groups[MAX_GROUPS:]:
                    for metric in self.metrics:
                        rest[metric] += values[metric]
                others = len(groups) - MAX_GROUPS
                listed.append({"name": f"Other ({others} more)", **with_rates(rest)})
            summary[f"by_{dimension}"] = listed
        return summary


def with_rates(values: dict[str, float]) -> dict[str, float | None]:
    """The metrics plus CTR (clicks / impressions), CPL (spend / leads), conversion rate
    (conversions / clicks) and ROAS (revenue / spend) where both sides are known."""

    def ratio(top: str, bottom: str) -> float | None:
        if top not in values or bottom not in values or not values[bottom]:
            return None
        return round(values[top] / values[bottom], 6)

    rounded = {k: round(v, 2) for k, v in values.items()}
    return {
        **rounded,
        "ctr": ratio("clicks", "impressions"),
        "cpl": ratio("spend", "leads"),
        "conversion_rate": ratio("conversions", "clicks"),
        "roas": ratio("revenue", "spend"),
    }


def table_rows(table_gz: bytes) -> Iterator[list[str]]:
    """The stored table, row by row (header first), decompressing as it goes."""
    with gzip.open(io.BytesIO(table_gz), mode="rt", encoding="utf-8", newline="") as text:
        yield from csv.reader(text)
