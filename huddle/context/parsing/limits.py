"""The limits every uploaded file is held to, chosen far above what a marketing team's real files
reach (a year of daily campaign rows, a 300-page brand book) and far below what takes a worker
down. A refusal names the limit: "The sheet has 16,384 columns; the limit is 200."

The row cap is a setting (``HUDDLE_CONTEXT_MAX_ROWS``); so are the time and memory a parse may
take (``HUDDLE_UPLOAD_PARSE_SECONDS``, ``HUDDLE_UPLOAD_PARSE_MB``, see ``isolated``).
"""

from __future__ import annotations

from collections.abc import Callable

from huddle.core.errors import ValidationFailed

# What a parser reports while it works: the share done (None when unknown) and a few words.
Progress = Callable[[float | None, str], None]

MB = 1024 * 1024

# Tables (CSV, XLSX).
MAX_COLUMNS = 200
MAX_CELLS = 4_000_000  # rows times columns: 200,000 rows of 20 columns
MAX_LINE_CHARS = 1 * MB  # one physical line of a CSV (bounds a row before it is split)
# Documents (DOCX, PDF, Markdown, text).
MAX_DOCUMENT_CHARS = 500_000
MAX_PARAGRAPHS = 50_000
MAX_XML_ELEMENTS = 2_000_000  # of a DOCX's document part: paragraphs, runs, text, formatting
MAX_PAGES = 500
# pypdf reads text by walking every drawing instruction of a page (about 1.5 s per MB); pages
# sharing one stream count it once per page, since each page walks it again.
MAX_PDF_CONTENT_BYTES = 8 * MB
# Office files (DOCX, XLSX) are zip archives, checked before any library opens them.
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_DIRECTORY_BYTES = 1 * MB  # the central directory: 2,000 entries take about 200 KB
MAX_ZIP_INFLATED = 256 * MB  # every entry, inflated
MAX_DOCX_PART = 32 * MB  # the document's own XML, which python-docx holds in memory whole
MAX_ZIP_RATIO = 100  # inflated / compressed, for entries of RATIO_FROM bytes or more
RATIO_FROM = 1 * MB


def refuse(message: str, field: str = "file") -> ValidationFailed:
    """The ``ValidationFailed`` for a file over a limit (or otherwise unreadable)."""
    return ValidationFailed(message, fields={field: [message]})


def megabytes(size: int) -> str:
    """``size`` bytes as people read it: 1.5 GB, 37.0 MB, 12 KB, 300 bytes."""
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"
