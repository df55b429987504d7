"""Bytes to text, delimiter sniffing and the upload size cap shared by every parser."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from huddle.context.parsing.limits import MAX_COLUMNS, MAX_LINE_CHARS, refuse
from huddle.core.errors import ValidationFailed

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def read_upload(file: IO[bytes], name: str = "The file") -> bytes:
    """Read at most the size cap (plus one byte to notice more) from ``file``."""
    # Imported here: the parsing child process (``isolated``) never reads an upload this way,
    # and needs none of the Django modules ``core.uploads`` brings.
    from huddle.core.uploads import max_upload_bytes, too_large

    size = getattr(file, "size", None)
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise too_large(size, name)
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read(limit + 1)
    if len(raw) > limit:
        raise too_large(len(raw), name)
    if not raw.strip():
        raise ValidationFailed(f"{name} is empty.", fields={"file": ["Empty file."]})
    return raw


def decode_text(raw: bytes) -> tuple[str, str | None]:
    """Decode UTF-8 (with or without a BOM), else Windows-1252 / Latin-1.

    Returns the text and a note when it was not plain UTF-8.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "Read as UTF-16."
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Read as Windows-1252 (Latin-1), since it is not UTF-8."
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Read as Latin-1, since it is not UTF-8."


class Lines:
    """The physical lines of ``text`` for ``csv.reader``, each refused past ``MAX_LINE_CHARS``
    before the reader splits it (a million-column row is one long line); ``read`` counts the
    characters handed out so far."""

    def __init__(self, text: str, filename: str, delimiter: str = ",") -> None:
        self.text, self.filename, self.delimiter, self.read = text, filename, delimiter, 0

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(io.StringIO(self.text, newline=""), start=1):
            if len(line) > MAX_LINE_CHARS:
                columns = line.count(self.delimiter) + 1
                raise refuse(
                    f"Line {number} of {self.filename} is {len(line):,} characters long (about "
                    f"{columns:,} columns); the limit is {MAX_LINE_CHARS:,} characters and "
                    f"{MAX_COLUMNS} columns."
                )
            self.read += len(line)
            yield line


def sniff_delimiter(text: str) -> str:
    """Pick comma, semicolon or tab: the one that splits the first lines into the most
    columns, consistently."""
    sample = text[:65536].splitlines()[:20]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter) if row]
        if not widths:
            continue
        consistent = sum(1 for w in widths if w == widths[0])
        score = (consistent if widths[0] > 1 else 0, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how spreadsheets name columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
