"""Rows into the database fast, and their old keys → new ones: what restore writes with."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import Any

from django.db import connection, models

from huddle.backup.archive import BackupRefused
from huddle.backup.graph import PLAIN_FIELDS
from huddle.core.bulk import RowInsert

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
    """Many rows of one model into its table, as given: no ``auto_now``, no ``save()`` override,
    no signals (restore writes history as it was, as ``loaddata`` does); returns their keys.
    Values are prepared by each field's ``get_db_prep_save`` (JSON, dates, UUIDs …) except where
    the Python value is already the database's: the ORM's ``_insert`` compiled every value of
    every row, most of a restore's time.

    SQLite: ``INSERT … VALUES (…), (…) RETURNING`` (the keys come back in the order of the rows;
    Django's ``bulk_create`` relies on it too). PostgreSQL: the keys are drawn from the table's
    sequence first, then the rows go in by ``COPY`` (``core.bulk.RowInsert``): psycopg splits a
    long ``VALUES`` statement's text anew every time, which cost more than the inserts.
    """

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        self.auto_pk = not isinstance(meta.pk, models.ForeignKey)  # else the key is a parent's
        self.fields = [
            f for f in meta.local_concrete_fields if not (self.auto_pk and f.primary_key)
        ]
        self.pk = meta.pk.attname
        self.prepare = [
            None if type(f) in PLAIN_FIELDS else f.get_db_prep_save for f in self.fields
        ]
        quote = connection.ops.quote_name
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            names = [f.attname for f in self.fields]
            self.copy = RowInsert(connection, model, [self.pk, *names] if self.auto_pk else names)
            self.table_column = [meta.db_table, meta.pk.column]
            return
        columns = ", ".join(quote(f.column) for f in self.fields)
        # Only the model's own table and column names go into the text; values are parameters.
        self.head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.tail = f" RETURNING {quote(meta.pk.column)}" if self.auto_pk else ""
        limit = connection.features.max_query_params
        self.rows_at_once = max(1, min(ROWS, limit // len(self.fields)))

    def __call__(self, rows: list[dict[str, Any]]) -> list[Any]:
        prepared = [
            tuple(
                value if prepare is None or value is None else prepare(value, connection)
                for value, prepare in zip(
                    (values[f.attname] for f in self.fields), self.prepare, strict=True
                )
            )
            for values in rows
        ]
        if not self.postgres:
            keys = self._values(prepared)
            return keys if self.auto_pk else [values[self.pk] for values in rows]
        if self.auto_pk:
            keys = self._sequence(len(rows))
            prepared = [(key, *row) for key, row in zip(keys, prepared, strict=True)]
        else:
            keys = [values[self.pk] for values in rows]
        with connection.wrap_database_errors:  # COPY runs on psycopg's own cursor
            self.copy(prepared)
        return keys

    def _sequence(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [*self.table_column, count],
            )
            return [key for (key,) in cursor.fetchall()]

    def _values(self, prepared: list[tuple[Any, ...]]) -> list[Any]:
        keys: list[Any] = []
        with connection.cursor() as cursor:
            for start in range(0, len(prepared), self.rows_at_once):
                part = prepared[start : start + self.rows_at_once]
                sql = self.head + ", ".join([self.row] * len(part)) + self.tail
                cursor.execute(sql, [value for row in part for value in row])
                if self.auto_pk:
                    keys += [key for (key,) in cursor.fetchall()]
        return keys
