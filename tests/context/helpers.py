"""Builders for context tests: campaign CSVs, XLSX workbooks, PDFs, and assets per kind."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from huddle.context import services
from huddle.context.models import ContextAsset
from huddle.context.services import Upload

CAMPAIGN_CSV = (
    "date,channel,campaign,impressions,clicks,spend,leads,conversions\n"
    "2026-07-01,Email,Launch,1000,50,100.00,5,2\n"
    "2026-07-02,Email,Launch,1000,30,100.00,5,1\n"
    "2026-07-03,Paid social,Launch,8000,80,400.00,10,2\n"
    "2026-09-30,Search,Retarget,2000,40,200.00,0,0\n"
)

SAMPLE_DATA: dict[str, dict[str, Any]] = {
    "brand": {
        "voice": "Plain, warm and **confident**.",
        "do": "Use short sentences\nSay 'you'",
        "dont": ["Use jargon"],
        "samples": "Ship it.",
    },
    "persona": {
        "role": "CMO at a 200-person SaaS",
        "goals": "Pipeline growth\nBrand trust",
        "pains": ["Too many tools"],
        "objections": ["No time to switch"],
        "channels": ["LinkedIn"],
        "quotes": ["Show me the numbers."],
        "notes": "Reads on mobile.",
    },
    "messaging": {
        "positioning": "The team's AI know-how, shared.",
        "pillars": [
            {"name": "Faster", "proof_points": ["Saves 3 hours a week"]},
            {"name": "Safer", "proof_points": ["Self-hosted", "Audit log"]},
        ],
    },
    "glossary": {
        "terms": [
            {"term": "customers", "kind": "preferred", "replacement": "users"},
            {"term": "leverage", "kind": "banned", "replacement": "use"},
            {"term": "Huddle", "kind": "product", "replacement": ""},
        ]
    },
    "other": {"text": "Anything *else*."},
}


def make_asset(persona, kind: str = "brand", slug: str = "brand_voice", **kwargs) -> ContextAsset:
    """An asset created by ``persona`` (an editor's is approved at once)."""
    if kind == "campaign_data" and "upload" not in kwargs:
        kwargs["upload"] = Upload("q3.csv", CAMPAIGN_CSV.encode())
    elif kind != "campaign_data" and "upload" not in kwargs:
        kwargs.setdefault("data", SAMPLE_DATA[kind])
    return services.asset_create(
        actor=persona.actor,
        organization=persona.org,
        kind=kind,
        slug=slug,
        title=kwargs.pop("title", slug.replace("_", " ").capitalize()),
        **kwargs,
    )


def xlsx_bytes(sheets: dict[str, list[list[Any]]], cached: dict[str, str] | None = None) -> bytes:
    """A workbook; ``cached`` gives formula cells ({"D2": "20"}) a saved result, as Excel does."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not cached:
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for cell, value in cached.items():
                    start = text.index(f'<c r="{cell}"')
                    end = text.index("</c>", start)
                    piece = text[start:end].replace("<v></v>", "").replace("<v />", "")
                    text = text[:start] + piece + f"<v>{value}</v>" + text[end:]
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def pdf_bytes(text: str | None) -> bytes:
    """A one-page PDF, with ``text`` drawn on it or (None) nothing at all."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; the first is the catalog) and its xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def docx_bytes(paragraphs: list[tuple[str, str]]) -> bytes:
    """A DOCX of (style, text) paragraphs, e.g. ("Heading 1", "Voice")."""
    import docx

    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
