from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from api.platform.settings import parse_now
from dilemmas.weeks import Week, is_closed, week_of, weeks_in_year

AMS = "Europe/Amsterdam"


def test_sunday_last_second_is_still_the_old_week():
    assert str(week_of(parse_now("2026-12-13T23:59:59+01:00"), AMS)) == "2026-W50"
    assert str(week_of(parse_now("2026-12-14T00:00:00+01:00"), AMS)) == "2026-W51"


def test_week_follows_local_time_not_utc():
    # Monday 00:30 in Amsterdam is still Sunday in UTC.
    assert str(week_of(parse_now("2026-12-13T23:30:00Z"), AMS)) == "2026-W51"
    assert str(week_of(parse_now("2026-12-13T23:30:00Z"), "UTC")) == "2026-W50"


def test_week_closes_exactly_at_next_monday_midnight_local():
    week = Week.parse("2026-W50")
    assert not is_closed(week, parse_now("2026-12-13T23:59:59+01:00"), AMS)
    assert is_closed(week, parse_now("2026-12-14T00:00:00+01:00"), AMS)


def test_dst_change_inside_a_week():
    # Summer time starts on Sunday 29 March 2026: week 13 is 167 hours long.
    week = Week.parse("2026-W13")
    assert week.starts_at(AMS) == parse_now("2026-03-23T00:00:00+01:00")
    assert week.ends_at(AMS) == parse_now("2026-03-30T00:00:00+02:00")
    assert (week.ends_at(AMS) - week.starts_at(AMS)).total_seconds() == 167 * 3600
    assert not is_closed(week, parse_now("2026-03-29T23:59:59+02:00"), AMS)
    assert is_closed(week, parse_now("2026-03-30T00:00:00+02:00"), AMS)
    # Winter time returns on 25 October 2026: week 43 is 169 hours long.
    autumn = Week.parse("2026-W43")
    assert (autumn.ends_at(AMS) - autumn.starts_at(AMS)).total_seconds() == 169 * 3600


def test_53_week_year():
    assert weeks_in_year(2026) == 53
    assert weeks_in_year(2027) == 52
    assert str(Week.parse("2026-W53").next()) == "2027-W01"
    assert str(week_of(parse_now("2027-01-03T23:59:59+01:00"), AMS)) == "2026-W53"
    assert str(week_of(parse_now("2027-01-04T00:00:00+01:00"), AMS)) == "2027-W01"
    # 1 January 2027 belongs to the last week of 2026.
    assert str(week_of(parse_now("2027-01-01T12:00:00+01:00"), AMS)) == "2026-W53"


@pytest.mark.parametrize("text", ["2027-W53", "2026-W00", "2026-W54", "2026W50", "2026-w50", "26-W50", ""])
def test_parse_refuses_weeks_that_do_not_exist(text):
    with pytest.raises(ValueError):
        Week.parse(text)


def test_weeks_sort_in_time_order_as_strings():
    weeks = [Week.parse("2026-W53"), Week.parse("2026-W09"), Week.parse("2027-W01"), Week.parse("2026-W10")]
    assert sorted(str(w) for w in weeks) == [str(w) for w in sorted(weeks)]


def test_starts_at_is_monday_midnight_local():
    start = Week.parse("2026-W50").starts_at(AMS)
    assert start.astimezone(ZoneInfo(AMS)).replace(tzinfo=None) == datetime(2026, 12, 7, 0, 0)
