"""Office files (DOCX, XLSX) are zip archives: checked here before openpyxl or python-docx open
them, so a zip bomb, a damaged archive or an XML entity bomb is refused with a message instead of
taking the worker's memory, time or an HTML 500.

``check_package`` reads the archive's directory itself first (its size bounds how many entries
``zipfile`` would build), then every entry's header (names, compression, encryption, overlapping
data, declared sizes and compression ratio), then inflates every entry from the upload's bytes
with its own decompressor, stopping as soon as an entry passes the size it declares: the real
size is measured, not read from a header a hostile file writes as it likes. While an entry is
inflated, an XML part's prolog goes through expat up to its first element: a document type
declaration (where entities, and the "billion laughs", are declared) is refused — Office never
writes one. Nested archives (a chart's workbook inside a DOCX) are never opened by the libraries;
they count towards the sizes like any other entry.
"""

from __future__ import annotations

import io
import itertools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from huddle.context.parsing.limits import (
    MAX_DOCUMENT_CHARS,
    MAX_DOCX_PART,
    MAX_PARAGRAPHS,
    MAX_XML_ELEMENTS,
    MAX_ZIP_DIRECTORY_BYTES,
    MAX_ZIP_ENTRIES,
    MAX_ZIP_INFLATED,
    MAX_ZIP_RATIO,
    RATIO_FROM,
    megabytes,
    refuse,
)
from huddle.core.errors import ValidationFailed

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files, and encrypted Office files
LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
CHUNK = 256 * 1024
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OFFICE_DOCUMENT = re.compile(r"/officeDocument$")


@dataclass(frozen=True)
class Format:
    suffix: str  # ".xlsx"
    label: str  # "XLSX workbook"
    old: str  # "Excel 97-2003 (.xls)"


XLSX = Format(".xlsx", "XLSX workbook", "Excel 97-2003 (.xls)")
DOCX = Format(".docx", "DOCX document", "Word 97-2003 (.doc)")


def check_package(raw: bytes, filename: str, fmt: Format) -> zipfile.ZipFile:
    """The upload as an open ``ZipFile`` once every check passed; ``ValidationFailed`` naming
    the first problem otherwise. Costs one pass of inflating (at most ``MAX_ZIP_INFLATED``)."""
    if raw.startswith(OLE_MAGIC):
        raise refuse(
            f"{filename} is password-protected or saved in the old {fmt.old} format; save it "
            f"as {fmt.suffix} without a password and upload it again."
        )
    damaged = f"{filename} is not a readable {fmt.label}"
    if not raw.startswith(b"PK"):
        raise refuse(f"{damaged}: it is not a zip archive, as every {fmt.suffix} file is.")
    directory = _directory_size(raw)
    if directory is None:
        raise refuse(f"{damaged}: the archive is damaged or incomplete (no directory at its end).")
    if directory > MAX_ZIP_DIRECTORY_BYTES:
        raise refuse(
            f"{filename} lists more files inside than Huddle reads: its directory takes "
            f"{megabytes(directory)}; the limit is {megabytes(MAX_ZIP_DIRECTORY_BYTES)}."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise refuse(f"{damaged}: the archive is damaged or incomplete ({error}).") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise refuse(
            f"{filename} holds {len(entries):,} files inside; the limit is {MAX_ZIP_ENTRIES:,}."
        )
    starts = _check_headers(raw, filename, damaged, entries)
    for entry in entries:
        prolog = _Prolog(filename, entry.filename)
        for piece in _inflate(raw, starts[entry.filename, entry.header_offset], entry, filename):
            prolog.feed(piece)
        prolog.close()
    return archive


def _too_big(filename: str, size: int) -> ValidationFailed:
    return refuse(
        f"{filename} would inflate to {megabytes(size)}; the limit is "
        f"{megabytes(MAX_ZIP_INFLATED)}."
    )


def _directory_size(raw: bytes) -> int | None:
    """The size of the central directory from the end record (zip64's if there is one)."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 22 - 65535))
    if end < 0 or len(raw) < end + 22:
        return None
    size = struct.unpack_from("<I", raw, end + 12)[0]
    locator = end - 20
    if locator >= 0 and raw[locator : locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", raw, locator + 8)[0]
        if raw[record : record + 4] != b"PK\x06\x06" or len(raw) < record + 56:
            return None
        size = struct.unpack_from("<Q", raw, record + 40)[0]
    return int(size)


def _check_headers(
    raw: bytes, filename: str, damaged: str, entries: list[zipfile.ZipInfo]
) -> dict[tuple[str, int], int]:
    """Check every entry's header; the offset where each entry's data starts."""
    declared = 0
    starts: dict[tuple[str, int], int] = {}
    for entry in entries:
        name = entry.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or "\x00" in name or ":" in parts[0]:
            raise refuse(
                f"{filename} holds a file named {name!r}, which points outside the archive."
            )
        if entry.flag_bits & 0x1:
            raise refuse(
                f"{filename} has encrypted parts; save it without a password and upload it again."
            )
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(
                f"{damaged}: {name} is compressed in a way Office files never are "
                f"(method {entry.compress_type})."
            )
        declared += entry.file_size
        if declared > MAX_ZIP_INFLATED:
            raise _too_big(filename, declared)
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= RATIO_FROM and ratio > MAX_ZIP_RATIO:
            raise refuse(
                f"{filename}: {name} inflates to {ratio:,.0f} times its compressed size "
                f"({megabytes(entry.file_size)}); the limit is {MAX_ZIP_RATIO} times. It looks "
                "like a zip bomb."
            )
        header = raw[entry.header_offset : entry.header_offset + LOCAL_HEADER.size]
        if len(header) < LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise refuse(f"{damaged}: the archive is damaged or incomplete ({name}).")
        name_length, extra_length = LOCAL_HEADER.unpack(header)[-2:]
        starts[name, entry.header_offset] = (
            entry.header_offset + LOCAL_HEADER.size + name_length + extra_length
        )
    ordered = sorted(entries, key=lambda e: e.header_offset)
    for entry, following in itertools.pairwise(ordered):
        if starts[entry.filename, entry.header_offset] + entry.compress_size > (
            following.header_offset
        ):
            raise refuse(
                f"{damaged}: files inside it overlap ({entry.filename} and "
                f"{following.filename}), a zip-bomb technique."
            )
    return starts


def _inflate(raw: bytes, start: int, entry: zipfile.ZipInfo, filename: str) -> Iterator[bytes]:
    """The entry's bytes, inflated from the upload with a decompressor of our own, in pieces of
    at most ``CHUNK``; refused the moment they pass the declared size, or if they fall short of
    it or fail the checksum."""
    name, declared = entry.filename, entry.file_size
    damaged = f"{filename} is damaged: {name}"
    data = memoryview(raw)[start : start + entry.compress_size]
    if len(data) < entry.compress_size:
        raise refuse(f"{damaged} is cut short (the archive is incomplete).")
    produced, crc = 0, 0

    def count(piece: bytes) -> bytes:
        nonlocal produced, crc
        produced += len(piece)
        if produced > declared:
            raise refuse(
                f"{filename}: {name} inflates to more than the {megabytes(declared)} it "
                "declares (a zip bomb, or a damaged file)."
            )
        crc = zlib.crc32(piece, crc)
        return piece

    if entry.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(data), CHUNK):
            yield count(bytes(data[offset : offset + CHUNK]))
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for offset in range(0, len(data), CHUNK):
                pending = data[offset : offset + CHUNK]
                while pending and not inflater.eof:
                    yield count(inflater.decompress(pending, CHUNK))
                    pending = inflater.unconsumed_tail
                if inflater.eof:
                    break
            while not inflater.eof and (piece := inflater.decompress(b"", CHUNK)):
                yield count(piece)
        except zlib.error as error:
            raise refuse(f"{damaged} is corrupt ({error}).") from None
        if not inflater.eof:
            raise refuse(f"{damaged} is cut short (the archive is incomplete).")
    if produced != declared or crc != entry.CRC:
        raise refuse(f"{damaged} fails its checksum.")


def library_errors() -> tuple[type[BaseException], ...]:
    """What openpyxl, python-docx and the XML parsers under them raise on a malformed file
    (caught as a refusal naming the file, never a 500)."""
    from lxml import etree

    return (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        EOFError,
        SyntaxError,  # xml.etree's ParseError and lxml's XMLSyntaxError
        etree.LxmlError,
        zlib.error,
        struct.error,
        RecursionError,  # structures nested past Python's stack
    )


class _Stop(Exception):
    """The first element started: the prolog, where a DTD would be, is over."""


class _Prolog:
    """Feeds an XML part to expat until its first element; refuses a DTD or bad XML before it.

    Only parts that look like XML are checked (by name, or by a first byte of ``<``); images and
    other binary parts are left alone. SVG images may carry a DOCTYPE and are never parsed."""

    def __init__(self, filename: str, name: str) -> None:
        self.filename, self.name = filename, name
        self.xml: bool | None = True if name.lower().endswith((".xml", ".rels")) else None
        self.done = name.lower().endswith(".svg")
        self.fed = False
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._stop

    def _doctype(self, *args: object) -> None:
        raise refuse(
            f"{self.filename}: {self.name} holds a document type declaration (<!DOCTYPE …>), "
            "where XML entities are declared; Office files never have one, so it is refused."
        )

    def _stop(self, *args: object) -> None:
        raise _Stop

    def feed(self, piece: bytes, final: bool = False) -> None:
        if self.done or (not piece and not final):
            return
        self.fed = True
        if self.xml is None:
            head = piece.lstrip(b" \t\r\n")
            self.xml = head.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe", b"\xfe\xff"))
            if not self.xml:
                self.done = True
                return
        try:
            self.parser.Parse(piece, final)
        except _Stop:
            self.done = True
        except expat.ExpatError as error:
            raise self._malformed(f"{expat.ErrorString(error.code)}, line {error.lineno}") from None
        except ValueError as error:  # an encoding expat can't read ("multi-byte encodings…")
            raise self._malformed(str(error)) from None

    def _malformed(self, why: str) -> ValidationFailed:
        return refuse(f"{self.filename}: {self.name} is not well-formed XML ({why}).")

    def close(self) -> None:
        # An empty part is not ours to judge: the library says so if it needs the part.
        if not self.done and self.xml and self.fed:
            self.feed(b"", final=True)


def docx_main_part(archive: zipfile.ZipFile, filename: str) -> str:
    """The name of a DOCX's document part, as python-docx finds it (``_rels/.rels``)."""
    from lxml import etree

    try:
        rels = etree.fromstring(archive.read("_rels/.rels"), _safe_parser())
    except (KeyError, etree.LxmlError) as error:
        raise refuse(f"{filename} is not a readable DOCX document ({error}).") from None
    for rel in rels:
        if OFFICE_DOCUMENT.search(rel.get("Type", "")):
            target = rel.get("Target", "").lstrip("/")
            if target in archive.NameToInfo:
                return target
    raise refuse(f"{filename} is not a readable DOCX document (it has no main document part).")


def _safe_parser() -> object:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Docx:
    archive: zipfile.ZipFile
    main: str  # the document part's name


def check_docx(raw: bytes, filename: str) -> Docx:
    """``check_package``, then the document part: its size, and a count of its XML elements and
    paragraphs from its bytes (``<`` that start a tag; tags named ``p`` under any prefix), which
    can only count too many, never too few: fast enough for the request that receives the
    upload. ``count_docx`` counts exactly, in the parsing process."""
    archive = check_package(raw, filename, DOCX)
    main = docx_main_part(archive, filename)
    size = archive.getinfo(main).file_size
    if size > MAX_DOCX_PART:
        raise refuse(
            f"{filename}: its text part ({main}) is {megabytes(size)} of XML; the limit is "
            f"{megabytes(MAX_DOCX_PART)}. Split the document into several assets."
        )
    counter = _Counter(filename, main)
    tail = b""
    with archive.open(main) as part:
        while chunk := part.read(CHUNK):
            data = tail + chunk
            # A tag cut by the chunk's end is counted with the next chunk.
            cut = data.rfind(b"<")
            cut = cut if cut >= len(data) - 256 else len(data)
            data, tail = data[:cut], data[cut:]
            starts = data.count(b"<") - data.count(b"</") - data.count(b"<!") - data.count(b"<?")
            counter.add("elements", starts)
            counter.add("paragraphs", len(PARAGRAPH_TAG.findall(data)))
    counter.add("elements", tail.count(b"<"))
    return Docx(archive, main)


# A paragraph's start (or empty) tag, whatever its prefix: ``<w:p>``, ``<w:p w:rsidR=…>``, ``<p/>``.
PARAGRAPH_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?p[\s/>]")


# What is counted in a DOCX's document part: its limit, and what it is called.
COUNTED = {
    "elements": (MAX_XML_ELEMENTS, "elements of formatting and text in {main}"),
    "paragraphs": (MAX_PARAGRAPHS, "paragraphs (empty ones count too)"),
    "characters": (MAX_DOCUMENT_CHARS, "characters of text"),
}


class _Counter:
    """Counts of a DOCX's document part, refused past their limits."""

    def __init__(self, filename: str, main: str) -> None:
        self.filename, self.main = filename, main
        self.counts = dict.fromkeys(COUNTED, 0)

    def add(self, what: str, amount: int) -> None:
        self.counts[what] += amount
        limit, called = COUNTED[what]
        if self.counts[what] > limit:
            raise refuse(
                f"{self.filename} has more than {limit:,} {called.format(main=self.main)}; the "
                f"limit is {limit:,}. Split it into several assets."
            )


def count_docx(docx: Docx, filename: str) -> None:
    """Count the document part's elements, paragraphs and characters of text exactly, as they
    stream (lxml, each element dropped once counted), before python-docx holds the part whole
    as a tree, makes an object per paragraph and walks every run to read a paragraph's text."""
    from lxml import etree

    paragraph, text = f"{{{W}}}p", f"{{{W}}}t"
    counter = _Counter(filename, docx.main)
    with docx.archive.open(docx.main) as part:
        try:
            for _event, element in etree.iterparse(
                part, resolve_entities=False, no_network=True, load_dtd=False
            ):
                counter.add("elements", 1)
                if element.tag == paragraph:
                    counter.add("paragraphs", 1)
                elif element.tag == text:
                    counter.add("characters", len(element.text or ""))
                # What has been counted is dropped, so the tree never grows.
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del element.getparent()[0]
        except etree.LxmlError as error:
            raise refuse(f"{filename}: {docx.main} is not well-formed XML ({error}).") from None
