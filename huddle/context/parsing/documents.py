"""Markdown, text, DOCX and PDF uploads become Markdown text.

Limits (``limits``): a DOCX is checked as an archive, and its elements, paragraphs and
characters counted, before python-docx opens it (``package.check_docx``, ``count_docx``); a
PDF's pages are counted and the drawing instructions pypdf would walk for text are measured
before any text is read; the text itself stops at ``MAX_DOCUMENT_CHARS``.
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from huddle.context.parsing.limits import (
    MAX_DOCUMENT_CHARS,
    MAX_PAGES,
    MAX_PDF_CONTENT_BYTES,
    Progress,
    megabytes,
    refuse,
)
from huddle.context.parsing.package import check_docx, count_docx, library_errors
from huddle.context.parsing.text import decode_text
from huddle.core.errors import ValidationFailed

DOCUMENT_TYPES = (".md", ".markdown", ".txt", ".docx", ".pdf")


class _Text:
    """Blocks of text joined by blank lines, refused the moment they pass the limit."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.blocks: list[str] = []
        self.size = 0

    def add(self, block: str) -> None:
        self.blocks.append(block)
        self.size += len(block) + 2
        if self.size > MAX_DOCUMENT_CHARS:
            raise _too_long(self.filename, None)

    def text(self) -> str:
        return "\n\n".join(self.blocks)


def _too_long(filename: str, size: int | None) -> ValidationFailed:
    found = f"{size:,}" if size is not None else f"more than {MAX_DOCUMENT_CHARS:,}"
    return refuse(
        f"{filename} has {found} characters of text; the limit is {MAX_DOCUMENT_CHARS:,}. "
        "Split it into several assets."
    )


def document_text(raw: bytes, filename: str, *, on_progress: Progress | None = None) -> str:
    """The text of an uploaded document, as Markdown. ``ValidationFailed`` names the problem."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in {".md", ".markdown", ".txt"}:
        text, _note = decode_text(raw)
    elif suffix == ".docx":
        text = _docx_text(raw, filename)
    elif suffix == ".pdf":
        text = _pdf_text(raw, filename, on_progress)
    else:
        raise refuse(f"{filename}: upload a Markdown, text, DOCX or PDF file.")
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise refuse(f"{filename} has no text.")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise _too_long(filename, len(text))
    return text


def _docx_text(raw: bytes, filename: str) -> str:
    import docx
    from docx.opc.exceptions import OpcError

    count_docx(check_docx(raw, filename), filename)
    out = _Text(filename)
    try:
        document = docx.Document(io.BytesIO(raw))
        for paragraph in document.paragraphs:
            text = paragraph.text.strip()
            if not text:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if style.startswith("Heading") and style[-1:].isdigit():
                out.add("#" * min(int(style[-1]), 6) + " " + text)
            elif style.startswith("List"):
                out.add(f"- {text}")
            else:
                out.add(text)
        for table in document.tables:
            for row in table.rows:
                out.add(" | ".join(cell.text.strip() for cell in row.cells))
    except (OpcError, *library_errors()) as error:
        raise refuse(f"{filename} is not a readable DOCX document ({error}).") from None
    return out.text()


def _pdf_text(raw: bytes, filename: str, on_progress: Progress | None) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%PDF-" not in raw[:1024]:
        raise refuse(f"{filename} is not a readable PDF (it does not start as a PDF does).")
    out = _Text(filename)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise refuse(f"{filename} is password-protected; upload an unprotected copy.")
        pages = reader.pages
        count = len(pages)
        if count > MAX_PAGES:
            raise refuse(
                f"{filename} has {count:,} pages; the limit is {MAX_PAGES:,}. Split it into "
                "several assets."
            )
        content = 0
        for page in pages:
            content += _content_bytes(page)
            if content > MAX_PDF_CONTENT_BYTES:
                raise refuse(
                    f"{filename} has more than {megabytes(MAX_PDF_CONTENT_BYTES)} of drawing "
                    "instructions to read through for its text (pages that repeat the same "
                    "content count each time); the limit is "
                    f"{megabytes(MAX_PDF_CONTENT_BYTES)}. Export the text (or a text-only "
                    "PDF) and upload that."
                )
        for number, page in enumerate(pages, start=1):
            text = (page.extract_text() or "").strip()
            if text:
                out.add(text)
            if on_progress is not None:
                on_progress(number / count, f"page {number:,} of {count:,} read")
    except (PyPdfError, *library_errors()) as error:
        raise refuse(f"{filename} is not a readable PDF ({error}).") from None
    if not out.blocks:
        raise refuse(
            f"{filename} has no text layer in its {count} page(s) — it is probably a scan. "
            "Export it with text (or run OCR) and upload again."
        )
    return out.text()


def _content_bytes(page: Any) -> int:
    """The decoded size of what extracting a page's text walks: its content streams and the
    form XObjects they draw (each counted once per page, as extraction walks it once)."""
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    total = 0
    seen: set[int] = set()

    def streams(value: Any) -> list[Any]:
        value = value.get_object() if value is not None else None
        if isinstance(value, ArrayObject):
            return [item.get_object() for item in value]
        return [value] if isinstance(value, StreamObject) else []

    def walk(holder: Any, contents: list[Any]) -> None:
        nonlocal total
        for stream in contents:
            if id(stream) in seen:
                continue
            seen.add(id(stream))
            total += len(stream.get_data())
        resources = holder.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        objects = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
        objects = objects.get_object() if objects is not None else None
        if not isinstance(objects, DictionaryObject):
            return
        for reference in objects.values():
            form = reference.get_object()
            if (
                isinstance(form, StreamObject)
                and form.get("/Subtype") == "/Form"
                and id(form) not in seen
            ):
                walk(form, [form])

    walk(page, streams(page.get("/Contents")))
    return total
