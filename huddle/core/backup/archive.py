"""Open a backup archive and refuse it whole unless every check passes, before anything is written.

Refused: a file that isn't a zip or is too large; too many entries; absolute paths, ``..``,
backslashes or drive letters (zip-slip); encrypted entries; an entry inflating more than
``MAX_RATIO``:1 (a bomb) or entries inflating past ``MAX_BYTES`` in total; a missing or foreign
manifest; another format version; an entry not listed in the manifest, or listed and missing;
an entry whose size or SHA-256 differs from the manifest (tampering).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from huddle.core.backup.dump import FORMAT, FORMAT_VERSION, MANIFEST
from huddle.core.errors import HuddleError

MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_BYTES = 4 * 1024**3  # uncompressed, all entries together
MAX_ENTRIES = 50_000
MAX_RATIO = 100
RATIO_FROM = 64 * 1024  # small JSON compresses "too well" legally
DRIVE_RE = re.compile(r"^[A-Za-z]:")


class BackupRefused(HuddleError):
    """The archive can't be restored; nothing was written. ``message`` is one line."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__("backup_refused", message)


@dataclass
class Backup:
    """A verified archive: its manifest and every member's bytes."""

    manifest: dict[str, Any]
    members: dict[str, bytes]

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.members[name])
        except (KeyError, ValueError) as error:
            raise BackupRefused(f"The archive entry {name!r} is missing or not JSON.") from error


def _check_name(name: str) -> None:
    if name.startswith("/") or DRIVE_RE.match(name):
        raise BackupRefused(f"The archive has an entry with an absolute path: {name!r}.")
    if "\\" in name or "\x00" in name:
        raise BackupRefused(f"The archive has an entry with a forbidden character: {name!r}.")
    if ".." in PurePosixPath(name).parts:
        raise BackupRefused(f"The archive has an entry that points outside it ('..'): {name!r}.")


def _check_infos(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise BackupRefused(
            f"The archive has {len(infos):,} entries; at most {MAX_ENTRIES:,} are accepted."
        )
    total = 0
    names: set[str] = set()
    for info in infos:
        _check_name(info.filename)
        if info.filename in names:
            raise BackupRefused(f"The archive has the entry {info.filename!r} twice.")
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise BackupRefused(f"The archive entry {info.filename!r} is encrypted.")
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BackupRefused(
                f"The archive entry {info.filename!r} inflates more than {MAX_RATIO}:1 "
                "(a zip bomb?)."
            )
        total += info.file_size
    if total > MAX_BYTES:
        raise BackupRefused(
            f"The archive would inflate to {total:,} bytes; the limit is {MAX_BYTES:,} bytes."
        )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read at most ``limit`` bytes: the sizes in a zip's directory can lie."""
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise BackupRefused(f"The archive entry {info.filename!r} is larger than it says.")
    return data


def backup_open(path: Path) -> Backup:
    """Verify the archive at ``path`` completely and return its contents.

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
    except (zipfile.BadZipFile, OSError):
        raise BackupRefused(f"{path.name!r} is not a Huddle backup (not a zip archive).") from None
    with archive:
        infos = archive.infolist()
        _check_infos(infos)
        by_name = {info.filename: info for info in infos}
        if MANIFEST not in by_name:
            raise BackupRefused("The archive has no manifest.json; it is not a Huddle backup.")
        try:
            manifest = json.loads(_read(archive, by_name[MANIFEST], 16 * 1024**2))
        except (ValueError, zipfile.BadZipFile, zlib.error) as error:
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
        present = set(by_name) - {MANIFEST}
        if present != set(listed):
            extra = sorted(present - set(listed)) or sorted(set(listed) - present)
            raise BackupRefused(
                f"The archive's entries don't match its manifest (first: {extra[0]!r})."
            )
        members: dict[str, bytes] = {}
        for name in sorted(present):
            expected = listed[name]
            try:
                data = _read(archive, by_name[name], int(expected["size"]))
            except (zipfile.BadZipFile, zlib.error, KeyError, TypeError, ValueError) as error:
                raise BackupRefused(f"The archive entry {name!r} can't be read.") from error
            if len(data) != expected["size"] or (
                hashlib.sha256(data).hexdigest() != expected.get("sha256")
            ):
                raise BackupRefused(
                    f"The archive entry {name!r} doesn't match its SHA-256 in the manifest "
                    "(changed after the backup?)."
                )
            members[name] = data
    return Backup(manifest, members)
