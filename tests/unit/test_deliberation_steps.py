"""The step a meeting is at (a pure function of the time), and the check
of method files."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from content.methods import method_problems
from dilemmas.reads.deliberation import walk

START = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)


@given(
    minutes=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=12),
    step=st.integers(min_value=0, max_value=11),
    elapsed=st.integers(min_value=0, max_value=24 * 60 * 60),
)
def test_the_timer_moves_through_the_steps_in_order_and_stops_at_the_last(minutes, step, elapsed):
    now = START + timedelta(seconds=elapsed)
    index, started = walk(minutes, step, START, True, now)
    first = min(step, len(minutes) - 1)
    assert first <= index < len(minutes)
    assert started == START + timedelta(minutes=sum(minutes[first:index]))
    assert started <= now
    if index < len(minutes) - 1:
        assert now < started + timedelta(minutes=minutes[index])  # the current step's time is not up
    assert walk(minutes, step, START, False, now) == (first, START)  # without the timer the lead moves on


def test_method_files_are_checked_field_by_field():
    good = {"slug": "kort", "name": "Kort", "steps": [{"title": "Stap", "prompt": "x" * 20, "minutes": 5}]}
    assert method_problems("methods/kort.yaml", good) == []
    assert method_problems("methods/ander.yaml", good)[0][1] == "slug"
    bad = {"slug": "kort", "name": "", "steps": [{"title": "", "prompt": "kort", "minutes": True}, {"title": "x"}]}
    fields = {field for _, field, _ in method_problems("methods/kort.yaml", bad)}
    assert fields == {"name", "steps[0].title", "steps[0].prompt", "steps[0].minutes", "steps[1]"}
    assert method_problems("methods/kort.yaml", ["no"]) == [("methods/kort.yaml", "-", "must be a mapping")]
    assert method_problems("methods/kort.yaml", {**good, "steps": []})[0][1] == "steps"
