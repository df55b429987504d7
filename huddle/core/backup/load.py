"""``backup_restore``: a verified archive into a new, empty organisation, in one transaction."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from huddle.accounts.models import Organization, User, slug_validator
from huddle.core.backup.archive import Backup, BackupRefused, backup_open
from huddle.core.backup.dump import migration_state
from huddle.core.backup.graph import Node, foreign_keys, insert_order, organization_models
from huddle.core.services import event_record


def _check_migrations(backup: Backup) -> None:
    """Refuse an archive written by a Huddle with migrations this one doesn't have."""
    here = migration_state()
    for app, names in (backup.manifest.get("migrations") or {}).items():
        unknown = sorted(set(names) - set(here.get(app, [])))
        if unknown:
            raise BackupRefused(
                f"The archive was written by a newer Huddle (migration {app}.{unknown[0]} "
                "is not applied here); upgrade first."
            )


def _insert(model: type[models.Model], values: dict[str, Any]) -> Any:
    """INSERT one row as given (raw: no ``auto_now``, no ``save()`` override, no signals) and
    return its primary key. Restore writes history as it was, so it bypasses the model layer
    the same way ``loaddata`` does."""
    row = model(**values)
    meta = model._meta
    auto_pk = meta.pk.attname not in values
    fields = [f for f in meta.local_concrete_fields if not (auto_pk and f.primary_key)]
    returning = meta.db_returning_fields if auto_pk else []
    result = model._base_manager._insert(
        [row], fields=fields, returning_fields=returning, raw=True, using="default"
    )
    return result[0][0] if auto_pk else values[meta.pk.attname]


class _Restorer:
    def __init__(self, backup: Backup, organization: Organization) -> None:
        self.backup = backup
        self.organization = organization
        self.pks: dict[type[models.Model], dict[int, Any]] = {}
        self.uuids: dict[str, str] = {}  # public ids taken in this database → fresh ones
        self.deferred: list[tuple[type[models.Model], Any, str, type[models.Model], Any]] = []
        self.saved_files: list[str] = []

    def users(self) -> None:
        mapping: dict[int, int] = {}
        for entry in self.backup.json("users.json"):
            email = str(entry["email"]).strip().lower()
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                # Never a usable password, never staff: imported data can't grant trust.
                user = User(email=email, name=str(entry.get("name", ""))[:150])
                user.set_unusable_password()
                user.full_clean(exclude=["password"])
                user.save()
            mapping[int(entry["pk"])] = user.pk
        self.pks[User] = mapping
        self.pks[Organization] = {}

    def plan_uuids(self, nodes: list[Node], records: dict[str, list[dict]]) -> None:
        for node in nodes:
            if not any(f.name == "public_id" for f in node.model._meta.concrete_fields):
                continue
            olds = [r["fields"]["public_id"] for r in records[node.label]]
            taken = node.model._base_manager.filter(public_id__in=olds)
            for old in taken.values_list("public_id", flat=True):
                self.uuids[str(old)] = str(uuid.uuid4())

    def swap(self, value: Any) -> Any:
        """Replace references to public ids that had to change (in JSON and id strings)."""
        if isinstance(value, str):
            return self.uuids.get(value, value)
        if isinstance(value, list):
            return [self.swap(v) for v in value]
        if isinstance(value, dict):
            return {k: self.swap(v) for k, v in value.items()}
        return value

    def row_values(self, node: Node, record: dict[str, Any]) -> dict[str, Any]:
        fields = record["fields"]
        values: dict[str, Any] = {}
        keys = {f.attname: f for f in foreign_keys(node.model)}
        for field in node.model._meta.concrete_fields:
            if field.primary_key and field.attname not in keys:
                continue
            if field.attname not in fields:
                raise BackupRefused(f"{node.label} rows lack the field {field.name!r}.")
            raw = fields[field.attname]
            key = keys.get(field.attname)
            if key is not None:
                values[field.attname] = self.key_value(node, key, raw)
                continue
            if isinstance(field, models.JSONField) or isinstance(raw, str):
                raw = self.swap(raw)
            values[field.attname] = None if raw is None else field.to_python(raw)
            if (
                field.unique
                and field.name != "public_id"
                and raw is not None
                and self._taken(node.model, field.attname, values[field.attname])
            ):
                # A global dedup key (``Run.import_key``) that the original still holds.
                digest = hashlib.sha256(f"{self.organization.public_id}:{raw}".encode())
                values[field.attname] = digest.hexdigest()[: field.max_length or 64]
        return values

    @staticmethod
    def _taken(model: type[models.Model], attname: str, value: Any) -> bool:
        return model._base_manager.filter(**{attname: value}).exists()

    def key_value(self, node: Node, key: models.ForeignKey, raw: Any) -> Any:
        if raw is None:
            return None
        target = key.related_model
        if target is Organization:
            return self.organization.pk
        mapped = self.pks.get(target)
        if mapped is None:
            if key.null:
                return None  # points outside the organisation
            raise BackupRefused(f"{node.label}.{key.name} points outside the organisation.")
        if raw in mapped:
            return mapped[raw]
        if key.null:
            self.deferred.append((node.model, None, key.attname, target, raw))
            return None
        raise BackupRefused(f"{node.label}.{key.name} points at a row that isn't in the archive.")

    def files(self, node: Node, values: dict[str, Any]) -> None:
        for field in node.model._meta.concrete_fields:
            name = values.get(field.attname) if isinstance(field, models.FileField) else None
            member = f"files/{name}"
            if name and member in self.backup.members:
                saved = default_storage.save(name, ContentFile(self.backup.members[member]))
                self.saved_files.append(saved)
                values[field.attname] = saved

    def run(self) -> dict[str, int]:
        nodes = insert_order(organization_models())
        records = {node.label: self.backup.json(f"data/{node.label}.json") for node in nodes}
        expected = self.backup.manifest.get("counts") or {}
        for node in nodes:
            if not isinstance(records[node.label], list) or expected.get(node.label) != len(
                records[node.label]
            ):
                raise BackupRefused(f"The archive's {node.label} rows don't match its manifest.")
        self.users()
        self.plan_uuids(nodes, records)
        counts: dict[str, int] = {}
        for node in nodes:
            # Known before any row is written, so a nullable key to a later model is deferred.
            self.pks[node.model] = {}
        for node in nodes:
            mapping = self.pks[node.model]
            for record in records[node.label]:
                first_deferred = len(self.deferred)
                values = self.row_values(node, record)
                self.files(node, values)
                new_pk = _insert(node.model, values)
                mapping[record["pk"]] = new_pk
                for i in range(first_deferred, len(self.deferred)):
                    model, _, attname, target, raw = self.deferred[i]
                    self.deferred[i] = (model, new_pk, attname, target, raw)
            counts[node.label] = len(mapping)
        for node in nodes:
            self.many_to_many(node, records[node.label])
        self.fill_deferred()
        return counts

    def many_to_many(self, node: Node, records: list[dict[str, Any]]) -> None:
        mapping = self.pks[node.model]
        for field in node.model._meta.many_to_many:
            if not field.remote_field.through._meta.auto_created:
                continue  # an explicit through model (``PackItem``) is a node of its own
            through = field.remote_field.through
            source = field.m2m_field_name()
            target_name = field.m2m_reverse_field_name()
            target_map = self.pks.get(field.related_model, {})
            through._base_manager.bulk_create(
                through(
                    **{
                        f"{source}_id": mapping[record["pk"]],
                        f"{target_name}_id": target_map[target],
                    }
                )
                for record in records
                for target in record.get("m2m", {}).get(field.name, [])
                if target in target_map
            )

    def fill_deferred(self) -> None:
        for model, pk, attname, target, raw in self.deferred:
            new = self.pks.get(target, {}).get(raw)
            if new is not None:
                model._base_manager.filter(pk=pk).update(**{attname: new})


def backup_restore(path: Path, *, slug: str | None = None) -> tuple[Organization, dict[str, int]]:
    """Restore the archive at ``path`` into a new organisation (``slug`` or the archive's).

    Everything is verified first (``archive.backup_open``), then written in one transaction: a
    refusal (``BackupRefused``) or any error leaves the database and media storage as they were.
    """
    backup = backup_open(path)
    _check_migrations(backup)
    source = backup.json("organization.json")
    slug = (slug or str(source.get("slug", ""))).strip().lower()
    try:
        slug_validator(slug)
    except ValidationError as error:
        raise BackupRefused(f"{slug!r} is not a valid slug. {error.messages[0]}") from None
    if Organization.objects.filter(slug=slug).exists():
        raise BackupRefused(f"The organisation {slug!r} exists; restore into a new slug (--as).")
    restorer: _Restorer | None = None
    try:
        with transaction.atomic():
            public_id = str(source.get("public_id", ""))
            if not public_id or Organization.objects.filter(public_id=public_id).exists():
                public_id = str(uuid.uuid4())
            created = parse_datetime(str(source.get("created_at", "")))
            values: dict[str, Any] = {
                "slug": slug,
                "name": str(source.get("name") or slug)[:120],
                "public_id": uuid.UUID(public_id),
                "created_at": created or timezone.now(),
            }
            organization = Organization.objects.get(pk=_insert(Organization, values))
            restorer = _Restorer(backup, organization)
            if str(source.get("public_id")) != public_id:
                restorer.uuids[str(source.get("public_id"))] = public_id
            counts = restorer.run()
            event_record(
                organization=organization,
                actor=None,
                kind="organization.restored",
                target=organization,
                data={"from": str(source.get("slug", "")), "counts": counts},
            )
    except BaseException as error:
        for name in restorer.saved_files if restorer else []:
            default_storage.delete(name)
        if isinstance(error, ValidationError | DatabaseError | ValueError | TypeError | KeyError):
            # Rows whose hashes match but whose content doesn't fit (edited, then re-hashed).
            # One line: database errors carry a DETAIL line on PostgreSQL.
            reason = " ".join(str(error).split()).rstrip(".")
            raise BackupRefused(f"The archive's rows can't be restored: {reason}.") from error
        raise
    return organization, counts
