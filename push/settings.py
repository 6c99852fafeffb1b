"""What push needs to know of the configuration, as plain values, and the
weekly moments ("MON 09:00") in an organisation's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dilemmas.weeks import Week

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
MOMENT = re.compile(r"^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):([0-5]\d)$")
BATCH_SIZE = 500


@dataclass(frozen=True)
class PushSettings:
    """The push part of the settings, as plain values. The web layer's
    settings (``api.platform.settings.Settings.push``) make it: the
    defaults and their checks are declared there, once."""

    secret_key: bytes
    transport: str
    credentials: str | None
    endpoint: str | None
    weekly_moment: str
    reminder_moment: str
    token_max_age_days: int
    topic_organisations: frozenset[str]
    fanout_connections: int
    batch_size: int = BATCH_SIZE


def moment_in_week(week: Week, timezone: str, moment: str) -> datetime:
    """The instant (UTC) of ``moment`` ("MON 09:00", local time in
    ``timezone``) within ``week``."""
    match = MOMENT.match(moment)
    if match is None:
        raise ValueError(f"not a weekly moment like 'MON 09:00': {moment!r}")
    day = week.monday + timedelta(days=WEEKDAYS.index(match[1]))
    local = datetime.combine(day, time(int(match[2]), int(match[3])), ZoneInfo(timezone))
    return local.astimezone(UTC)
