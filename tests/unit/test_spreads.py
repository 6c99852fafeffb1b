import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.spreads import Thresholds, entropy, percentages, slope

counts = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6)


@given(counts)
def test_percentages_add_up_to_100_and_stay_within_one_of_the_exact_share(values):
    shares = percentages(values)
    total = sum(values)
    if total == 0:
        assert shares == [0] * len(values)
        return
    assert sum(shares) == 100
    for value, share in zip(values, shares, strict=True):
        assert abs(share - 100 * value / total) < 1


def test_percentages_largest_remainder():
    assert percentages([1, 1, 1]) == [34, 33, 33]
    assert percentages([2, 1, 0, 0]) == [67, 33, 0, 0]
    assert percentages([0, 0, 0, 7]) == [0, 0, 0, 100]


def test_minimum_group_is_never_below_three():
    with pytest.raises(ValueError):
        Thresholds(min_group=2)


def test_entropy_edges():
    assert entropy([7, 0, 0, 0]) == 0
    assert entropy([5, 5, 5, 5]) == pytest.approx(1)
    assert entropy([0, 0, 0, 0]) == 0
    assert 0 < entropy([6, 2, 1, 1]) < 1


@given(st.lists(st.integers(0, 1000), min_size=4, max_size=4))
def test_entropy_is_between_zero_and_one(values):
    assert 0 <= entropy(values) <= 1


def test_weighted_slope():
    assert slope([(0, 0.2, 10), (1, 0.4, 10), (2, 0.6, 10)]) == pytest.approx(0.2)
    assert slope([(0, 0.5, 10)]) is None
