"""Conversation and Prompt rows of an import, written as plain tuples: ``executemany`` on
SQLite, ``COPY`` on PostgreSQL (``core.bulk.RowInsert``).

The ORM's ``bulk_create`` compiles SQL and prepares every value of every row through its field
objects; for an export of a gigabyte that cost more than parsing it. Here each statement is
built once from the models' own table and column names, and values are prepared only where the
database needs it (datetimes through the backend's own adapter, UUIDs as the backend stores
them). Lookups use ``%s`` placeholders, which Django's cursor takes on both databases.

Identity is (organisation, member, source, conversation id, message id): a batch looks up which
of its conversations and prompts are already stored (by an earlier import, or earlier in this
one) and writes only the rest. Callers own the transaction.
"""

from __future__ import annotations

import uuid
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
)  # fmt: skip
PROMPT_FIELDS = (
    "conversation", "organization", "owner", "external_id", "position", "text", "sent_at",
    "alternatives", "text_hash",
)  # fmt: skip


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


class Rows:
    """Writes batches of parsed conversations for one member and source; counts in ``report``
    (an ``ImportReport``: conversations, prompts, duplicates)."""

    def __init__(self, actor: Actor, source: str) -> None:
        self.organization_id = actor.organization.pk
        self.owner_id = actor.user.pk
        self.source = source
        self.connection = connections[router.db_for_write(Prompt)]
        self.when = _datetime_adapter(self.connection)
        self.native_uuid = self.connection.features.has_native_uuid_field
        self.insert_conversations = RowInsert(self.connection, Conversation, CONVERSATION_FIELDS)
        self.insert_prompts = RowInsert(self.connection, Prompt, PROMPT_FIELDS)
        quote, meta = self.connection.ops.quote_name, Conversation._meta
        table, external_id, pk = quote(meta.db_table), quote("external_id"), quote("id")
        where = (
            f"{quote('organization_id')} = %s AND {quote('owner_id')} = %s "
            f"AND {quote('source')} = %s AND {external_id} "
        )
        if self.connection.vendor == "postgresql":
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
        self.mine = Conversation.objects.filter(
            organization_id=self.organization_id, owner_id=self.owner_id, source=source
        )

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
            self.mine.filter(pk=pk).update(
                title=parsed.title,
                model=parsed.model,
                rewrites=parsed.rewrites,
                regenerations=parsed.regenerations,
                uses_instructions=bool(parsed.instructions),
            )
            prompts += self._prompts(pk, fresh)
        if new:
            self._insert_conversations(new)
            ids = self._ids({c.external_id for c in new})
            for parsed in new:
                report.conversations += 1
                prompts += self._prompts(ids[parsed.external_id], parsed.prompts)
        self.insert_prompts(prompts)
        report.prompts += len(prompts)

    def _ids(self, external_ids: set[str]) -> dict[str, int]:
        """Stored conversations of these ids (the ORM's ``__in`` prepares each value: slower)."""
        wanted = list(external_ids)
        where = [self.organization_id, self.owner_id, self.source]
        if self.connection.vendor == "postgresql":
            sql, params = self.select_ids, [wanted, *where]
        else:
            sql = self.select_ids + "(" + ", ".join(["%s"] * len(wanted)) + ")"
            params = [*where, *wanted]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    def _insert_conversations(self, new: list[ParsedConversation]) -> None:
        when, org, owner, source = self.when, self.organization_id, self.owner_id, self.source
        now = when(timezone.now())
        rows = []
        for c in new:
            public_id = uuid.uuid4()
            rows.append(
                (
                    public_id if self.native_uuid else public_id.hex,
                    now, org, owner, source, c.external_id, c.title, when(c.started_at),
                    c.model, c.gizmo_id, c.rewrites, c.regenerations, bool(c.instructions),
                )
            )  # fmt: skip
        self.insert_conversations(rows)

    def _prompts(self, conversation_id: int, prompts: list[ParsedPrompt]) -> list[tuple[Any, ...]]:
        when, org, owner = self.when, self.organization_id, self.owner_id
        return [
            (
                conversation_id, org, owner, p.external_id, p.position, p.text, when(p.sent_at),
                p.alternatives, text_hash(p.text),
            )
            for p in prompts
        ]  # fmt: skip
