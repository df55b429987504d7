"""Page lists whose full count would cost more than the page: ``CappedPaginator``.

Django's ``Paginator`` counts every matching row to say "page 1 of N". Over the 51,000 workflows
a member of a 100k-workflow library may see, that ``COUNT(*)`` took half of the page's time
(12 of 24 ms, docs/performance.md); over an activity log of a million events, far more. Nobody
pages through a thousand rows — they search or filter — so lists count at most ``cap`` rows:
past it the page says "1,000+" and offers pages up to the cap.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

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
