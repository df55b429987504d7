"""``Tally``: summed run figures (``rollup.NAMES``) with the derived values people read."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import Any

from huddle.insights import rollup


class Tally(dict):
    """Summed figures (``rollup.NAMES`` and extras) with the derived values people read."""

    def add(self, row: dict[str, Any]) -> None:
        self.__dict__.pop("median_rating", None)  # the one derived value that is kept
        if isinstance(row, Tally):  # already summed: clean names, numbers only (the hot path)
            get = self.get
            for key, value in row.items():
                self[key] = get(key, 0) + value
            return
        for name, value in row.items():
            if value is not None and not isinstance(value, (date, datetime)):
                key = name.removeprefix(rollup.PREFIX)
                self[key] = self.get(key, 0) + value

    def n(self, name: str) -> float:
        return self.get(name, 0) or 0

    @property
    def rated(self) -> int:
        return int(sum(self.n(f"rating_{k}") for k in range(1, 6)))

    @cached_property
    def median_rating(self) -> float | None:
        """Exact median from the count of each star (mean of the two middles when even).

        Kept once worked out (scores, reasons and signals all read it); ``add`` forgets it."""
        total = self.rated
        if not total:
            return None
        counts = [int(self.n(f"rating_{k}")) for k in range(1, 6)]

        def nth(index: int) -> int:
            seen = 0
            for star, count in enumerate(counts, start=1):
                seen += count
                if index < seen:
                    return star
            return 5

        return (nth((total - 1) // 2) + nth(total // 2)) / 2

    @property
    def mean_edit_ratio(self) -> float | None:
        edited = self.n("edited_runs")
        return self.n("edit_ratio_sum") / edited if edited else None

    @property
    def speedup(self) -> float | None:
        """Σ baseline / Σ spent over timed runs: "6 hours to 30 minutes" = 12x."""
        spent = self.n("spent_sum")
        return self.n("baseline_sum") / spent if spent > 0 else None
