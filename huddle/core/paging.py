"""Paging: ``CappedPaginator`` for pages, ``cursor_page`` for every list of the API.

Pages: lists whose full count would cost more than the page.

Django's ``Paginator`` counts every matching row to say "page 1 of N". Over the 51,000 workflows
a member of a 100k-workflow library may see, that ``COUNT(*)`` took half of the page's time
(12 of 24 ms, docs/performance.md); over an activity log of a million events, far more. Nobody
pages through a thousand rows — they search or filter — so lists count at most ``cap`` rows:
past it the page says "1,000+" and offers pages up to the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet

from huddle.core.errors import ValidationFailed

CAP = 1000


class CappedPaginator(Paginator):
    """A ``Paginator`` over a queryset that counts at most ``cap`` rows (``capped`` tells)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        # COUNT over a LIMIT: the database stops after cap + 1 rows. Only the keys are read:
        # not the ordering, nor the joins of ``select_related`` (which never drop a row), nor
        # computed columns such as a search's rank (PostgreSQL's ``ts_rank_cd`` for 1,000 rows
        # was half of a searched page).
        rows = self.object_list
        if hasattr(rows, "values"):
            rows = rows.order_by().select_related(None).values("pk")
        return rows[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows match than were counted: only the first ``cap`` can be paged to."""
        return self._counted > self.cap


# --- the API's lists -------------------------------------------------------------------------

MAX_LIMIT = 100
_CURSOR = signing.Signer(salt="huddle.api.cursor")
_BAD_CURSOR = "This cursor is not valid; use the next_cursor of a previous page."


def cursor_page[M: Model](
    rows: QuerySet[M], *, cursor: str | None, limit: int, keyset: Sequence[str] | None = None
) -> tuple[list[M], str | None]:
    """One page of an API list: the rows after ``cursor`` and the cursor of the next page (None
    on the last one). Every list of the API pages through here, so all answer alike.

    With ``keyset`` (plain, non-null fields ending with a unique one, e.g. ``("-started_at",
    "-id")``) the rows are ordered by it and a cursor holds the last row's values: rows added
    while someone pages (newest first) never shift a page. Without it (an ordering by relevance)
    the queryset's own order is kept and a cursor holds an offset. Cursors are signed and opaque.
    Raises ``ValidationFailed`` (422, naming the parameter) for a cursor not issued here, or one
    of another list, and for a ``limit`` outside 1 to ``MAX_LIMIT``.
    """
    if not 1 <= limit <= MAX_LIMIT:
        message = f"The limit is 1 to {MAX_LIMIT}."
        raise ValidationFailed(message, fields={"limit": [message]})
    state = _unsign(cursor) if cursor else {}
    offset = 0
    try:
        if keyset is not None:
            rows = rows.order_by(*keyset)
            if cursor:
                values = state.get("k")
                if not isinstance(values, list) or len(values) != len(keyset):
                    raise TypeError
                rows = rows.filter(_after(keyset, values))
        elif cursor:
            offset = state.get("o")
            if not isinstance(offset, int) or offset < 0:
                raise TypeError
        found = list(rows[offset : offset + limit + 1])
    except (TypeError, ValueError, ValidationError):
        raise ValidationFailed(_BAD_CURSOR, fields={"cursor": [_BAD_CURSOR]}) from None
    page, more = found[:limit], len(found) > limit
    if not more:
        return page, None
    if keyset is None:
        return page, _CURSOR.sign_object({"o": offset + limit})
    last = page[-1]
    return page, _CURSOR.sign_object({"k": [_plain(getattr(last, k.lstrip("-"))) for k in keyset]})


def _unsign(cursor: str) -> dict[str, Any]:
    try:
        state = _CURSOR.unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError):
        state = None
    if not isinstance(state, dict):
        raise ValidationFailed(_BAD_CURSOR, fields={"cursor": [_BAD_CURSOR]})
    return state


def _after(keyset: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows after the one whose ``keyset`` fields hold ``values``, in the keyset's order."""
    after = Q()
    for i, key in enumerate(keyset):
        name = key.lstrip("-")
        clause = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": values[i]})
        for previous, value in zip(keyset[:i], values[:i], strict=True):
            clause &= Q(**{previous.lstrip("-"): value})
        after |= clause
    return after


def _plain(value: Any) -> Any:
    """A value a JSON cursor can hold (a date as ISO 8601: the field parses it back)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value
