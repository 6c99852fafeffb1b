"""Every instant in a response is RFC 3339 in UTC with ``Z`` and whole
seconds, what Swift's ``.iso8601`` and Java's ``Instant.parse`` both read;
days are dates. Run across the employee's week, with a clock that has
microseconds and an offset, and against the document."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from api.platform.fields import INSTANT, Instant
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team

INSTANT_TEXT = re.compile(INSTANT)
# Anything that looks like a moment in time: a date followed by a time.
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def moments(value, path=""):
    """Every string of a JSON value that holds a time of day, with where."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from moments(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from moments(inner, f"{path}[{index}]")
    elif isinstance(value, str) and MOMENT.search(value):
        yield path, value


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2026, 12, 7, 8, 47, 43, 811085, tzinfo=UTC), "2026-12-07T08:47:43Z"),
        (datetime(2026, 12, 7, 9, 47, 43, 999999, tzinfo=timezone(timedelta(hours=1))), "2026-12-07T08:47:43Z"),
        (datetime(2026, 12, 7, 8, 47, 43), "2026-12-07T08:47:43Z"),  # stored without a zone: UTC
        (datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))), "2026-12-31T22:30:00Z"),
    ],
)
def test_an_instant_is_utc_with_z_and_whole_seconds(value, expected):
    assert Instant().serialize("at", {"at": value}) == expected
    assert datetime.fromisoformat(expected.replace("Z", "+00:00")) <= value.astimezone(UTC)


def test_a_missing_instant_stays_null():
    assert Instant(allow_none=True).serialize("at", {"at": None}) is None


def test_the_document_says_so_for_every_instant(client):
    document = client.get("/openapi.json").get_json()
    found = 0
    for name, schema in document["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            if prop.get("format") == "date-time" and not name.endswith(("In", "Query")):
                assert prop.get("pattern") == INSTANT, f"{name}.{field}"
                found += 1
            if prop.get("format") == "date":
                assert "pattern" not in prop, f"{name}.{field}"
    assert found >= 15


def test_across_the_employees_week(app, client, session):
    """Monday to Sunday, at moments with microseconds and in the
    Netherlands' offset, every response of the phone's flows: no instant
    but in the one form, and days as days."""
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    monday = datetime(2026, 12, 7, 8, 47, 43, 811085, tzinfo=timezone(timedelta(hours=1)))
    set_now(app, monday)
    lead = register(client)
    colleague = register(client)
    created = team(lead, [colleague])
    seen: dict[str, str] = {}
    for day in range(7):
        now = monday + timedelta(days=day, hours=day, microseconds=day * 1111)
        set_now(app, now)
        responses = [
            lead.get("/installations/me"),
            lead.get("/dilemmas/current"),
            lead.get("/dilemmas"),
            lead.answer(dilemma.id, "ABCDABC"[day]),
            lead.get(f"/dilemmas/{dilemma.id}/results"),
            lead.get("/code"),
            lead.get("/teams"),
        ]
        opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": dilemma.id})
        assert opened.status_code == 201, opened.get_json()
        sid = opened.get_json()["id"]
        responses += [
            opened,
            colleague.post("/sessions/join", json={"join_code": opened.get_json()["join_code"]}),
            lead.put(f"/sessions/{sid}/deliberation", json={"method": "dilemmamethode", "auto": True}),
            lead.get(f"/sessions/{sid}"),
            lead.post(f"/sessions/{sid}/screen"),
            lead.post(f"/sessions/{sid}/close"),
        ]
        for response in responses:
            assert response.status_code < 300, (response.request.path, response.get_json())
            for path, value in moments(response.get_json()):
                assert INSTANT_TEXT.match(value), f"{response.request.path} {path}: {value}"
                seen[path] = value
        me = responses[0].get_json()
        assert DAY.match(me["created_on"]) and me["created_on"] == date(2026, 12, 7).isoformat()
    # The session's own moments were among them, and they name the time in UTC.
    assert {".expires_at", ".step.started_at", ".step.ends_at"} <= set(seen)
    assert json.dumps(seen).count("+") == 0
