"""Backup and restore of one organisation as one zip archive.

Format (``format_version`` 1), also in ``docs/design-notes.md`` ("Backup and restore"):

- ``manifest.json``: format, format_version, created_at, huddle_version, django_version,
  migrations (applied, per app), organization (slug), counts (rows per model), users, files,
  missing_files, and ``members``: the size and SHA-256 of every other entry.
- ``organization.json``: slug, name, public_id, created_at.
- ``users.json``: ``[{pk, email, name, is_active}]`` of everyone a row refers to; nothing else.
- ``data/<app_label>.<model>.json``: ``[{pk, fields: {attname: value}, m2m: {name: [pk]}}]``
  for every model of ``graph.organization_models()``, one row a line, ordered by primary key.
  Keys are the source database's ids; restore maps them.
- ``files/<storage name>``: files in media storage that rows refer to.
"""

from __future__ import annotations

from huddle.backup.archive import FORMAT_VERSION, BackupNotWritten, BackupRefused, backup_open
from huddle.backup.dump import backup_write
from huddle.backup.load import backup_restore

__all__ = [
    "FORMAT_VERSION",
    "BackupNotWritten",
    "BackupRefused",
    "backup_open",
    "backup_restore",
    "backup_write",
]
