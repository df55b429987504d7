"""``backup_write``: an organisation as one zip archive (the format: ``huddle.backup``).

Streamed: rows are read ``CHUNK_ROWS`` at a time and each entry is deflated and hashed as it is
written, so memory does not grow with the organisation. What ``huddle restore`` would refuse is
never written (``archive``'s limits are checked as the archive grows; a file that would deflate
past ``archive.MAX_RATIO`` is stored uncompressed), and everything is read in one transaction (on
PostgreSQL a repeatable-read snapshot), so rows written meanwhile can't leave a key dangling.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from datetime import time as clock
from functools import partial
from importlib.metadata import version
from itertools import batched
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from huddle.accounts.models import Organization, User
from huddle.backup import archive
from huddle.backup.archive import FORMAT, FORMAT_VERSION, MANIFEST, BackupNotWritten
from huddle.backup.graph import PLAIN_FIELDS, SECRET_FIELDS, Node, organization_querysets

CHUNK_ROWS = 500  # rows read (and their many-to-many links) at a time
READ = 1024**2


class _Columns:
    """How a node's rows are written: every concrete field by attname (keys as raw ids), plain
    values as they are, others as Django's fixtures write them (``value_to_string``: dates in ISO
    8601, UUIDs as text, binary as base64), secrets blank. Rows are read as tuples
    (``values_list``), not model instances: the instances were half of a backup's time."""

    def __init__(self, node: Node) -> None:
        secrets = SECRET_FIELDS.get(node.label, frozenset())
        self.node = node
        self.read: list[models.Field] = []  # the columns read, after the primary key
        self.blank: dict[str, Any] = {}  # secrets, written blank
        for field in node.model._meta.concrete_fields:
            if field.primary_key and not isinstance(field, models.ForeignKey):
                continue
            if field.name in secrets:
                self.blank[field.name] = "" if not field.null else None
            else:
                self.read.append(field)
        self.m2m = _auto_m2m(node.model)
        self.attnames = [field.attname for field in self.read]
        self.convert = [
            None
            if type(f) in PLAIN_FIELDS or isinstance(f, models.JSONField)
            else partial(_plain, f)
            for f in self.read
        ]

    def record(self, pk: Any, row: tuple[Any, ...], m2m: dict[str, list[Any]]) -> dict[str, Any]:
        fields = {
            attname: value if convert is None or value is None else convert(value)
            for attname, convert, value in zip(self.attnames, self.convert, row, strict=True)
        }
        return {"pk": pk, "fields": fields | self.blank, "m2m": m2m}


def _plain(field: models.Field, value: Any) -> Any:
    """A JSON-ready value: plain types as they are, others as Django writes them in fixtures."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(field, models.JSONField):
        return value
    if isinstance(value, datetime | date | clock | uuid.UUID):  # ``value_to_string``, faster
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    return field.value_to_string(SimpleNamespace(**{field.attname: value}))


def row_record(node: Node, row: models.Model) -> dict[str, Any]:
    """``{"pk", "fields", "m2m"}`` of a model instance, as ``backup_write`` writes its row."""
    columns = _Columns(node)
    m2m = {
        field.name: sorted(target.pk for target in field.value_from_object(row))
        for field in columns.m2m
    }
    values = tuple(
        getattr(row, field.attname).name
        if isinstance(field, models.FileField)
        else getattr(row, field.attname)
        for field in columns.read
    )
    return columns.record(row.pk, values, m2m)


def _auto_m2m(model: type[models.Model]) -> list[models.ManyToManyField]:
    """Many-to-many fields whose table travels with the model (an explicit through model, such
    as ``PackItem``, is a node of its own)."""
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def migration_state() -> dict[str, list[str]]:
    """The applied migrations of each app, by name."""
    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"):
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _too_many_bytes() -> BackupNotWritten:
    return BackupNotWritten(
        f"The archive would inflate past {archive.MAX_BYTES:,} bytes, and restore accepts at "
        f"most {archive.MAX_BYTES:,} bytes (huddle.backup.archive.MAX_BYTES)."
    )


class _Entry:
    """The entry being written: counts and hashes its bytes, and stops the backup as soon as the
    archive's entries would inflate past what restore accepts."""

    def __init__(self, raw: IO[bytes], writer: _Writer) -> None:
        self.raw, self.writer = raw, writer
        self.size = 0
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        self.writer.total += len(data)
        if self.writer.total > archive.MAX_BYTES:
            raise _too_many_bytes()
        self.hash.update(data)
        self.raw.write(data)


class _Writer:
    def __init__(self, zip_file: zipfile.ZipFile) -> None:
        self.zip = zip_file
        self.total = 0
        self.members: dict[str, dict[str, Any]] = {}

    @contextmanager
    def entry(self, name: str, method: int = zipfile.ZIP_DEFLATED) -> Iterator[_Entry]:
        if len(self.members) + 2 > archive.MAX_ENTRIES:  # this one and the manifest
            raise BackupNotWritten(
                f"The archive would have more than {archive.MAX_ENTRIES:,} entries, and restore "
                f"accepts at most {archive.MAX_ENTRIES:,} entries "
                "(huddle.backup.archive.MAX_ENTRIES)."
            )
        info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
        info.compress_type = method
        with self.zip.open(info, "w", force_zip64=True) as raw:
            entry = _Entry(raw, self)
            yield entry
        self.members[name] = {"sha256": entry.hash.hexdigest(), "size": entry.size}

    def json_list(self, name: str, items: Iterator[Any]) -> int:
        """Write ``items`` as a JSON list, one item a line; return how many."""
        count = 0
        with self.entry(name) as entry:
            entry.write(b"[")
            for chunk in batched(items, CHUNK_ROWS):
                lines = ",\n".join(map(_json_line, chunk))
                entry.write((",\n" if count else "\n").encode() + lines.encode())
                count += len(chunk)
            entry.write(b"\n]\n")
        return count

    def file(self, name: str) -> None:
        """The media file ``name``: deflated, or stored when deflating it would look like a bomb
        to restore (``archive.bomb``)."""
        size, deflated = _deflated_size(name)
        method = zipfile.ZIP_STORED if archive.bomb(size, deflated) else zipfile.ZIP_DEFLATED
        member = f"files/{name}"
        with self.entry(member, method) as entry, default_storage.open(name, "rb") as handle:
            while chunk := handle.read(READ):
                entry.write(chunk)
        written = self.zip.getinfo(member)
        if archive.bomb(written.file_size, written.compress_size):  # never: same deflater
            raise BackupNotWritten(f"The file {name!r} could not be stored safely.")


def _json_line(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _deflated_size(name: str) -> tuple[int, int]:
    """The size of the file ``name`` and of its deflated form, as ``zipfile`` deflates it."""
    deflater = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    size = deflated = 0
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(READ):
            size += len(chunk)
            deflated += len(deflater.compress(chunk))
    return size, deflated + len(deflater.flush())


class _Rows:
    """The rows of the organisation, model by model, noting the people and files they name."""

    def __init__(self) -> None:
        self.users: set[int] = set()
        self.files: list[str] = []

    def records(self, node: Node, rows: models.QuerySet) -> Iterator[dict[str, Any]]:
        columns = _Columns(node)
        people = [i for i, f in enumerate(columns.read) if f.related_model is User]
        files = [i for i, f in enumerate(columns.read) if isinstance(f, models.FileField)]
        tuples = rows.values_list("pk", *(f.attname for f in columns.read))
        for chunk in batched(tuples.iterator(chunk_size=CHUNK_ROWS), CHUNK_ROWS):
            links = _links(columns.m2m, [row[0] for row in chunk])
            for pk, *values in chunk:
                for i in people:
                    if values[i]:
                        self.users.add(values[i])
                for i in files:
                    if values[i]:
                        self.files.append(self.file_name(node, pk, values[i]))
                m2m = {name: targets.get(pk, []) for name, targets in links.items()}
                yield columns.record(pk, tuple(values), m2m)

    @staticmethod
    def file_name(node: Node, pk: Any, name: str) -> str:
        if archive.path_problem(name):
            raise BackupNotWritten(
                f"{node.label} row {pk} names the file {name!r}, which is not a path inside "
                "media storage (restore would refuse it); fix the row."
            )
        return name


def _links(fields: list[models.ManyToManyField], pks: list[Any]) -> dict[str, dict[Any, list]]:
    """Each many-to-many field's targets of the rows ``pks``, in the order of their keys."""
    links: dict[str, dict[Any, list]] = {}
    for field in fields:
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        pairs = (
            through._base_manager.filter(**{f"{source}_id__in": pks})
            .order_by(f"{target}_id")
            .values_list(f"{source}_id", f"{target}_id")
        )
        found: dict[Any, list] = {}
        for pk, target_pk in pairs:
            found.setdefault(pk, []).append(target_pk)
        links[field.name] = found
    return links


def _people(pks: list[int]) -> Iterator[dict[str, Any]]:
    """The few fields restore needs of each person, by primary key (a query per
    ``CHUNK_ROWS``: SQLite limits the parameters of one)."""
    for start in range(0, len(pks), CHUNK_ROWS):
        users = User.objects.filter(pk__in=pks[start : start + CHUNK_ROWS]).order_by("pk")
        for u in users:
            yield {"pk": u.pk, "email": u.email, "name": u.name, "is_active": u.is_active}


def _snapshot() -> None:
    """Read everything as of one moment: PostgreSQL's default isolation gives each query its own
    snapshot. Skipped inside an outer transaction (tests), where it is too late to ask."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def backup_write(organization: Organization, out: Path) -> dict[str, Any]:
    """Write ``organization`` to the zip ``out`` and return its manifest.

    No password hashes, API tokens, invitation or solve-link hashes, provider keys or webhook
    URLs are written (``graph.EXCLUDED``, ``graph.SECRET_FIELDS``). Raises ``BackupNotWritten``
    (nothing is left at ``out``) when the archive would pass a limit of ``archive`` or a row
    names a media file outside media storage: restore would refuse it.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        manifest = _write(organization, partial)
        size = partial.stat().st_size
        if size > archive.MAX_ARCHIVE_BYTES:
            raise BackupNotWritten(
                f"The archive would be {size:,} bytes, and restore accepts at most "
                f"{archive.MAX_ARCHIVE_BYTES:,} bytes "
                "(huddle.backup.archive.MAX_ARCHIVE_BYTES)."
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)  # a half-written archive never carries the final name
    return manifest


def _write(organization: Organization, path: Path) -> dict[str, Any]:
    counts: dict[str, int] = {}
    rows = _Rows()
    missing_files: list[str] = []
    outer = connection.in_atomic_block
    with (
        transaction.atomic(),
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zip_file,
    ):
        if not outer:
            _snapshot()
        writer = _Writer(zip_file)
        for node, queryset in organization_querysets(organization):
            counts[node.label] = writer.json_list(
                f"data/{node.label}.json", rows.records(node, queryset)
            )
        files = []
        for name in sorted(set(rows.files)):
            if default_storage.exists(name):
                writer.file(name)
                files.append(name)
            else:
                missing_files.append(name)  # imports delete their upload when done
        people = writer.json_list("users.json", _people(sorted(rows.users)))
        with writer.entry("organization.json") as entry:
            entry.write(
                _json_line(
                    {
                        "slug": organization.slug,
                        "name": organization.name,
                        "public_id": str(organization.public_id),
                        "created_at": organization.created_at.isoformat(),
                    }
                ).encode()
            )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "huddle_version": version("huddle"),
            "django_version": version("django"),
            "migrations": migration_state(),
            "organization": organization.slug,
            "counts": counts,
            "users": people,
            "files": files,
            "missing_files": missing_files,
            "members": dict(sorted(writer.members.items())),
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        if writer.total + len(data) > archive.MAX_BYTES:
            raise _too_many_bytes()
        if len(data) > archive.MAX_MANIFEST:
            raise BackupNotWritten(
                f"The archive's manifest would be {len(data):,} bytes, and restore reads at most "
                f"{archive.MAX_MANIFEST:,} (huddle.backup.archive.MAX_MANIFEST)."
            )
        zip_file.writestr(MANIFEST, data)
    return manifest
