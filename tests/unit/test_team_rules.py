"""The pure rules of meetings: the guessing delay and the transitions."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from dilemmas.employee.meeting_joins import FREE_FAILURES, MAX_DELAY, delay_after
from dilemmas.employee.meetings import CLOSED, OPEN, REVEALED, REVOTING, meeting_actions


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
