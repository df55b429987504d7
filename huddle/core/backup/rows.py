"""Rows into the database fast, and their old keys → new ones: what restore writes with."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import Any

from django.db import connection, models

from huddle.core.backup.archive import BackupRefused
from huddle.core.backup.graph import PLAIN_FIELDS

ROWS = 500  # rows a statement at most


class KeyMap:
    """Old primary keys → new ones, as two arrays searched by bisection (a dict takes about
    100 bytes a row). The archive lists rows in the order of their keys; one out of order (or
    twice) refuses it."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.old: array[int] = array("q")
        self.new: array[int] = array("q")

    def add(self, old: int, new: int) -> None:
        if self.old and old <= self.old[-1]:
            raise BackupRefused(
                f"The archive's {self.label} rows are not in the order of their keys."
            )
        self.old.append(old)
        self.new.append(new)

    def get(self, old: Any) -> int | None:
        if type(old) is not int:
            return None
        i = bisect_left(self.old, old)
        return self.new[i] if i < len(self.old) and self.old[i] == old else None

    def __len__(self) -> int:
        return len(self.old)


class Insert:
    """``INSERT … VALUES (…), (…) RETURNING`` of many rows of one model, as given: no
    ``auto_now``, no ``save()`` override, no signals (restore writes history as it was, as
    ``loaddata`` does). Values are prepared by each field's ``get_db_prep_save`` (JSON, dates,
    UUIDs …) except where the Python value is already the database's; the ORM's ``_insert``
    compiled every value of every row, most of a restore's time. Both databases return the keys
    in the order of the rows (Django's ``bulk_create`` relies on it too)."""

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        self.auto_pk = not isinstance(meta.pk, models.ForeignKey)  # else the key is a parent's
        self.fields = [
            f for f in meta.local_concrete_fields if not (self.auto_pk and f.primary_key)
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        # Only the model's own table and column names go into the text; values are parameters.
        self.head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.tail = f" RETURNING {quote(meta.pk.column)}" if self.auto_pk else ""
        self.pk = meta.pk.attname
        self.prepare = [
            None if type(f) in PLAIN_FIELDS else f.get_db_prep_save for f in self.fields
        ]
        limit = connection.features.max_query_params or 65_535  # PostgreSQL's protocol
        self.rows_at_once = max(1, min(ROWS, min(limit, 65_535) // len(self.fields)))

    def __call__(self, rows: list[dict[str, Any]]) -> list[Any]:
        keys: list[Any] = []
        params: list[Any] = []
        for values in rows:
            for field, prepare in zip(self.fields, self.prepare, strict=True):
                value = values[field.attname]
                params.append(
                    value if prepare is None or value is None else prepare(value, connection)
                )
        width = len(self.fields)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.rows_at_once):
                count = min(self.rows_at_once, len(rows) - start)
                sql = self.head + ", ".join([self.row] * count) + self.tail
                cursor.execute(sql, params[start * width : (start + count) * width])
                if self.auto_pk:
                    keys += [row[0] for row in cursor.fetchall()]
        return keys if self.auto_pk else [values[self.pk] for values in rows]
