"""One way in for an uploaded file: what it is for its asset's kind, the quick check made while
the upload is received, and the parse, done outside any database transaction by whoever calls
it (the worker's job, the CLI).

DOCX, XLSX and PDF are parsed in a child process held to hard limits (``isolated``): their
libraries are bounded by the checks before them, but not in everything they do. CSV, Markdown
and text are read here, in plain Python bounded by the limits.

Nothing here touches the database or Django's settings, except ``parse_upload`` reading the
child's limits (the child itself runs ``parse_here``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from huddle.context.parsing.documents import document_text
from huddle.context.parsing.glossary import glossary_terms
from huddle.context.parsing.limits import Progress, refuse
from huddle.context.parsing.package import XLSX, check_docx, check_package
from huddle.context.parsing.tables import ParsedTable, check_csv_header, parse_table

DOCUMENT_KINDS = ("brand", "persona", "other")
ISOLATED = ("xlsx", "docx", "pdf")


@dataclass(frozen=True)
class ParsedUpload:
    """What a file gave: a table (campaign data), a text (brand, persona, other) or terms
    (glossary)."""

    name: str
    table: ParsedTable | None = None
    text: str | None = None
    terms: list[dict[str, str]] | None = None

    def to_wire(self) -> dict[str, Any]:
        """As JSON (the child's answer)."""
        table = None
        if self.table is not None:
            table = {
                **{k: getattr(self.table, k) for k in ("columns", "roles", "row_count")},
                **{k: getattr(self.table, k) for k in ("preview", "summary", "notes")},
                "table_gz": base64.b64encode(self.table.table_gz).decode("ascii"),
            }
        return {"name": self.name, "table": table, "text": self.text, "terms": self.terms}

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> ParsedUpload:
        table = wire.get("table")
        if table is not None:
            table = ParsedTable(**{**table, "table_gz": base64.b64decode(table["table_gz"])})
        return cls(name=wire["name"], table=table, text=wire.get("text"), terms=wire.get("terms"))


def upload_format(kind: str, name: str) -> str:
    """``csv``, ``xlsx``, ``glossary``, ``text``, ``docx`` or ``pdf``: how a file named ``name``
    is read for an asset of ``kind``; ``ValidationFailed`` for a file the kind doesn't take."""
    suffix = PurePath(name).suffix.lower()
    if kind == "campaign_data":
        if suffix in {".xlsx", ".xlsm"}:
            return "xlsx"
        if suffix in {".csv", ".txt", ".tsv", ""}:
            return "csv"
        if suffix == ".xls":
            raise refuse(f"{name} is an old Excel .xls file: save it as .xlsx or CSV.")
        raise refuse(f"{name}: upload a CSV or XLSX file.")
    if kind == "glossary":
        return "glossary"
    if kind in DOCUMENT_KINDS:
        if suffix in {".md", ".markdown", ".txt"}:
            return "text"
        if suffix in {".docx", ".pdf"}:
            return suffix[1:]
        raise refuse(f"{name}: upload a Markdown, text, DOCX or PDF file.")
    raise refuse("A messaging hierarchy is edited on its page, not uploaded.")


def inspect_upload(kind: str, name: str, raw: bytes) -> str:
    """The checks cheap enough to make while the upload is received (the archive of a DOCX or
    XLSX, a DOCX's paragraph count, a CSV's first row, a PDF's signature), so that most hostile
    files are refused at once; the format. Raises ``ValidationFailed``."""
    fmt = upload_format(kind, name)
    if fmt == "xlsx":
        check_package(raw, name, XLSX)
    elif fmt == "docx":
        check_docx(raw, name)
    elif fmt == "pdf" and b"%PDF-" not in raw[:1024]:
        raise refuse(f"{name} is not a readable PDF (it does not start as a PDF does).")
    elif fmt == "csv":
        check_csv_header(raw, name)
    return fmt


def parse_here(
    kind: str, name: str, raw: bytes, *, max_rows: int, on_progress: Progress | None = None
) -> ParsedUpload:
    """Parse in this process (the child runs this). Raises ``ValidationFailed``."""
    fmt = upload_format(kind, name)
    if fmt in {"csv", "xlsx"}:
        return ParsedUpload(
            name, table=parse_table(raw, name, max_rows=max_rows, on_progress=on_progress)
        )
    if fmt == "glossary":
        return ParsedUpload(name, terms=glossary_terms(raw, name))
    return ParsedUpload(name, text=document_text(raw, name, on_progress=on_progress))


def parse_upload(
    kind: str,
    name: str,
    raw: bytes,
    *,
    on_progress: Progress | None = None,
    inspected: bool = False,
) -> ParsedUpload:
    """Parse an upload for an asset of ``kind``: ``inspect_upload`` first (unless ``inspected``
    already), then DOCX, XLSX and PDF in a child process with the settings' limits, the others
    here. Raises ``ValidationFailed`` naming the problem (a limit the child hit included)."""
    from django.conf import settings

    from huddle.context.parsing.isolated import parse_isolated

    fmt = upload_format(kind, name) if inspected else inspect_upload(kind, name, raw)
    max_rows = settings.HUDDLE_CONTEXT_MAX_ROWS
    if fmt in ISOLATED:
        return parse_isolated(
            kind,
            name,
            raw,
            max_rows=max_rows,
            seconds=settings.HUDDLE_UPLOAD_PARSE_SECONDS,
            megabytes=settings.HUDDLE_UPLOAD_PARSE_MB,
            on_progress=on_progress,
        )
    return parse_here(kind, name, raw, max_rows=max_rows, on_progress=on_progress)
