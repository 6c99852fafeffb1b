import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.spreads import (
    TOO_FEW_ANSWERS,
    WEEK_OPEN,
    Thresholds,
    count_visibility,
    entropy,
    nested_visibility,
    percentages,
    slope,
    suppress_breakdown,
    visibility,
)

RULES = Thresholds(min_group=5)
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


def split(total, option=0):
    values = [0, 0, 0, 0]
    values[option] = total
    return values


@pytest.mark.parametrize(
    ("on_time", "closed", "suppressed", "reason"),
    [
        (4, False, True, WEEK_OPEN),
        (5, False, True, WEEK_OPEN),
        (24, False, True, WEEK_OPEN),
        (25, False, True, WEEK_OPEN),
        (10_000, False, True, WEEK_OPEN),
        (4, True, True, TOO_FEW_ANSWERS),
        (5, True, False, None),
    ],
)
def test_visibility_edges(on_time, closed, suppressed, reason):
    # While the week is open nothing shows, with one reason whatever the
    # count: a reason that flipped at five would tell when the fifth answered.
    seen = visibility(split(on_time), closed, RULES)
    assert seen.suppressed is suppressed
    assert seen.reason == reason


def test_a_shown_spread_is_the_frozen_one_of_the_week():
    seen = visibility([3, 2, 0, 0], True, RULES)
    assert seen.counts == (3, 2, 0, 0) and seen.frozen


@pytest.mark.parametrize(
    ("total", "closed", "around", "reason"),
    [
        (40, False, (), WEEK_OPEN),
        (4, True, (), TOO_FEW_ANSWERS),
        (5, True, (9,), TOO_FEW_ANSWERS),
        (5, True, (10,), None),
    ],
)
def test_count_visibility(total, closed, around, reason):
    seen = count_visibility(total, closed, RULES, around)
    assert seen.reason == reason
    assert seen.suppressed is (reason is not None)


def test_nested_group_with_a_small_remainder_is_suppressed():
    outer = visibility([20, 9, 0, 0], True, RULES)
    inner = visibility([18, 8, 0, 0], True, RULES)
    assert nested_visibility(outer, inner, RULES).reason == TOO_FEW_ANSWERS
    whole = visibility([18, 8, 0, 0], True, RULES)
    assert nested_visibility(whole, inner, RULES) == inner  # remainder 0 reveals nothing
    larger = visibility([25, 9, 0, 0], True, RULES)
    assert not nested_visibility(larger, inner, RULES).suppressed


@given(
    st.lists(st.integers(0, 40), min_size=4, max_size=4),
    st.lists(st.integers(0, 40), min_size=4, max_size=4),
    st.booleans(),
)
def test_no_pair_of_shown_scopes_subtracts_to_a_small_group(inner_on_time, rest_on_time, closed):
    outer_on_time = [a + b for a, b in zip(inner_on_time, rest_on_time, strict=True)]
    outer_seen = visibility(outer_on_time, closed, RULES)
    inner_seen = nested_visibility(outer_seen, visibility(inner_on_time, closed, RULES), RULES)
    for seen in (outer_seen, inner_seen):
        assert seen.suppressed or seen.total >= RULES.min_group
        assert closed or seen.suppressed
    if not outer_seen.suppressed and not inner_seen.suppressed:
        remainder = outer_seen.total - inner_seen.total
        assert remainder == 0 or remainder >= RULES.min_group


def test_entropy_edges():
    assert entropy([7, 0, 0, 0]) == 0
    assert entropy([5, 5, 5, 5]) == pytest.approx(1)
    assert entropy([0, 0, 0, 0]) == 0
    assert 0 < entropy([6, 2, 1, 1]) < 1


@given(st.lists(st.integers(0, 1000), min_size=4, max_size=4))
def test_entropy_is_between_zero_and_one(values):
    assert 0 <= entropy(values) <= 1


@given(st.dictionaries(st.sampled_from(["alone", "colleague", "team", "x", "y"]), st.integers(0, 30), min_size=1))
def test_a_breakdown_never_reveals_a_small_group(parts):
    total = sum(parts.values())
    if total < RULES.min_group:
        return
    shown = suppress_breakdown(total, parts, RULES.min_group)
    hidden = [parts[k] for k, v in shown.items() if v is None]
    assert sum(hidden) == 0 or sum(hidden) >= RULES.min_group  # total minus the shown parts
    for key, value in shown.items():
        assert value is None or value == 0 or value >= RULES.min_group
        assert value is None or value == parts[key]


def test_weighted_slope():
    assert slope([(0, 0.2, 10), (1, 0.4, 10), (2, 0.6, 10)]) == pytest.approx(0.2)
    assert slope([(0, 0.5, 10)]) is None
