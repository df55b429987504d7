"""Glossary uploads: a CSV with the header ``term,kind,replacement``."""

from __future__ import annotations

import csv

from huddle.context.parsing.limits import refuse
from huddle.context.parsing.text import Lines, decode_text, sniff_delimiter

GLOSSARY_HEADER = ["term", "kind", "replacement"]
MAX_TERMS = 2_000  # what ``kinds.clean`` allows a glossary


def glossary_terms(raw: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of a glossary CSV as ``{"term", "kind", "replacement"}``; ``ValidationFailed`` names
    the line of the first problem (the kinds themselves are checked by ``kinds.clean``). Rows are
    read one at a time and refused past ``MAX_TERMS``."""
    text, _note = decode_text(raw)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(Lines(text, filename, delimiter), delimiter=delimiter)
    try:
        rows = ((reader.line_num, row) for row in reader if any(c.strip() for c in row))
        first = next(rows, None)
        if first is None:
            raise refuse(f"{filename} is empty.")
        line, header = first
        if [h.strip().lower() for h in header[:4]] != GLOSSARY_HEADER:
            shown = ",".join(header[:6]) + (",…" if len(header) > 6 else "")
            raise refuse(
                f"Line {line} of {filename} must be the header term,kind,replacement "
                f"(found {shown})."
            )
        terms = []
        for line, row in rows:
            if len(row) == 2:
                row = [*row, ""]
            if len(row) != 3:
                raise refuse(f"Line {line} has {len(row)} values; expected term,kind,replacement.")
            term, kind, replacement = (c.strip() for c in row)
            if kind.lower() not in {"preferred", "banned", "product"}:
                raise refuse(
                    f"Line {line}, column kind: {kind!r} must be preferred, banned or product."
                )
            if kind.lower() == "banned" and not replacement:
                raise refuse(f"Line {line}: the banned term {term!r} needs a replacement.")
            terms.append({"term": term, "kind": kind.lower(), "replacement": replacement})
            if len(terms) > MAX_TERMS:
                raise refuse(
                    f"{filename} has more than {MAX_TERMS:,} terms; the limit is {MAX_TERMS:,}."
                )
    except csv.Error as error:
        raise refuse(f"Line {reader.line_num}: the CSV is malformed ({error}).") from None
    if not terms:
        raise refuse(f"{filename} has the header but no terms.")
    return terms
