"""Glossary uploads: a CSV with the header ``term,kind,replacement``."""

from __future__ import annotations

import csv
import io

from huddle.context.parsing.text import decode_text, sniff_delimiter
from huddle.core.errors import ValidationFailed

GLOSSARY_HEADER = ["term", "kind", "replacement"]


def glossary_terms(raw: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of a glossary CSV as ``{"term", "kind", "replacement"}``; ``ValidationFailed`` names
    the line of the first problem (the kinds themselves are checked by ``kinds.clean``)."""

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, fields={"file": [message]})

    text, _note = decode_text(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    if not rows:
        raise refuse(f"{filename} is empty.")
    line, header = rows[0]
    if [h.strip().lower() for h in header] != GLOSSARY_HEADER:
        raise refuse(
            f"Line {line} of {filename} must be the header term,kind,replacement "
            f"(found {','.join(header)})."
        )
    terms = []
    for line, row in rows[1:]:
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
    if not terms:
        raise refuse(f"{filename} has the header but no terms.")
    return terms
