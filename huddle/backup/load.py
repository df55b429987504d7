"""``backup_restore``: a verified archive into a new, empty organisation, in one transaction.

The archive is read twice, as streams, one row at a time: once to check it whole before anything
is written (``plan``), then to insert its rows ``BATCH`` at a time (``rows``). Memory does not
grow with the size of the rows. What grows with their number: the old → new key of every row
(``rows.KeyMap``, 16 bytes a row), and, when the archive's public ids are taken in this database
(a copy restored beside its original), the set of them (about 70 bytes a row).
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from huddle.accounts.models import Organization, User, slug_validator
from huddle.backup.archive import READ, Backup, BackupRefused, backup_open
from huddle.backup.dump import migration_state
from huddle.backup.graph import (
    PLAIN_FIELDS,
    Node,
    foreign_keys,
    insert_order,
    organization_models,
)
from huddle.backup.plan import (
    Plan,
    accounts_of,
    check_file_name,
    file_fields,
    read_people,
    refuse_existing,
    shape,
)
from huddle.backup.rows import Insert, KeyMap
from huddle.core.services import System, event_record

BATCH = 500  # rows a round of inserts (split further to fit the database's parameter limit)


def _check_migrations(backup: Backup) -> None:
    """Refuse an archive written by a Huddle with migrations this one doesn't have."""
    here = migration_state()
    migrations = backup.manifest.get("migrations") or {}
    if not isinstance(migrations, dict) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names)
        for names in migrations.values()
    ):
        raise BackupRefused(
            "The archive's manifest doesn't list its migrations as a backup's does."
        )
    for app, names in migrations.items():
        unknown = sorted(set(names) - set(here.get(app, [])))
        if unknown:
            raise BackupRefused(
                f"The archive was written by a newer Huddle (migration {app}.{unknown[0]} "
                "is not applied here); upgrade first."
            )


class _Restorer:
    def __init__(self, backup: Backup, plan: Plan) -> None:
        self.backup = backup
        self.organization: Organization  # set once inserted (its public id may be swapped)
        self.taken = plan.taken
        self.namespace = uuid.uuid4()  # fresh public ids: uuid5(namespace, old one)
        self.users: dict[int, int] = {}
        self.pks: dict[type[models.Model], KeyMap] = {}
        self.deferred: list[tuple[type[models.Model], Any, str, type[models.Model], Any]] = []
        self.m2m: dict[models.ManyToManyField, list[tuple[int, Any]]] = {}
        self.saved_files: list[str] = []
        self.counts: dict[str, int] = {}
        self.inserts: dict[type[models.Model], Insert] = {}
        self._columns: dict[type[models.Model], list[tuple[str, models.Field, Any, Any]]] = {}

    def people(self, people: list[tuple[int, str, str]], accounts: dict[str, User]) -> None:
        """Map the archive's people to accounts: existing ones (the caller allowed it), or new
        ones with no usable password, never staff: imported data can't grant trust."""
        for pk, email, name in people:
            user = accounts.get(email)
            if user is None:
                user = User(email=email, name=name)
                user.set_unusable_password()
                user.full_clean(exclude=["password"])
                user.save()
                accounts[email] = user
            self.users[pk] = user.pk

    def fresh(self, old: str) -> str:
        return str(uuid.uuid5(self.namespace, old))

    def swap(self, value: Any) -> Any:
        """Replace references to public ids that had to change (in JSON and id strings)."""
        if type(value) is str:
            if self.taken and len(value) == 36 and value[8] == "-":
                try:
                    if uuid.UUID(value).int in self.taken:
                        return self.fresh(value)
                except ValueError:
                    pass
            return value
        if isinstance(value, list):
            return [self.swap(v) for v in value]
        if isinstance(value, dict):
            return {k: self.swap(v) for k, v in value.items()}
        return value

    def row_values(self, node: Node, record: dict[str, Any]) -> dict[str, Any]:
        fields = record["fields"]
        values: dict[str, Any] = {}
        for attname, field, key, kind in self.columns(node):
            if attname not in fields:
                raise BackupRefused(f"{node.label} rows lack the field {field.name!r}.")
            raw = fields[attname]
            if key is not None:
                values[attname] = self.key_value(node, key, raw)
            elif raw is None:
                values[attname] = None
            elif kind is not None and type(raw) is kind:  # the usual case: nothing to convert
                values[attname] = self.swap(raw) if kind is str else raw
            elif isinstance(field, models.JSONField) or isinstance(raw, str):
                values[attname] = field.to_python(self.swap(raw))
            else:
                values[attname] = field.to_python(raw)
        return values

    def columns(self, node: Node) -> list[tuple[str, models.Field, Any, type | None]]:
        """``(attname, field, foreign key or None, the plain type its value has, or None)`` of
        each column a row gives (not an automatic primary key)."""
        if node.model not in self._columns:
            keys = {f.attname: f for f in foreign_keys(node.model)}
            self._columns[node.model] = [
                (f.attname, f, keys.get(f.attname), PLAIN_FIELDS.get(type(f)))
                for f in node.model._meta.concrete_fields
                if not (f.primary_key and f.attname not in keys)
            ]
        return self._columns[node.model]

    def key_value(self, node: Node, key: models.ForeignKey, raw: Any) -> Any:
        if raw is None:
            return None
        target = key.related_model
        if target is Organization:
            return self.organization.pk
        if target is User:
            mapped_user = self.users.get(raw)
            if mapped_user is None and not key.null:
                raise BackupRefused(f"{node.label}.{key.name} points at a person who isn't in it.")
            return mapped_user
        mapped = self.pks.get(target)
        if mapped is None:
            if key.null:
                return None  # points outside the organisation
            raise BackupRefused(f"{node.label}.{key.name} points outside the organisation.")
        new = mapped.get(raw)
        if new is not None:
            return new
        if key.null:
            self.deferred.append((node.model, None, key.attname, target, raw))
            return None
        raise BackupRefused(f"{node.label}.{key.name} points at a row that isn't in the archive.")

    def files(self, node: Node, values: dict[str, Any]) -> None:
        for attname in file_fields(node):
            name = values.get(attname)
            if not name:
                continue
            check_file_name(node, name)
            member = f"files/{name}"
            if member in self.backup:
                with self.backup.open(member) as stream, SpooledTemporaryFile(READ) as copy:
                    while chunk := stream.read(READ):
                        copy.write(chunk)
                    copy.seek(0)
                    saved = default_storage.save(name, File(copy, name=name))
                self.saved_files.append(saved)
                values[attname] = saved

    def run(self) -> dict[str, int]:
        nodes = insert_order(organization_models())
        for node in nodes:
            # Known before any row is written, so a nullable key to a later model is deferred.
            self.pks[node.model] = KeyMap(node.label)
        for node in nodes:
            self.insert(node)
        self.many_to_many()
        self.fill_deferred()
        return self.counts

    def insert(self, node: Node) -> None:
        m2m = [
            f for f in node.model._meta.many_to_many if f.remote_field.through._meta.auto_created
        ]
        batch: list[tuple[int, dict[str, Any], int]] = []
        for record in self.backup.items(f"data/{node.label}.json"):
            record = shape(node, record)
            first_deferred = len(self.deferred)
            values = self.row_values(node, record)
            self.files(node, values)
            for field in m2m:
                targets = record.get("m2m", {}).get(field.name, [])
                self.m2m.setdefault(field, []).extend((record["pk"], t) for t in targets)
            batch.append((record["pk"], values, first_deferred))
            if len(batch) >= BATCH:
                self.flush(node, batch)
                batch = []
        self.flush(node, batch)
        self.counts[node.label] = len(self.pks[node.model])

    def flush(self, node: Node, batch: list[tuple[int, dict[str, Any], int]]) -> None:
        """INSERT the rows and note their new keys (see ``rows.Insert``)."""
        if not batch:
            return
        self.unique_values(node, [values for _old, values, _first in batch])
        insert = self.inserts.get(node.model) or self.inserts.setdefault(
            node.model, Insert(node.model)
        )
        new_pks = insert([values for _old, values, _first in batch])
        mapping = self.pks[node.model]
        ends = [first for _old, _values, first in batch[1:]] + [len(self.deferred)]
        for (old, _values, first), end, new in zip(batch, ends, new_pks, strict=True):
            mapping.add(old, new)
            for i in range(first, end):
                deferred_model, _, attname, target, raw = self.deferred[i]
                self.deferred[i] = (deferred_model, new, attname, target, raw)

    def unique_values(self, node: Node, rows: list[dict[str, Any]]) -> None:
        """A global dedup key (``Run.import_key``) that the original still holds becomes a hash
        with the new organisation's id."""
        for field in node.model._meta.concrete_fields:
            if not field.unique or field.primary_key or field.name == "public_id":
                continue
            if isinstance(field, models.ForeignKey):
                continue
            wanted = [row[field.attname] for row in rows if row[field.attname] is not None]
            if not wanted:
                continue
            taken = set(
                node.model._base_manager.filter(**{f"{field.attname}__in": wanted}).values_list(
                    field.attname, flat=True
                )
            )
            for row in rows:
                if row[field.attname] in taken:
                    raw = row[field.attname]
                    digest = hashlib.sha256(f"{self.organization.public_id}:{raw}".encode())
                    row[field.attname] = digest.hexdigest()[: field.max_length or 64]

    def many_to_many(self) -> None:
        for field, pairs in self.m2m.items():
            through = field.remote_field.through
            source = field.m2m_field_name()
            target_name = field.m2m_reverse_field_name()
            sources = self.pks[field.model]
            targets = self.pks.get(field.related_model)
            links = []
            for old_source, old_target in pairs:
                new_target = targets.get(old_target) if targets is not None else None
                if new_target is not None:
                    links.append(
                        through(
                            **{
                                f"{source}_id": sources.get(old_source),
                                f"{target_name}_id": new_target,
                            }
                        )
                    )
            through._base_manager.bulk_create(links, batch_size=BATCH)

    def fill_deferred(self) -> None:
        for model, pk, attname, target, raw in self.deferred:
            new = self.pks[target].get(raw)
            if new is not None:
                model._base_manager.filter(pk=pk).update(**{attname: new})


def _insert_one(model: type[models.Model], values: dict[str, Any]) -> Any:
    """INSERT one row as given (raw, as ``_Restorer.flush``) and return its primary key."""
    meta = model._meta
    return model._base_manager._insert(
        [model(**values)],
        fields=[f for f in meta.local_concrete_fields if not f.primary_key],
        returning_fields=[meta.pk],
        raw=True,
        using="default",
    )[0][0]


def backup_restore(
    path: Path, *, slug: str | None = None, link_existing_users: bool = False
) -> tuple[Organization, dict[str, int]]:
    """Restore the archive at ``path`` into a new organisation (``slug`` or the archive's).

    Everything is verified first (``archive.backup_open``, then every row read once), then
    written in one transaction: a refusal (``BackupRefused``) or any error leaves the database
    and media storage as they were. People in the archive who already have an account here are
    refused unless ``link_existing_users``; then they become members with their roles in the
    archive. Others get a new account with no usable password.
    """
    with backup_open(path) as backup:
        _check_migrations(backup)
        source = backup.json("organization.json")
        if not isinstance(source, dict):
            raise BackupRefused("The archive's organization.json is not an object.")
        slug = (slug or str(source.get("slug", ""))).strip().lower()
        try:
            slug_validator(slug)
        except ValidationError as error:
            raise BackupRefused(f"{slug!r} is not a valid slug. {error.messages[0]}") from None
        if Organization.objects.filter(slug=slug).exists():
            raise BackupRefused(
                f"The organisation {slug!r} exists; restore into a new slug (--as)."
            )
        plan = Plan(backup, insert_order(organization_models()))
        people = read_people(backup)
        accounts = accounts_of(sorted({email for _pk, email, _name in people}))
        if not link_existing_users:
            refuse_existing(people, accounts, plan)
        return _restore(backup, source, slug, plan, people, accounts)


def _restore(
    backup: Backup,
    source: dict[str, Any],
    slug: str,
    plan: Plan,
    people: list[tuple[int, str, str]],
    accounts: dict[str, User],
) -> tuple[Organization, dict[str, int]]:
    restorer: _Restorer | None = None
    try:
        with transaction.atomic():
            try:
                public_id = uuid.UUID(str(source.get("public_id")))
            except ValueError:
                public_id = uuid.uuid4()
            if Organization.objects.filter(public_id=public_id).exists():
                plan.taken.add(public_id.int)  # a copy beside its original: a fresh one
            restorer = _Restorer(backup, plan)
            values = {
                "slug": slug,
                "name": str(source.get("name") or slug)[:120],
                "public_id": uuid.UUID(restorer.swap(str(public_id))),
                "created_at": parse_datetime(str(source.get("created_at", ""))) or timezone.now(),
            }
            organization = Organization.objects.get(pk=_insert_one(Organization, values))
            restorer.organization = organization
            restorer.people(people, accounts)
            counts = restorer.run()
            event_record(
                System(organization),
                "organization.restored",
                organization,
                from_=str(source.get("slug", "")),
                counts=counts,
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
