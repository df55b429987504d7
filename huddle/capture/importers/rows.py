"""Conversation and Prompt rows of an import, written as plain tuples: ``executemany`` on
SQLite, ``COPY`` on PostgreSQL (``core.bulk.RowInsert``).

The ORM's ``bulk_create`` compiles SQL and prepares every value of every row through its field
objects; for an export of a gigabyte that cost more than parsing it. Here each statement is
built once from the models' own table and column names, and values are prepared only where the
database needs it (datetimes through the backend's own adapter, UUIDs as 32 hex digits, which
both take). Lookups use ``%s`` placeholders, which Django's cursor takes on both databases.

Identity is (organisation, member, source, conversation id, message id): a batch looks up which
of its conversations and prompts are already stored (by an earlier import, or earlier in this
one) and writes only the rest. Every row written carries the import's run (``ImportRun``, the
rollback record). A known conversation's new title, model and signal counts are kept until
``apply_updates``, which the writer calls in its last transaction: until then the conversation
shows what the finished imports said. Callers own the transactions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connections, router
from django.utils import timezone

from huddle.accounts.policy import Actor
from huddle.capture.importers.models import Conversation, Prompt
from huddle.capture.importers.parsed import ParsedConversation, ParsedPrompt, text_hash
from huddle.core.bulk import RowInsert

CONVERSATION_FIELDS = (
    "public_id", "created_at", "organization", "owner", "source", "external_id", "title",
    "started_at", "model", "gizmo_id", "rewrites", "regenerations", "uses_instructions",
    "import_run",
)  # fmt: skip
PROMPT_FIELDS = (
    "conversation", "organization", "owner", "external_id", "position", "text", "sent_at",
    "alternatives", "text_hash", "import_run",
)  # fmt: skip
UPDATED_FIELDS = ("title", "model", "rewrites", "regenerations", "uses_instructions")


def _datetime_adapter(connection: Any) -> Callable[[datetime | None], Any]:
    """The backend's ``adapt_datetimefield_value``, with a shortcut on SQLite for UTC values.

    On SQLite (USE_TZ, the connection in UTC) Django stores ``str()`` of the value made naive in
    UTC: for a value already in UTC, as the parsers make them, that is its ``str()`` without the
    ``+00:00`` suffix, at a third of the cost. Anything else goes through the backend.
    """
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite" or connection.timezone_name != "UTC":
        return adapt

    def sqlite(value: datetime | None) -> Any:
        if value is not None and value.tzinfo is UTC:
            return str(value)[:-6]
        return adapt(value)

    return sqlite


def uuid4_hexes(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as 32 hex digits, which both databases take for a
    ``UUIDField``: ``uuid.uuid4()`` costs several times more, checking what is made right here."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])  # the version
    raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])  # the variant
    return [raw[i : i + 16].hex() for i in range(0, len(raw), 16)]


class Rows:
    """Writes batches of parsed conversations for one member, source and run; counts in
    ``report`` (an ``ImportReport``: conversations, prompts, duplicates)."""

    def __init__(self, actor: Actor, source: str, run_id: int) -> None:
        self.organization_id = actor.organization.pk
        self.owner_id = actor.user.pk
        self.source = source
        self.run_id = run_id
        # Known conversations that gained prompts: their new values, for ``apply_updates``.
        self.updates: dict[int, tuple[Any, ...]] = {}
        self.connection = connections[router.db_for_write(Prompt)]
        self.when = _datetime_adapter(self.connection)
        self.postgres = self.connection.vendor == "postgresql"
        self.insert_conversations = RowInsert(self.connection, Conversation, CONVERSATION_FIELDS)
        # PostgreSQL: the new conversations' ids are drawn from their sequence first and written
        # with them, instead of being looked up after the insert (1 GiB: 0.3 s of look-ups).
        self.sequence = ""
        if self.postgres:
            fields = ("id", *CONVERSATION_FIELDS)
            self.insert_conversations = RowInsert(self.connection, Conversation, fields)
            with self.connection.cursor() as cursor:
                table = Conversation._meta.db_table
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                self.sequence = cursor.fetchone()[0]
        self.insert_prompts = RowInsert(self.connection, Prompt, PROMPT_FIELDS)
        quote, meta = self.connection.ops.quote_name, Conversation._meta
        table, external_id, pk = quote(meta.db_table), quote("external_id"), quote("id")
        where = (
            f"{quote('organization_id')} = %s AND {quote('owner_id')} = %s "
            f"AND {quote('source')} = %s AND {external_id} "
        )
        if self.postgres:
            # One probe of the identity index per id, whatever the statistics say. Given
            # ``external_id = ANY(%s)``, the planner scans all of the member's rows and filters
            # them when it believes the member has few (a new member importing has no statistics
            # yet): each batch then read every row the import had written (1 GiB: 3.8 s).
            self.select_ids = (
                f"SELECT w.id, c.{pk} FROM unnest(%s::text[]) AS w(id) CROSS JOIN LATERAL "  # noqa: S608
                f"(SELECT {pk} FROM {table} WHERE {where}= w.id LIMIT 1) AS c"
            )
        else:
            self.select_ids = f"SELECT {external_id}, {pk} FROM {table} WHERE {where}IN "  # noqa: S608

    def write(self, batch: list[ParsedConversation], report: Any) -> None:
        """Store the batch's new conversations and the new prompts of known ones."""
        if not batch:
            return
        existing = self._ids({c.external_id for c in batch})
        known = set(
            Prompt.objects.filter(conversation_id__in=existing.values()).values_list(
                "conversation_id", "external_id"
            )
        )
        new: list[ParsedConversation] = []
        prompts: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        for parsed in batch:
            if parsed.external_id in seen:  # the same conversation twice in one export
                continue
            seen.add(parsed.external_id)
            pk = existing.get(parsed.external_id)
            if pk is None:
                new.append(parsed)
                continue
            fresh = [p for p in parsed.prompts if (pk, p.external_id) not in known]
            if not fresh:
                report.duplicates += 1
                continue
            report.conversations += 1
            self.updates[pk] = (
                parsed.title,
                parsed.model,
                parsed.rewrites,
                parsed.regenerations,
                bool(parsed.instructions),
            )
            prompts += self._prompts(pk, fresh)
        if new:
            ids = self._insert_conversations(new)
            for parsed in new:
                report.conversations += 1
                prompts += self._prompts(ids[parsed.external_id], parsed.prompts)
        self.insert_prompts(prompts)
        report.prompts += len(prompts)

    def apply_updates(self) -> None:
        """Give the known conversations that gained prompts their new title, model and counts."""
        quote = self.connection.ops.quote_name
        sets = ", ".join(f"{quote(name)} = %s" for name in UPDATED_FIELDS)
        sql = f"UPDATE {quote(Conversation._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"  # noqa: S608
        rows = [(*values, pk) for pk, values in self.updates.items()]
        if rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(sql, rows)
        self.updates = {}

    def _ids(self, external_ids: set[str]) -> dict[str, int]:
        """Stored conversations of these ids (the ORM's ``__in`` prepares each value: slower)."""
        wanted = list(external_ids)
        where = [self.organization_id, self.owner_id, self.source]
        if self.postgres:
            sql, params = self.select_ids, [wanted, *where]
        else:
            sql = self.select_ids + "(" + ", ".join(["%s"] * len(wanted)) + ")"
            params = [*where, *wanted]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    def _insert_conversations(self, new: list[ParsedConversation]) -> dict[str, int]:
        """Insert the new conversations; their ids by external id."""
        when, org, owner, source = self.when, self.organization_id, self.owner_id, self.source
        now, run = when(timezone.now()), self.run_id
        rows = [
            (
                public_id, now, org, owner, source, c.external_id, c.title, when(c.started_at),
                c.model, c.gizmo_id, c.rewrites, c.regenerations, bool(c.instructions), run,
            )
            for c, public_id in zip(new, uuid4_hexes(len(new)), strict=True)
        ]  # fmt: skip
        if not self.postgres:
            self.insert_conversations(rows)
            return self._ids({c.external_id for c in new})
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [self.sequence, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        self.insert_conversations([(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return {c.external_id: pk for c, pk in zip(new, ids, strict=True)}

    def _prompts(self, conversation_id: int, prompts: list[ParsedPrompt]) -> list[tuple[Any, ...]]:
        when, org, owner, run = self.when, self.organization_id, self.owner_id, self.run_id
        return [
            (
                conversation_id, org, owner, p.external_id, p.position, p.text, when(p.sent_at),
                p.alternatives, p.text_hash or text_hash(p.text), run,
            )
            for p in prompts
        ]  # fmt: skip
