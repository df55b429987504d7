"""Reading uploaded files: tables (CSV, XLSX), glossaries (CSV) and documents (Markdown, text,
DOCX, PDF). Every refusal is a ``ValidationFailed`` saying what is wrong and where (row, column,
cell) and, past a limit (``limits``), which; nothing here writes to the database. ``upload`` is
the way in (the quick checks on receipt, the parse, in a limited child process for DOCX, XLSX
and PDF: ``isolated``); ``package`` checks Office files as zip archives first."""

from __future__ import annotations

from huddle.context.parsing.documents import document_text
from huddle.context.parsing.tables import ParsedTable, parse_table
from huddle.context.parsing.text import decode_text, read_upload

__all__ = ["ParsedTable", "decode_text", "document_text", "parse_table", "read_upload"]
