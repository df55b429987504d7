"""Reading an export safely: a zip checked before anything is read, or a bare JSON file.

Nothing is ever extracted to disk: zip members are read as streams (``ZipFile.open``). Before a
byte of content is read the archive is checked, and refused with ``ImportRefused`` (one line
saying what is wrong) for: entry names that are absolute, contain ``..``, backslashes or a drive
letter; more than ``MAX_ENTRIES`` entries; entries that would inflate past
``HUDDLE_IMPORT_MAX_BYTES`` in total; an entry larger than ``RATIO_FROM`` bytes that inflates more
than ``MAX_RATIO`` times its compressed size; encrypted entries. The JSON files are then parsed
as streams (constant memory) by ``iter_json_items`` (``jsonlist``: the standard library's decoder,
chunk by chunk, refusing an item nested too deeply or larger than 64 MB).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings

from huddle.capture.importers.jsonlist import (
    MAX_ITEM,
    NotValid,
    TooDeep,
    TooLarge,
    list_items,
    object_list_items,
)
from huddle.core.errors import HuddleError

MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_FROM = 64 * 1024  # tiny entries (an empty list, a short JSON) compress "too well" legally
CHUNK = 64 * 1024
SPLIT_RE = re.compile(r"^conversations-(\d+)\.json$")
DRIVE_RE = re.compile(r"^[A-Za-z]:")


class ImportRefused(HuddleError):
    """The file can't be imported; nothing was written. ``message`` is one line."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__("import_refused", message)


@dataclass
class Member:
    """One JSON file of the export: its name, uncompressed size and how to open it."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]]


@dataclass
class Export:
    """The JSON files an importer reads, in order; ``bytes_total`` is their uncompressed size."""

    conversations: list[Member]
    projects: Member | None = None
    names: list[str] = field(default_factory=list)

    @property
    def bytes_total(self) -> int:
        projects = self.projects.size if self.projects else 0
        return sum(m.size for m in self.conversations) + projects


def max_bytes() -> int:
    return int(settings.HUDDLE_IMPORT_MAX_BYTES)


def _check_name(name: str) -> None:
    parts = PurePosixPath(name).parts
    if name.startswith("/") or DRIVE_RE.match(name):
        raise ImportRefused(f"The archive has an entry with an absolute path: {name!r}.")
    if "\\" in name:
        raise ImportRefused(f"The archive has an entry with a backslash in its name: {name!r}.")
    if ".." in parts:
        raise ImportRefused(f"The archive has an entry that points outside it ('..'): {name!r}.")


def check_archive(archive: zipfile.ZipFile, limit: int) -> None:
    """Refuse a hostile or oversized archive before reading any entry."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ImportRefused(
            f"The archive has {len(infos):,} entries; at most {MAX_ENTRIES:,} are accepted."
        )
    total = 0
    for info in infos:
        _check_name(info.filename)
        if info.flag_bits & 0x1:
            raise ImportRefused(f"The archive entry {info.filename!r} is encrypted.")
        total += info.file_size
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRefused(
                f"The archive entry {info.filename!r} inflates more than {MAX_RATIO}:1 "
                "(a zip bomb?)."
            )
    if total > limit:
        raise ImportRefused(
            f"The archive would inflate to {total:,} bytes; the limit is {limit:,} bytes "
            "(HUDDLE_IMPORT_MAX_BYTES)."
        )


def _conversation_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    single, split = [], []
    for info in archive.infolist():
        if info.is_dir():
            continue
        base = PurePosixPath(info.filename).name
        if base == "conversations.json":
            single.append(info)
        elif match := SPLIT_RE.match(base):
            split.append((int(match.group(1)), info.filename, info))
    return single + [info for _n, _name, info in sorted(split)]


@contextmanager
def open_export(
    path: str, *, want_projects: bool = False, limit: int | None = None
) -> Iterator[Export]:
    """The export at ``path``: a zip (checked), or a bare ``conversations*.json`` file.

    ``limit`` defaults to ``HUDDLE_IMPORT_MAX_BYTES``. Raises ``ImportRefused`` for a file that is
    neither, or a hostile archive.
    """
    limit = max_bytes() if limit is None else limit
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as error:
        raise ImportRefused(f"Can't read {path}: {error.strerror or error}.") from None
    if head.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ImportRefused("The file is not a readable zip archive.") from None
        with archive:
            check_archive(archive, limit)
            infos = _conversation_members(archive)
            if not infos:
                raise ImportRefused(
                    "The archive has no conversations.json (or conversations-000.json …); "
                    "is it a chat export?"
                )

            def opener(info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
                return lambda: archive.open(info)

            projects = None
            if want_projects:
                found = [
                    i
                    for i in archive.infolist()
                    if PurePosixPath(i.filename).name == "projects.json"
                ]
                if found:
                    projects = Member(found[0].filename, found[0].file_size, opener(found[0]))
            yield Export(
                conversations=[Member(i.filename, i.file_size, opener(i)) for i in infos],
                projects=projects,
                names=[i.filename for i in archive.infolist()],
            )
        return
    name = PurePosixPath(str(path)).name
    size = _size(path)
    if size > limit:
        raise ImportRefused(
            f"The file is {size:,} bytes; the limit is {limit:,} bytes (HUDDLE_IMPORT_MAX_BYTES)."
        )
    yield Export(
        conversations=[Member(name, size, lambda: open(path, "rb"))],  # noqa: SIM115
        names=[name],
    )


def _size(path: str) -> int:
    import os

    return os.stat(path).st_size


class _Counted:
    """A binary stream that reports how many bytes were read and skips a leading BOM."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.on_read = on_read
        self.prefix = b""

    def _start(self) -> bytes:
        """Leading whitespace and BOM are skipped; the first significant byte is returned."""
        while True:
            byte = self.raw.read(1)
            if self.on_read and byte:
                self.on_read(1)
            if byte in (b" ", b"\t", b"\r", b"\n"):
                continue
            if byte == b"\xef":
                rest = self.raw.read(2)
                if self.on_read:
                    self.on_read(len(rest))
                if rest == b"\xbb\xbf":
                    continue
                self.prefix = byte + rest
                return byte
            self.prefix = byte
            return byte

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            data, self.prefix = self.prefix, b""
            return data
        data = self.raw.read(CHUNK if size is None or size < 0 else size)
        if self.on_read and data:
            self.on_read(len(data))
        return data


def _json_problem(
    name: str, key: str, number: int, error: NotValid | TooDeep | TooLarge
) -> ImportRefused:
    """One line for what ``jsonlist`` refused in the file ``name``, at its ``number``th item."""
    noun = key.removesuffix("s") if key else "item"
    if isinstance(error, TooDeep):
        return ImportRefused(
            f"{name}: {noun} {number} nests lists and objects too deeply for a chat export."
        )
    if isinstance(error, TooLarge):
        return ImportRefused(
            f"{name}: {noun} {number} is larger than {MAX_ITEM // (1024 * 1024)} MB; "
            "is this a chat export?"
        )
    messages = {
        "utf-8": f"{name} is not valid UTF-8 text.",
        "truncated": f"{name} is truncated: the JSON ends too early.",
        "missing": f"{name} has no '{key}' list; is it a chat export?",
        "not a list": f"{name}: '{key}' is not a list.",
    }
    return ImportRefused(messages.get(error.kind, f"{name} is not valid JSON ({error.detail})."))


def iter_json_items(
    member: Member, *, key: str = "", on_read: Callable[[int], None] | None = None
) -> Iterator[Any]:
    """Each element of the JSON list in ``member`` (or of its object's ``key`` list), streamed.

    ``ImportRefused`` when the file is not JSON, not UTF-8, truncated or not such a list.
    """
    try:
        raw = member.opener()
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as error:
        raise ImportRefused(f"Can't read {member.name}: {error}.") from None
    with raw:
        stream = _Counted(raw, on_read)
        try:
            first = stream._start()
        except (OSError, zipfile.BadZipFile, EOFError) as error:
            raise ImportRefused(f"Can't read {member.name}: {error}.") from None
        if first not in (b"[", b"{") or (first == b"{" and not key):
            what = "a list" + (f" (or an object with a '{key}' list)" if key else "")
            if not first:
                raise ImportRefused(f"{member.name} is empty; expected {what}.")
            if first not in b'{["-0123456789tfn' or first == b"\xef":
                raise ImportRefused(f"{member.name} is not JSON; expected {what}.")
            raise ImportRefused(f"{member.name} is not {what}.")
        number = 0
        try:
            items = list_items(stream) if first == b"[" else object_list_items(stream, key)
            for number, item in enumerate(items, start=1):  # noqa: B007 (read in the handler)
                yield item
        except (NotValid, TooDeep, TooLarge) as error:
            raise _json_problem(member.name, key, number + 1, error) from None
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise ImportRefused(f"Can't read {member.name}: {error}.") from None
