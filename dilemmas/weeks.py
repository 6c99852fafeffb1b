"""ISO weeks in an organisation's time zone.

A week such as ``2026-W49`` starts on Monday 00:00 local time and ends at the
next Monday 00:00 local time, across DST changes and in 53-week years. Week
strings sort in time order, which the schedule relies on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
# A range of weeks that anyone asks for is cut off after two years.
MAX_WEEKS = 106


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"

    @classmethod
    def parse(cls, text: str) -> Week:
        """Parse ``YYYY-Www``; raise ValueError for a week that does not exist."""
        match = WEEK_PATTERN.match(text)
        if not match:
            raise ValueError(f"not an ISO week (YYYY-Www): {text!r}")
        year, number = int(match[1]), int(match[2])
        if not 1 <= number <= weeks_in_year(year):
            raise ValueError(f"{year} has no week {number}")
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def next(self) -> Week:
        return Week.of(self.monday + timedelta(days=7))

    def previous(self) -> Week:
        return Week.of(self.monday - timedelta(days=7))

    def starts_at(self, timezone: str) -> datetime:
        """The instant (in UTC) this week starts in ``timezone``. UTC, because
        Python compares and subtracts two datetimes of one zone by wall
        clock, which is wrong across a DST change."""
        return datetime.combine(self.monday, time(0), ZoneInfo(timezone)).astimezone(UTC)

    def ends_at(self, timezone: str) -> datetime:
        """The aware instant the next week starts in ``timezone``."""
        return self.next().starts_at(timezone)


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the last ISO week."""
    return date(year, 12, 28).isocalendar().week


def local_day(now: datetime, timezone: str) -> date:
    """The calendar day of the aware instant ``now`` in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()


def week_of(now: datetime, timezone: str) -> Week:
    """The ISO week that contains the aware instant ``now`` in ``timezone``."""
    return Week.of(local_day(now, timezone))


def is_closed(week: Week, now: datetime, timezone: str) -> bool:
    """A week is closed from the first instant of the next week on."""
    return now >= week.ends_at(timezone)


def week_range(start: Week, end: Week) -> list[Week]:
    """The weeks from ``start`` to ``end``, both included; none when the
    range is inverted, and at most ``MAX_WEEKS``."""
    weeks, cursor = [], start
    while cursor <= end and len(weeks) < MAX_WEEKS:
        weeks.append(cursor)
        cursor = cursor.next()
    return weeks
