"""Data for people: weeks with dates, local times, Dutch numbers, counts,
and percentages that read the same for equal counts."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from api.platform.formats import count, day, local, number, week_dates, week_label
from api.screen.states import bars, join_url, written_out


def test_weeks_are_written_with_their_dates():
    assert week_label("2026-W50") == "week 50, 7–13 december"
    assert week_label("2026-W53") == "week 53, 28 december – 3 januari"
    assert week_label("2027-W01", with_year=True) == "week 1 van 2027, 4–10 januari"
    assert week_dates("2026-W50", "en") == "7–13 December"


def test_times_are_the_organisations_wall_clock():
    # 04:45 UTC is 05:45 in Amsterdam in winter, 06:45 in summer.
    assert local(datetime(2026, 12, 7, 4, 45, tzinfo=UTC), "Europe/Amsterdam") == "7 december 2026, 05:45"
    assert local(datetime(2026, 7, 7, 4, 45), "Europe/Amsterdam") == "7 juli 2026, 06:45"
    assert day(date(2027, 1, 11)) == "11 januari 2027"


def test_numbers_the_dutch_way():
    assert number(1234) == "1.234" and number(2.666, 1) == "2,7" and number(1234.5, 1, "en") == "1,234.5"
    assert count(1, "dilemma", "dilemma's") == "1 dilemma" and count(3, "dilemma", "dilemma's") == "3 dilemma's"


OPTIONS = [SimpleNamespace(key=k, text=f"optie {k}") for k in "ABCD"]


@given(st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(any))
def test_equal_counts_show_equal_percentages(spread):
    shown = bars(spread, OPTIONS)
    for a in shown:
        for b in shown:
            if a.count == b.count:
                assert a.percent == b.percent
    assert 100 - len(spread) <= sum(b.percent for b in shown) <= 100 + len(spread)


def test_one_vote_each_for_three_options_is_33_each():
    assert [b.percent for b in bars([1, 1, 1, 0], OPTIONS)] == [33, 33, 33, 0]


def test_the_join_link_and_how_it_is_written_out():
    url = join_url("https://kompas.example.nl/", "123456")
    assert url == "https://kompas.example.nl/join/123456"
    assert written_out(url) == "kompas.example.nl/join/123456"
    assert join_url("https://x.nl", None) is None
    assert join_url("https://x.nl", "123456", "0a1b") == "https://x.nl/join/123456-0a1b"
