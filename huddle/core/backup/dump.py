"""``backup_write``: an organisation as one zip archive (the format: ``huddle.core.backup``)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import models
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from huddle.accounts.models import Organization, User
from huddle.core.backup.graph import SECRET_FIELDS, Node, foreign_keys, selected_rows

FORMAT = "huddle-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def field_value(field: models.Field, row: models.Model) -> Any:
    """A JSON-ready value: plain types as they are, others as Django writes them in fixtures."""
    value = field.value_from_object(row)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(field, models.JSONField):
        return value
    return field.value_to_string(row)


def row_record(node: Node, row: models.Model) -> dict[str, Any]:
    """``{"pk", "fields", "m2m"}``: every concrete field by name (keys as raw ids)."""
    secrets = SECRET_FIELDS.get(node.label, frozenset())
    fields: dict[str, Any] = {}
    for field in node.model._meta.concrete_fields:
        if field.primary_key and not isinstance(field, models.ForeignKey):
            continue
        if field.name in secrets:
            fields[field.name] = "" if not field.null else None
            continue
        fields[field.attname] = field_value(field, row)
    m2m = {
        field.name: sorted(field.value_from_object(row), key=lambda target: target.pk)
        for field in node.model._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    }
    return {
        "pk": row.pk,
        "fields": fields,
        "m2m": {name: [target.pk for target in targets] for name, targets in m2m.items()},
    }


def migration_state() -> dict[str, list[str]]:
    """The applied migrations of each app, by name."""
    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"):
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _user_ids(nodes: list[tuple[Node, list[models.Model]]]) -> set[int]:
    ids: set[int] = set()
    for node, rows in nodes:
        keys = [f for f in foreign_keys(node.model) if f.related_model is User]
        for row in rows:
            ids.update(getattr(row, key.attname) for key in keys if getattr(row, key.attname))
    return ids


def backup_write(organization: Organization, out: Path) -> dict[str, Any]:
    """Write ``organization`` to the zip ``out`` and return its manifest.

    No password hashes, API tokens, invitation or solve-link hashes, provider keys or webhook
    URLs are written (``graph.EXCLUDED``, ``graph.SECRET_FIELDS``).
    """
    nodes = list(selected_rows(organization))
    members: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    files: list[str] = []
    missing_files: list[str] = []
    for node, rows in nodes:
        records = [row_record(node, row) for row in rows]
        counts[node.label] = len(records)
        members[f"data/{node.label}.json"] = _json(records)
        for field in node.model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            for row in rows:
                name = getattr(row, field.attname).name
                if not name:
                    continue
                if default_storage.exists(name):
                    with default_storage.open(name, "rb") as handle:
                        members[f"files/{name}"] = handle.read()
                    files.append(name)
                else:
                    missing_files.append(name)  # imports delete their upload when done
    users = User.objects.filter(pk__in=_user_ids(nodes)).order_by("pk")
    members["users.json"] = _json(
        [{"pk": u.pk, "email": u.email, "name": u.name, "is_active": u.is_active} for u in users]
    )
    members["organization.json"] = _json(
        {
            "slug": organization.slug,
            "name": organization.name,
            "public_id": str(organization.public_id),
            "created_at": organization.created_at.isoformat(),
        }
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
        "users": users.count(),
        "files": sorted(files),
        "missing_files": sorted(missing_files),
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(members.items())
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _json(manifest))
        for name, data in sorted(members.items()):
            archive.writestr(name, data)
    partial.replace(out)  # a half-written archive never carries the final name
    return manifest


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()
