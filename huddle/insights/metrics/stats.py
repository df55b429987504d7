"""Small, exact statistics used by the figures: Gini, Lorenz, top shares, robust z-scores."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import numpy as np

MAD_TO_SD = 1.4826  # scales the median absolute deviation to a standard deviation (normal data)
MEAN_AD_TO_SD = 1.2533  # the same for the mean absolute deviation, the fallback when MAD is 0


def gini(values: Sequence[float] | np.ndarray) -> float:
    """Gini coefficient of non-negative values: 0 = everyone equal, → 1 = one person has all.

    G = Σᵢ (2i - n - 1)·xᵢ / (n·Σx) with x sorted ascending, i = 1..n. 0 when the total is 0.
    """
    xs = np.sort(np.clip(np.asarray(values, dtype=float), 0.0, None))
    n, total = xs.size, float(xs.sum())
    if n == 0 or total <= 0:
        return 0.0
    return float(((2 * np.arange(1, n + 1) - n - 1) * xs).sum() / (n * total))


def lorenz(values: Sequence[float]) -> list[tuple[float, float]]:
    """Points (share of members, share of the total) from (0, 0) to (1, 1), poorest first."""
    xs = sorted(max(0.0, float(v)) for v in values)
    n, total = len(xs), sum(xs)
    points = [(0.0, 0.0)]
    if n == 0:
        return [*points, (1.0, 1.0)]
    running = 0.0
    for i, x in enumerate(xs, start=1):
        running += x
        points.append((i / n, running / total if total > 0 else i / n))
    return points


def top_share(values: Sequence[float] | np.ndarray, fraction: float = 0.1) -> float:
    """Share of the total held by the top ``fraction`` of members (at least one member)."""
    xs = np.sort(np.clip(np.asarray(values, dtype=float), 0.0, None))[::-1]
    total = float(xs.sum())
    if not xs.size or total <= 0:
        return 0.0
    k = max(1, math.ceil(xs.size * fraction))
    return float(xs[:k].sum()) / total


def robust_scale(values: Sequence[float]) -> tuple[float, float]:
    """(centre, spread) for robust z-scores: the median, and 1.4826·MAD.

    When more than half the values are equal the MAD is 0; the mean absolute deviation (x1.2533)
    is used instead. The spread is never below 10 % of |median| (nor 0.01), so that tiny, noisy
    differences in a uniform group are not blown up into "outliers".
    """
    if not values:
        return 0.0, 1.0
    centre = statistics.median(values)
    deviations = [abs(v - centre) for v in values]
    spread = MAD_TO_SD * statistics.median(deviations)
    if spread == 0:
        spread = MEAN_AD_TO_SD * statistics.fmean(deviations)
    return centre, max(spread, 0.1 * abs(centre), 0.01)


def robust_z(
    value: float | np.ndarray, centre: float, spread: float, clip: float = 6.0
) -> float | np.ndarray:
    """(value - centre) / spread, clipped to ±``clip``; of one value or of an array at once."""
    return np.clip((np.asarray(value, dtype=float) - centre) / spread, -clip, clip)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
