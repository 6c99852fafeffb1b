"""What push needs to know of the configuration, as plain values, and the
weekly moments ("MON 09:00") in an organisation's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dilemmas.weeks import Week

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
MOMENT = re.compile(r"^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):([0-5]\d)$")
BATCH_SIZE = 500
FANOUT_CONNECTIONS = 256


@dataclass(frozen=True)
class PushSettings:
    """The push part of the configuration (the table in docs/operations.md)."""

    secret_key: bytes
    transport: str = "log"
    credentials: str | None = None
    endpoint: str | None = None
    weekly_moment: str = "MON 09:00"
    reminder_moment: str = "THU 12:00"
    token_max_age_days: int = 60
    topic_organisations: frozenset[str] = field(default_factory=frozenset)
    batch_size: int = BATCH_SIZE
    fanout_connections: int = FANOUT_CONNECTIONS


def moment_in_week(week: Week, timezone: str, moment: str) -> datetime:
    """The instant (UTC) of ``moment`` ("MON 09:00", local time in
    ``timezone``) within ``week``."""
    match = MOMENT.match(moment)
    if match is None:
        raise ValueError(f"not a weekly moment like 'MON 09:00': {moment!r}")
    day = week.monday + timedelta(days=WEEKDAYS.index(match[1]))
    local = datetime.combine(day, time(int(match[2]), int(match[3])), ZoneInfo(timezone))
    return local.astimezone(UTC)
