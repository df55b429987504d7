"""The archive's format constants and limits, and ``backup_open``: an archive refused whole unless
every check passes, before anything is written.

Refused: a file that isn't a zip or is larger than ``MAX_ARCHIVE_BYTES``; more than
``MAX_ENTRIES`` entries; absolute paths, ``..``, ``.`` or empty parts, backslashes, NUL or drive
letters (zip-slip); an entry twice; encrypted entries; a file (``files/…``) inflating more than
``MAX_RATIO``:1 (a bomb); entries inflating past ``MAX_BYTES`` in total; a missing or foreign
manifest; another format version; an entry not listed in the manifest, or listed and missing; an
entry whose size or SHA-256 differs from the manifest (tampering).

Why the bomb check is on files only: the JSON entries are never held whole. They are inflated as
streams that stop at the size the manifest declares (``MAX_BYTES`` for all together, checked
before anything is inflated) and decoded row by row, so a JSON entry that deflates 1,000:1 (a
workflow step of 90,000 spaces, a million similar rows) costs no more memory than any other.
Files are saved to media storage whole, so theirs is checked; ``dump.backup_write`` stores a file
uncompressed when deflating it would pass the ratio, and refuses to write an archive past the
other limits, so a backup it wrote is never refused for them.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from huddle.capture.importers.jsonlist import NotValid, TooDeep, TooLarge, list_items
from huddle.core.errors import HuddleError

FORMAT = "huddle-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_BYTES = 4 * 1024**3  # uncompressed, all entries together
MAX_ENTRIES = 50_000
MAX_RATIO = 100  # files (``files/…``) only, see the module doc
RATIO_FROM = 64 * 1024  # tiny files compress "too well" legally
MAX_MANIFEST = 16 * 1024**2
MAX_SMALL = 1024**2  # ``organization.json``
DRIVE_RE = re.compile(r"^[A-Za-z]:")
READ = 64 * 1024  # bytes a read: zipfile builds each read from smaller pieces


class BackupRefused(HuddleError):
    """The archive can't be restored; nothing was written. ``message`` is one line."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__("backup_refused", message)


class BackupNotWritten(HuddleError):
    """``backup_write`` would write an archive that ``huddle restore`` refuses; nothing is left
    behind. ``message`` is one line."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__("backup_not_written", message)


def bomb(size: int, compressed: int) -> bool:
    """Whether a file entry of ``size`` bytes, ``compressed`` in the zip, counts as a bomb."""
    return size > RATIO_FROM and size > MAX_RATIO * max(compressed, 1)


def path_problem(name: str) -> str:
    """Why ``name`` is not a plain relative POSIX path (what an entry or a media file name must
    be), or ``""``. Checked on the raw text: ``PurePosixPath`` would fold ``a//b`` and ``./a``."""
    if name.startswith("/") or DRIVE_RE.match(name):
        return "an absolute path"
    if "\\" in name or "\x00" in name:
        return "a forbidden character"
    parts = name.split("/")
    if ".." in parts:
        return "a part that points outside it ('..')"
    if "" in parts or "." in parts:
        return "an empty or '.' part in its name"
    return ""


def _check_infos(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise BackupRefused(
            f"The archive has {len(infos):,} entries; at most {MAX_ENTRIES:,} are accepted."
        )
    total = 0
    names: set[str] = set()
    for info in infos:
        problem = path_problem(info.filename)
        if problem:
            raise BackupRefused(f"The archive has an entry with {problem}: {info.filename!r}.")
        if info.filename in names:
            raise BackupRefused(f"The archive has the entry {info.filename!r} twice.")
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise BackupRefused(f"The archive entry {info.filename!r} is encrypted.")
        if info.filename.startswith("files/") and bomb(info.file_size, info.compress_size):
            raise BackupRefused(
                f"The archive entry {info.filename!r} inflates more than {MAX_RATIO}:1 "
                "(a zip bomb?)."
            )
        total += info.file_size
    if total > MAX_BYTES:
        raise BackupRefused(
            f"The archive would inflate to {total:,} bytes; the limit is {MAX_BYTES:,} bytes."
        )


class _Verified:
    """An entry's bytes as a stream that never yields more than the manifest's size, and that
    refuses the entry at its end unless its size and SHA-256 are the manifest's."""

    def __init__(self, raw: IO[bytes], name: str, size: int, sha256: str) -> None:
        self.raw, self.name, self.size, self.sha256 = raw, name, size, sha256
        self.read_so_far = 0
        self.hash = hashlib.sha256()
        self.done = False

    def read(self, n: int = -1) -> bytes:
        if self.done:
            return b""
        want = self.size - self.read_so_far + 1  # one byte more shows an entry that lies
        want = want if n is None or n < 0 else min(n, want)
        try:
            data = self.raw.read(want)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise BackupRefused(f"The archive entry {self.name!r} can't be read.") from error
        self.read_so_far += len(data)
        if self.read_so_far > self.size:
            raise BackupRefused(f"The archive entry {self.name!r} is larger than it says.")
        self.hash.update(data)
        if not data:
            self.done = True
            if self.read_so_far != self.size or self.hash.hexdigest() != self.sha256:
                raise BackupRefused(
                    f"The archive entry {self.name!r} doesn't match its SHA-256 in the manifest "
                    "(changed after the backup?)."
                )
        return data

    def drain(self) -> None:
        """Read to the end, so the size and hash are checked."""
        while self.read(READ):
            pass


class Backup:
    """A verified archive, open: its manifest, and its entries read as streams (never whole)."""

    def __init__(self, archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
        self.archive = archive
        self.manifest = manifest
        self.listed: dict[str, dict[str, Any]] = manifest["members"]

    def __enter__(self) -> Backup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.close()

    def __contains__(self, name: str) -> bool:
        return name in self.listed

    @contextmanager
    def open(self, name: str) -> Iterator[_Verified]:
        """The entry ``name`` as a verified stream (``BackupRefused`` when it is not listed)."""
        if name not in self.listed:
            raise BackupRefused(f"The archive entry {name!r} is missing.")
        expected = self.listed[name]
        try:
            raw = self.archive.open(name)
        except (KeyError, zipfile.BadZipFile, zlib.error, OSError, NotImplementedError) as error:
            raise BackupRefused(f"The archive entry {name!r} can't be read.") from error
        with raw:
            yield _Verified(raw, name, expected["size"], expected["sha256"])

    def json(self, name: str, limit: int = MAX_SMALL) -> Any:
        """A small entry's JSON value."""
        with self.open(name) as stream:
            data = stream.read(limit + 1)
            if len(data) > limit:
                raise BackupRefused(f"The archive entry {name!r} is larger than {limit:,} bytes.")
            stream.drain()
        try:
            return json.loads(data)
        except ValueError as error:
            raise BackupRefused(f"The archive entry {name!r} is not JSON.") from error

    def items(self, name: str) -> Iterator[Any]:
        """The items of the JSON list in ``name``, one at a time; the entry's size and hash are
        checked when the list ends (an item met before a mismatch has been seen by then: use
        it inside the restore's transaction)."""
        with self.open(name) as stream:
            try:
                yield from list_items(stream)
            except (NotValid, TooDeep, TooLarge) as error:
                raise BackupRefused(
                    f"The archive entry {name!r} is not a JSON list of rows ({error})."
                ) from None
            stream.drain()


def _manifest(archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    if MANIFEST not in infos:
        raise BackupRefused("The archive has no manifest.json; it is not a Huddle backup.")
    try:
        with archive.open(MANIFEST) as raw:
            data = raw.read(MAX_MANIFEST + 1)
        if len(data) > MAX_MANIFEST:
            raise BackupRefused("The archive's manifest.json is larger than it can be.")
        manifest = json.loads(data)
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise BackupRefused("The archive's manifest.json is not valid JSON.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused("The archive's manifest is not a Huddle backup's.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            f"The archive has format version {manifest.get('format_version')!r}; "
            f"this Huddle reads version {FORMAT_VERSION}."
        )
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        raise BackupRefused("The archive's manifest lists no members.")
    present = set(infos) - {MANIFEST}
    if present != set(listed):
        extra = sorted(present - set(listed)) or sorted(set(listed) - present)
        raise BackupRefused(
            f"The archive's entries don't match its manifest (first: {extra[0]!r})."
        )
    for name, expected in listed.items():
        if not (
            isinstance(expected, dict)
            and type(expected.get("size")) is int
            and isinstance(expected.get("sha256"), str)
            and expected["size"] == infos[name].file_size
        ):
            raise BackupRefused(
                f"The archive entry {name!r} doesn't match its size in the manifest."
            )
    return manifest


def backup_open(path: Path) -> Backup:
    """Verify the archive at ``path`` completely (every entry inflated once, as a stream, and
    hashed) and return it open; use it as a context manager.

    Raises ``BackupRefused`` (one line) for anything listed in this module's docstring.
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        raise BackupRefused(f"Can't read {str(path)!r}: {error.strerror}.") from None
    if size > MAX_ARCHIVE_BYTES:
        raise BackupRefused(f"The archive is {size:,} bytes; the limit is {MAX_ARCHIVE_BYTES:,}.")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BackupRefused(f"{path.name!r} is not a Huddle backup (not a zip archive).") from None
    try:
        infos = archive.infolist()
        _check_infos(infos)
        backup = Backup(archive, _manifest(archive, {info.filename: info for info in infos}))
        for name in sorted(backup.listed):
            with backup.open(name) as stream:
                stream.drain()
    except BaseException:
        archive.close()
        raise
    return backup
