"""Messages and moments: pure functions, no database."""

from datetime import UTC, datetime

import pytest

from api.platform.settings import parse_now
from dilemmas.weeks import Week
from push.messages import COLLAPSE_KEYS, compose, data_for, fingerprint, texts_for, ttl_seconds
from push.settings import moment_in_week

AMS = "Europe/Amsterdam"


def test_weekly_moment_is_local_time_in_the_organisations_zone():
    week = Week.parse("2026-W50")
    assert moment_in_week(week, AMS, "MON 09:00") == parse_now("2026-12-07T09:00:00+01:00")
    assert moment_in_week(week, AMS, "THU 12:00") == parse_now("2026-12-10T12:00:00+01:00")
    assert moment_in_week(week, "America/Curacao", "MON 09:00") == parse_now("2026-12-07T09:00:00-04:00")
    # Summer time: the same wall-clock moment is an hour earlier in UTC.
    assert moment_in_week(Week.parse("2026-W27"), AMS, "MON 09:00") == datetime(2026, 6, 29, 7, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        moment_in_week(week, AMS, "monday 9")


def test_texts_per_kind_and_locale():
    weekly = texts_for("weekly", "Een cadeau van een leverancier")
    assert weekly["nl"] == {"title": "Het dilemma van deze week", "body": "Een cadeau van een leverancier"}
    assert weekly["en"]["title"] == "This week's dilemma"
    reminder = texts_for("reminder", "Een cadeau")
    assert reminder["nl"]["body"] == "Wat zou jij doen? Een cadeau" and reminder["en"]["body"].endswith("Een cadeau")
    assert len(set(COLLAPSE_KEYS.values())) == len(COLLAPSE_KEYS)


def test_compose_uses_the_recipients_locale_and_lives_until_the_week_ends():
    week = Week.parse("2026-W50")
    now = parse_now("2026-12-07T09:01:00+01:00")
    message = compose(
        target="device-token-123",
        target_kind="registration",
        kind="weekly",
        locale="en",
        texts=texts_for("weekly", "Titel"),
        data=data_for("weekly", 7, str(week)),
        expires_at=week.ends_at(AMS),
        now=now,
    )
    assert (message.title, message.body, message.locale) == ("This week's dilemma", "Titel", "en")
    assert message.data == {"type": "weekly", "week": "2026-W50", "dilemma_id": "7"}
    assert message.collapse_key == "kompas-weekly"
    assert message.ttl_seconds == 6 * 86400 + 14 * 3600 + 59 * 60
    unknown = compose(
        target="t" * 10,
        target_kind="fid",
        kind="reminder",
        locale="fy",
        texts=texts_for("reminder", "Titel"),
        data=data_for("adhoc", None, "2026-W50"),
        expires_at=now,
        now=now,
    )
    assert unknown.locale == "nl" and unknown.ttl_seconds == 0 and "dilemma_id" not in unknown.data


def test_log_lines_never_hold_the_token():
    token = "fcm-registration-token-that-must-stay-secret"
    message = compose(
        target=token,
        target_kind="registration",
        kind="weekly",
        locale="nl",
        texts=texts_for("weekly", "Titel"),
        data={},
        expires_at=parse_now("2026-12-14T00:00:00+01:00"),
        now=parse_now("2026-12-07T09:01:00+01:00"),
    )
    assert token not in message.describe() and fingerprint(token) in message.describe()
    assert fingerprint(token) not in message.describe(with_target=False)
    assert ttl_seconds(parse_now("2026-12-07T09:00:00Z"), parse_now("2026-12-07T10:00:00Z")) == 0
