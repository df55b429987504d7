"""Hostile uploads, built by small generators (no committed binaries).

Each builder returns the bytes of one file that used to hold a worker for seconds, take gigabytes
or answer an HTML 500 (issue 18, item 3). Office files are written by hand (``zipfile`` and a few
lines of XML): the smallest packages openpyxl and python-docx open.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

from tests.context.helpers import pdf_bytes, pdf_of

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    "{overrides}</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{target}"/></Relationships>'
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>\n"
)


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_package(document: str | bytes, extra: dict[str, bytes | str] | None = None) -> bytes:
    """A DOCX whose ``word/document.xml`` is ``document``."""
    main = (
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'
    )
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(overrides=main),
            "_rels/.rels": RELS.format(target="word/document.xml"),
            "word/document.xml": document,
            **(extra or {}),
        }
    )


def docx_document(body: str, prolog: str = '<?xml version="1.0"?>\n', prefix: str = "w") -> str:
    """``word/document.xml`` around ``body`` (written with the ``w:`` prefix, or ``prefix``)."""
    if prefix != "w":
        body = body.replace("<w:", f"<{prefix}:").replace("</w:", f"</{prefix}:")
    return (
        f'{prolog}<{prefix}:document xmlns:{prefix}="{W}"><{prefix}:body>{body}</{prefix}:body>'
        f"</{prefix}:document>"
    )


def xlsx_package(sheet: str | bytes, workbook_prolog: str = "") -> bytes:
    """An XLSX with one sheet, ``xl/worksheets/sheet1.xml`` = ``sheet`` (inline strings)."""
    overrides = (
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    workbook = (
        f'{workbook_prolog}<workbook xmlns="{S}" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(overrides=overrides),
            "_rels/.rels": RELS.format(target="xl/workbook.xml"),
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": workbook_rels,
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def sheet_xml(rows: list[list[str | int]], dimension: str = "", prolog: str = "") -> str:
    """A sheet of ``rows`` (strings inline, numbers as numbers), with a ``<dimension>``."""
    from huddle.context.parsing.text import column_letter

    lines = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{column_letter(c)}{r}"
            if isinstance(value, str):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{prolog}<worksheet xmlns="{S}">{dim}<sheetData>{"".join(lines)}</sheetData></worksheet>'
    )


SMALL_TABLE: list[list[str | int]] = [["channel", "clicks"], ["Email", 5], ["Search", 7]]


def xlsx_huge_dimension() -> bytes:
    """A few cells, but a ``<dimension>`` claiming every cell of the sheet: A1:XFD1048576."""
    return xlsx_package(sheet_xml(SMALL_TABLE, dimension="A1:XFD1048576"))


def xlsx_far_cell() -> bytes:
    """A real cell in column XFD (16,384) and one in row 1,048,576."""
    sheet = sheet_xml(SMALL_TABLE).replace(
        "</sheetData>",
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )
    return xlsx_package(sheet)


def docx_empty_paragraphs(count: int = 2_000_000) -> bytes:
    """Two million empty paragraphs: 12 MB of XML, about 50 KB zipped."""
    return docx_package(docx_document("<w:p/>" * count))


def docx_billion_laughs() -> bytes:
    body = "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>"
    return docx_package(docx_document(body, prolog=LAUGHS))


def xlsx_billion_laughs() -> bytes:
    return xlsx_package(sheet_xml([["channel", "clicks"], ["&lol9;", 1]], prolog=LAUGHS))


def xlsx_billion_laughs_in_workbook() -> bytes:
    return xlsx_package(sheet_xml(SMALL_TABLE), workbook_prolog=LAUGHS)


def _deflated_zeros(megabytes: int) -> bytes:
    """A raw deflate stream of ``megabytes`` MiB of zeros, about 1 KB per MiB: one MiB is
    compressed between two full flushes, so the piece stands alone and repeats."""
    block = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressor.compress(block)
    compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return piece * megabytes + compressor.flush(zlib.Z_FINISH)


def _raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip of already-deflated entries: (name, data, crc, declared size, method)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size, method in entries:
        offset = out.tell()
        encoded = name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size,
            len(encoded), 0,
        )  # fmt: skip
        out.write(header + encoded + data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
                size, len(encoded), 0, 0, 0, 0, 0, offset,
            ) + encoded
        )  # fmt: skip
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0
        )
    )
    return out.getvalue()


def _office_entries(kind: str) -> list[tuple[str, bytes, int, int, int]]:
    """The small parts of a valid package (stored), the big part left to the caller."""
    source = (
        xlsx_package(sheet_xml(SMALL_TABLE))
        if kind == "xlsx"
        else docx_package(docx_document("<w:p><w:r><w:t>Hello</w:t></w:r></w:p>"))
    )
    archive = zipfile.ZipFile(io.BytesIO(source))
    entries = []
    for info in archive.infolist():
        content = archive.read(info)
        entries.append((info.filename, content, zlib.crc32(content), len(content), 0))
    return entries


def zip_bomb(kind: str, megabytes: int = 1536, *, lie: bool = False) -> bytes:
    """A DOCX or XLSX with a media part of ``megabytes`` MiB of zeros (1.5 GB from 1.5 MB).

    Its directory declares the whole size (and a checksum left at 0: computing the real one
    takes seconds, and the size alone is refused); or, ``lie``, 1 MiB and that MiB's checksum,
    while the part still inflates to all of it: a check trusting the header sees a small file."""
    stream = _deflated_zeros(megabytes)
    size, crc = megabytes * 1024 * 1024, 0
    if lie:
        size, crc = 1024 * 1024, zlib.crc32(bytes(1024 * 1024))
    folder = "xl" if kind == "xlsx" else "word"
    return _raw_zip([*_office_entries(kind), (f"{folder}/media/image1.png", stream, crc, size, 8)])


def zip_many_entries(kind: str, count: int = 100_000) -> bytes:
    """A package with ``count`` tiny entries."""
    extra = [(f"customXml/item{n}.xml", b"", 0, 0, 0) for n in range(count)]
    return _raw_zip([*_office_entries(kind), *extra])


def zip_with_name(kind: str, name: str) -> bytes:
    return _raw_zip([*_office_entries(kind), (name, b"x", zlib.crc32(b"x"), 1, 0)])


def zip_overlapping(kind: str, copies: int = 200) -> bytes:
    """A "non-recursive" zip bomb: many directory entries pointing at the same data (1 MiB,
    stored), so 200 MB come out of 1 MB without any entry compressing at all."""
    block = bytes(range(256)) * 4096
    data = _raw_zip(
        [*_office_entries(kind), ("media/image1.png", block, zlib.crc32(block), len(block), 0)]
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    target = archive.getinfo("media/image1.png")
    end = data.rindex(b"PK\x05\x06")
    directory_start = struct.unpack("<I", data[end + 16 : end + 20])[0]
    directory = data[directory_start:end]
    extra = b""
    for n in range(copies):
        name = f"media/copy{n:04}.png".encode()
        extra += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, target.CRC,
            target.compress_size, target.file_size, len(name), 0, 0, 0, 0, 0,
            target.header_offset,
        ) + name  # fmt: skip
    count = len(archive.infolist()) + copies
    tail = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory) + len(extra),
        directory_start, 0,
    )  # fmt: skip
    return data[:directory_start] + directory + extra + tail


def nested_zip_docx() -> bytes:
    """A DOCX carrying a zip bomb inside it as an embedded object (as charts embed workbooks)."""
    inner = zip_bomb("xlsx", 64)
    return docx_package(
        docx_document("<w:p><w:r><w:t>Hello</w:t></w:r></w:p>"),
        extra={"word/embeddings/Microsoft_Excel_Sheet1.xlsx": inner},
    )


def truncated(raw: bytes) -> bytes:
    return raw[: len(raw) // 2]


def csv_wide(columns: int = 1_000_000) -> bytes:
    """A campaign CSV with a million columns (a header and one row): about 14 MB."""
    header = "date,clicks," + ",".join(f"c{n}" for n in range(columns - 2))
    row = "2026-07-01,5," + "," * (columns - 3)
    return f"{header}\n{row}\n".encode()


def pdf_shared_stream(pages: int = 25, megabytes: float = 1.0) -> bytes:
    """``pages`` pages whose /Contents are one compressed stream of ``megabytes`` of text
    operators: a few KB of file, every page extracting the whole megabyte again."""
    line = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n"
    content = line * int(megabytes * 1024 * 1024 / len(line))
    stream = zlib.compress(content, 9)
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids.encode(), pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + pages)
    ] * pages
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdf_of(objects)


def pdf_many_pages(pages: int = 5000) -> bytes:
    """Thousands of pages, each with a little text."""
    kids = " ".join(f"{3 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids.encode(), pages),
    ]
    stream = b"BT /F1 12 Tf 72 720 Td (Page) Tj ET"
    font = 3 + pages + 1
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (3 + pages, font)
    ] * pages
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdf_of(objects)


def pdf_broken_xref() -> bytes:
    """A PDF whose cross-reference table is missing and whose startxref points at nothing."""
    raw = pdf_bytes("Warm and brief")
    start = raw.index(b"xref\n")
    end = raw.index(b"trailer")
    return raw[:start] + raw[end:].replace(b"startxref\n", b"startxref\n9")


def pdf_garbage() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 40


def pdf_encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("Secret plans"))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_numbered_paragraphs(count: int = 60_000, prefix: str = "w") -> bytes:
    """Paragraphs of a few characters each: too many, yet compressing like real text."""
    body = "".join(f"<w:p><w:r><w:t>{n}</w:t></w:r></w:p>" for n in range(count))
    return docx_package(docx_document(body, prefix=prefix))


def docx_long_text(characters: int = 520_000) -> bytes:
    """Few paragraphs but more text than an asset holds (random letters: it barely compresses)."""
    rng = random.Random(3)  # noqa: S311 - seeded noise, not a secret
    text = "".join(rng.choice("abcdefghij klmnopqrstuvwxyz") for _ in range(characters))
    body = "".join(
        f"<w:p><w:r><w:t>{text[n : n + 10_000]}</w:t></w:r></w:p>"
        for n in range(0, characters, 10_000)
    )
    return docx_package(docx_document(body))


def docx_many_elements() -> bytes:
    """2.4 million empty runs in 40 paragraphs, with enough noise in comments to compress only
    57 times (15 MB of XML in 260 KB)."""
    rng = random.Random(18)  # noqa: S311 - seeded noise, not a secret
    noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(320_000))
    body = "".join(
        "<w:p>" + "<w:r/>" * 60_000 + f"<!-- {noise[n * 8000 : (n + 1) * 8000]} -->" + "</w:p>"
        for n in range(40)
    )
    return docx_package(docx_document(body))


def docx_unknown_encoding() -> bytes:
    """A document part in an encoding expat doesn't read (where a DTD could hide)."""
    return docx_package(docx_document("<w:p/>", prolog='<?xml version="1.0" encoding="UTF-7"?>\n'))


def corrupt(raw: bytes, name: str) -> bytes:
    """``raw`` with the compressed data of entry ``name`` scrambled in its middle."""
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo(name)
    lengths = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + sum(lengths)
    middle = start + info.compress_size // 2
    return raw[:middle] + bytes(b ^ 0x5A for b in raw[middle : middle + 8]) + raw[middle + 8 :]


def bad_checksum(raw: bytes, name: str) -> bytes:
    """``raw`` with the checksum the directory gives entry ``name`` changed."""
    crc = zipfile.ZipFile(io.BytesIO(raw)).getinfo(name).CRC
    return raw.replace(struct.pack("<I", crc), struct.pack("<I", crc ^ 1))


def docx_heavy_runs(runs: int = 150_000) -> bytes:
    """Within every limit (600,000 XML elements, 7.7 MB of XML, 0.4 MB zipped), but its tree
    takes python-docx over 100 MB."""
    body = "".join(f'<w:r w:rsidR="{n:08X}"><w:rPr><w:b/></w:rPr></w:r>' for n in range(runs))
    return docx_package(docx_document(f"<w:p>{body}<w:r><w:t>Hello</w:t></w:r></w:p>"))


def ole_file() -> bytes:
    """The start of an Office 97-2003 compound file (what an encrypted .xlsx is too)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)


def csv_columns(columns: int) -> bytes:
    header = "date,clicks," + ",".join(f"c{n}" for n in range(columns - 2))
    return f"{header}\n2026-07-01,5{',' * (columns - 2)}\n".encode()
