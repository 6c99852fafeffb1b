"""The pure rules of teams and sessions: team visibility, overlapping
teams, the guessing delay and the session's transitions."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from dilemmas.employee.meeting_joins import FREE_FAILURES, MAX_DELAY, delay_after
from dilemmas.employee.meetings import CLOSED, OPEN, REVEALED, REVOTING, meeting_actions
from scoring.spreads import TOO_FEW_ANSWERS, WEEK_OPEN, Thresholds, overlap_allows, team_visibility

RULES = Thresholds(min_group=5, live_min=25)


def test_a_team_is_never_shown_while_the_week_is_open_however_large():
    seen = team_visibility([40, 30, 20, 10], week_closed=False, thresholds=RULES)
    assert seen.suppressed and seen.reason == WEEK_OPEN


def test_a_closed_team_shows_its_frozen_spread_from_the_minimum_group():
    four = team_visibility([2, 1, 1, 0], week_closed=True, thresholds=RULES)
    assert four.suppressed and four.reason == TOO_FEW_ANSWERS
    five = team_visibility([2, 1, 1, 1], week_closed=True, thresholds=RULES)
    assert five.counts == (2, 1, 1, 1) and five.frozen


def test_overlap_examples():
    assert overlap_allows(10, 10, 10, RULES)  # the same answers
    assert overlap_allows(5, 5, 0, RULES)  # disjoint
    assert not overlap_allows(5, 6, 5, RULES)  # one more in the second
    assert not overlap_allows(6, 6, 5, RULES)  # one swapped for another
    assert overlap_allows(5, 10, 5, RULES)  # five more
    assert not overlap_allows(9, 10, 5, RULES)  # four only in the first


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))
def test_allowed_pairs_never_subtract_to_a_small_group(a, b, shared):
    shared = min(shared, a, b)
    if overlap_allows(a, b, shared, RULES):
        for only_one in (a - shared, b - shared):
            assert only_one == 0 or only_one >= RULES.min_group
    assert overlap_allows(a, b, shared, RULES) == overlap_allows(b, a, shared, RULES)


def test_the_guessing_delay_starts_after_a_few_free_failures_and_doubles_up_to_an_hour():
    assert [delay_after(n) for n in range(FREE_FAILURES)] == [timedelta(0)] * FREE_FAILURES
    assert [delay_after(FREE_FAILURES + n).total_seconds() for n in range(5)] == [1, 2, 4, 8, 16]
    assert delay_after(1_000_000) == MAX_DELAY


@given(st.integers(0, 10_000))
def test_the_delay_never_shrinks_with_more_failures(failures):
    assert delay_after(failures) <= delay_after(failures + 1) <= MAX_DELAY


def test_the_transitions_of_a_session():
    assert meeting_actions(OPEN, 1, False) == ("vote", "reveal", "close")
    assert meeting_actions(REVEALED, 1, False) == ("revote", "consensus", "close")
    assert meeting_actions(REVOTING, 2, False) == ("vote", "reveal", "close")
    assert meeting_actions(REVEALED, 2, False) == ("consensus", "close")
    assert meeting_actions(REVEALED, 1, True) == ("close",)
    assert meeting_actions(CLOSED, 2, True) == ()
