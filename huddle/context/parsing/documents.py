"""Markdown, text, DOCX and PDF uploads become Markdown text."""

from __future__ import annotations

import io
from pathlib import PurePath

from huddle.context.parsing.text import decode_text
from huddle.core.errors import ValidationFailed

DOCUMENT_TYPES = (".md", ".markdown", ".txt", ".docx", ".pdf")
MAX_DOCUMENT_CHARS = 500_000


def document_text(raw: bytes, filename: str) -> str:
    """The text of an uploaded document, as Markdown. ``ValidationFailed`` names the problem."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in {".md", ".markdown", ".txt"}:
        text, _note = decode_text(raw)
    elif suffix == ".docx":
        text = _docx_text(raw, filename)
    elif suffix == ".pdf":
        text = _pdf_text(raw, filename)
    else:
        raise ValidationFailed(
            f"{filename}: upload a Markdown, text, DOCX or PDF file.",
            fields={"file": ["Unsupported file type."]},
        )
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise ValidationFailed(f"{filename} has no text.", fields={"file": ["No text found."]})
    if len(text) > MAX_DOCUMENT_CHARS:
        raise ValidationFailed(
            f"{filename} has {len(text):,} characters of text; the limit is "
            f"{MAX_DOCUMENT_CHARS:,}. Split it into several assets.",
            fields={"file": ["Too much text."]},
        )
    return text


def _docx_text(raw: bytes, filename: str) -> str:
    from zipfile import BadZipFile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, BadZipFile, ValueError, KeyError, OSError) as error:
        raise ValidationFailed(
            f"{filename} is not a readable DOCX document ({error}).",
            fields={"file": ["Not a DOCX document."]},
        ) from None
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith("Heading") and style[-1:].isdigit():
            lines.append("#" * min(int(style[-1]), 6) + " " + text)
        elif style.startswith("List"):
            lines.append(f"- {text}")
        else:
            lines.append(text)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(lines)


def _pdf_text(raw: bytes, filename: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise ValidationFailed(
                f"{filename} is password-protected; upload an unprotected copy.",
                fields={"file": ["Encrypted PDF."]},
            )
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except PdfReadError as error:
        raise ValidationFailed(
            f"{filename} is not a readable PDF ({error}).", fields={"file": ["Not a PDF."]}
        ) from None
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise ValidationFailed(
            f"{filename} has no text layer in its {len(pages)} page(s) — it is probably a scan. "
            "Export it with text (or run OCR) and upload again.",
            fields={"file": ["No text in the PDF."]},
        )
    return text
