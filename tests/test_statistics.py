"""The comparison statistics behave as their definitions say."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ex3.engine.statistics import compare


def test_a_clear_win_has_a_positive_interval_and_certain_improvement():
    out = compare([0.99, 0.985, 0.991], [0.92, 0.925, 0.921], higher_is_better=True)
    assert out["mean_difference"] > 0 and out["ci95"][0] > 0
    assert out["prob_improvement"] == 1.0


def test_lower_is_better_flips_the_sign():
    out = compare([0.1, 0.2], [0.5, 0.6], higher_is_better=False)
    assert out["mean_difference"] == pytest.approx(0.4)
    assert out["prob_improvement"] == 1.0


def test_identical_sides_are_a_coin_toss():
    out = compare([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], higher_is_better=True)
    assert out["mean_difference"] == 0 and out["ci95"] == [0.0, 0.0]
    assert out["prob_improvement"] == 0.5  # 3 wins, 3 losses, 3 ties among 9 pairs


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError):
        compare([1.0], [1.0, 2.0], True)


@given(st.lists(st.floats(-10, 10), min_size=2, max_size=6),
       st.lists(st.floats(-10, 10), min_size=2, max_size=6))
def test_interval_contains_the_mean_and_probability_is_a_probability(a, b):
    n = min(len(a), len(b))
    out = compare(a[:n], b[:n], True)
    low, high = out["ci95"]
    assert low - 1e-9 <= out["mean_difference"] <= high + 1e-9
    assert 0.0 <= out["prob_improvement"] <= 1.0
