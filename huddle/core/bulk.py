"""``RowInsert``: many rows into one model's columns, without the ORM's per-object work.

The ORM's ``bulk_create`` compiles SQL and prepares every value of every row through its field
objects; for an import of a gigabyte, or a benchmark's million runs, that cost more than the
work around it. Callers pass values the database takes as they are (datetimes through the
backend's adapter, UUIDs as the backend stores them). Used by the chat-export import
(``capture/importers/rows.py``) and the benchmark generator (``bench/common.fast_insert``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model


class RowInsert:
    """``INSERT`` of many rows into one model's columns.

    On SQLite, ``executemany`` of one prepared statement. On PostgreSQL, ``COPY … FROM STDIN``:
    psycopg binds ``%s`` parameters on the client and sends ``executemany`` a row at a time, and
    a multi-row ``VALUES`` statement's text is split by a regular expression every time (uncached
    past 4 KB); either costs several times the parse of a chat export.
    """

    def __init__(self, connection: Any, model: type[Model], names: Sequence[str]) -> None:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
        marks = ", ".join(["%s"] * len(names))
        # Only the model's own table and column names go into the text; values are parameters.
        self.insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy = f"COPY {table} ({columns}) FROM STDIN"
        self.connection = connection

    def __call__(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            if self.connection.vendor != "postgresql":
                cursor.executemany(self.insert, rows)
                return
            with cursor.cursor.copy(self.copy) as copy:
                for row in rows:
                    copy.write_row(row)
