"""Data for people: weeks with their dates, times in the organisation's time
zone, numbers the Dutch way, counts with the right noun. The console's
templates call these; English sessions get English month names."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dilemmas.weeks import Week

MONTHS = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def _day(day: date, locale: str, with_year: bool = False) -> str:
    text = f"{day.day} {MONTHS[locale][day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def week_dates(week: Week | str, locale: str = "nl") -> str:
    """``7–13 december``, or ``29 december – 4 januari`` across a month."""
    week = Week.parse(week) if isinstance(week, str) else week
    monday, sunday = week.monday, week.monday + timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}–{_day(sunday, locale)}"
    return f"{_day(monday, locale)} – {_day(sunday, locale)}"


def week_label(week: Week | str, locale: str = "nl", with_year: bool = False) -> str:
    """``week 50, 7–13 december`` (``week 1 van 2027, ...`` with the year)."""
    week = Week.parse(week) if isinstance(week, str) else week
    year = (f" van {week.year}" if locale == "nl" else f" of {week.year}") if with_year else ""
    return f"week {week.number}{year}, {week_dates(week, locale)}"


def day(value: date, locale: str = "nl") -> str:
    """``7 december 2026``."""
    return _day(value, locale, with_year=True)


def local(moment: datetime | None, timezone: str, locale: str = "nl") -> str:
    """A stored moment (UTC) as the organisation's wall clock:
    ``7 december 2026, 05:45``."""
    if moment is None:
        return "–"
    if moment.tzinfo is None:
        # Stored without an offset means UTC here (SQLite keeps no zone).
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    there = moment.astimezone(ZoneInfo(timezone))
    return f"{_day(there.date(), locale, with_year=True)}, {there:%H:%M}"


def number(value: float | int | None, decimals: int = 0, locale: str = "nl") -> str:
    """``1.234`` and ``2,7`` in Dutch; ``1,234`` and ``2.7`` in English."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if locale == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def count(value: int, one: str, many: str, locale: str = "nl") -> str:
    """``1 dilemma``, ``3 dilemma's``: the noun agrees with the number."""
    return f"{number(value, locale=locale)} {one if value == 1 else many}"


def share(count: int | None, total: int | None) -> int | None:
    """A count's share of the total as a whole percentage, rounded half up
    on its own: equal counts always show the same percentage (the shares
    may then add up to 99 or 101, which the pages say)."""
    if count is None or not total:
        return None
    return int(100 * count / total + 0.5)
