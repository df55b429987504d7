"""What an archive holds, read once before a restore writes anything: rows' shapes and counts,
media file names, the public ids already taken here, and the people, with the rule for those
who already have an account (``refuse_existing``)."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from django.db import models
from django.db.models.functions import Lower

from huddle.accounts.models import Membership, Role, User
from huddle.backup.archive import Backup, BackupRefused, path_problem
from huddle.backup.graph import Node

QUERY_BATCH = 500  # values a look-up query (SQLite limits a query's parameters)
SHOWN = 5  # people named in a refusal


def shape(node: Node, record: Any) -> dict[str, Any]:
    """``record`` when it is a row as backup writes them (``{pk, fields, m2m}``), else refused."""
    if (
        not isinstance(record, dict)
        or type(record.get("pk")) is not int
        or not isinstance(record.get("fields"), dict)
        or not isinstance(record.get("m2m", {}), dict)
    ):
        raise BackupRefused(f"The archive's {node.label} rows are not shaped like a backup's.")
    return record


def check_file_name(node: Node, name: Any) -> None:
    """Refuse a media file name that is not a plain relative path (``/tmp/x``, ``../x``,
    ``a//b``): media storage is the only place a restore writes files to."""
    if not isinstance(name, str) or path_problem(name):
        raise BackupRefused(
            f"{node.label} names the file {name!r}, which is not a path inside media storage."
        )


@cache
def file_fields(node: Node) -> list[str]:
    """The attnames of the node's media file fields."""
    return [f.attname for f in node.model._meta.concrete_fields if isinstance(f, models.FileField)]


class Plan:
    """What the archive holds, read once before anything is written: row counts (checked
    against the manifest), the public ids already taken here, the people and their roles."""

    def __init__(self, backup: Backup, nodes: list[Node]) -> None:
        self.taken: set[int] = set()
        self.roles: dict[int, set[str]] = {}  # archive user pk → roles in the archive
        expected = backup.manifest.get("counts") or {}
        for node in nodes:
            count = self._scan(backup, node)
            if not isinstance(expected, dict) or expected.get(node.label) != count:
                raise BackupRefused(f"The archive's {node.label} rows don't match its manifest.")

    def _scan(self, backup: Backup, node: Node) -> int:
        public = any(f.name == "public_id" for f in node.model._meta.concrete_fields)
        files = file_fields(node)
        pending: list[uuid.UUID] = []
        count = 0
        for record in backup.items(f"data/{node.label}.json"):
            record = shape(node, record)
            count += 1
            for attname in files:
                if name := record["fields"].get(attname):
                    check_file_name(node, name)
            if public:
                try:
                    pending.append(uuid.UUID(str(record["fields"].get("public_id"))))
                except ValueError:
                    raise BackupRefused(
                        f"The archive's {node.label} rows have a public id that is not a UUID."
                    ) from None
                if len(pending) >= QUERY_BATCH:
                    self._taken(node, pending)
                    pending = []
            if node.model is Membership and type(record["fields"].get("user_id")) is int:
                fields = record["fields"]
                self.roles.setdefault(fields["user_id"], set()).add(str(fields.get("role")))
        self._taken(node, pending)
        return count

    def _taken(self, node: Node, public_ids: list[uuid.UUID]) -> None:
        if public_ids:
            found = node.model._base_manager.filter(public_id__in=public_ids)
            self.taken.update(u.int for u in found.values_list("public_id", flat=True))


def read_people(backup: Backup) -> list[tuple[int, str, str]]:
    """``(pk, email, name)`` of each person in ``users.json``, the email normalised."""
    people = []
    for entry in backup.items("users.json"):
        if not isinstance(entry, dict) or type(entry.get("pk")) is not int:
            raise BackupRefused("The archive's users.json is not shaped like a backup's.")
        email = str(entry.get("email", "")).strip().lower()
        people.append((entry["pk"], email, str(entry.get("name", ""))[:150]))
    return people


def accounts_of(emails: list[str]) -> dict[str, User]:
    """Existing users by normalised email (batches: SQLite limits a query's parameters)."""
    found: dict[str, User] = {}
    for start in range(0, len(emails), QUERY_BATCH):
        batch = emails[start : start + QUERY_BATCH]
        users = User.objects.annotate(normal=Lower("email")).filter(normal__in=batch)
        found.update({user.normal: user for user in users})
    return found


def refuse_existing(
    people: list[tuple[int, str, str]], accounts: dict[str, User], plan: Plan
) -> None:
    """Without ``--link-existing-users``, an archive naming people who have an account here is
    refused, naming them (and those it would make owners): restoring it would give someone
    else's account a membership, perhaps an owner's, that nobody asked for."""
    existing = sorted({email for _pk, email, _name in people if email in accounts})
    if not existing:
        return
    owners = sorted(
        {
            email
            for pk, email, _ in people
            if email in accounts and Role.OWNER in plan.roles.get(pk, ())
        }
    )
    shown = ", ".join(existing[:SHOWN]) + (" …" if len(existing) > SHOWN else "")
    who = (
        f"1 person in the archive already has an account here ({shown})"
        if len(existing) == 1
        else f"{len(existing):,} people in the archive already have an account here ({shown})"
    )
    owned = ""
    if owners:
        label = "owner" if len(owners) == 1 else "owners"
        owned = f" ({label}: {', '.join(owners[:SHOWN])}{' …' if len(owners) > SHOWN else ''})"
    raise BackupRefused(
        f"{who}; restore with --link-existing-users to make them members of the restored "
        f"organisation with their roles in the archive{owned}."
    )
