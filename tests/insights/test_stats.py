"""Gini, Lorenz, top shares and robust z-scores on distributions with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from huddle.insights.metrics.stats import gini, lorenz, robust_scale, robust_z, top_share


def test_gini_of_equal_values_is_zero():
    assert gini([5, 5, 5, 5]) == 0


def test_gini_when_one_person_has_everything_is_one_minus_one_over_n():
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)


def test_gini_of_one_to_n_is_a_third_times_n_minus_one_over_n():
    n = 100
    assert gini(range(1, n + 1)) == pytest.approx((n - 1) / (3 * n))


def test_gini_of_nothing_is_zero():
    assert gini([]) == 0
    assert gini([0, 0]) == 0


def test_lorenz_curve_goes_from_origin_to_one_one_poorest_first():
    assert lorenz([3, 1]) == [(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]


def test_lorenz_curve_of_equal_values_is_the_diagonal():
    assert lorenz([2, 2, 2, 2]) == [(0, 0), (0.25, 0.25), (0.5, 0.5), (0.75, 0.75), (1, 1)]


def test_top_ten_percent_share_counts_at_least_one_member():
    assert top_share([1] * 9 + [91]) == pytest.approx(0.91)
    assert top_share([10, 0, 0]) == 1.0
    assert top_share([1] * 20) == pytest.approx(0.1)


def test_robust_z_uses_median_and_mad_and_ignores_the_outlier():
    centre, spread = robust_scale([10, 11, 9, 10, 12, 8, 100])
    assert centre == 10
    assert spread == pytest.approx(1.4826)
    assert robust_z(100, centre, spread) == 6.0  # clipped
    assert robust_z(11, centre, spread) == pytest.approx(0.674, abs=0.01)


def test_robust_scale_has_a_floor_so_tiny_differences_do_not_stand_out():
    _centre, spread = robust_scale([100, 100, 100, 101])
    assert spread >= 10  # 10 % of the median


def test_robust_z_of_an_array_matches_each_value_alone():
    centre, spread = robust_scale([10, 11, 12, 13, 100])
    values = [9.5, 11, 100, -50]
    assert robust_z(np.array(values), centre, spread).tolist() == [
        robust_z(v, centre, spread) for v in values
    ]
