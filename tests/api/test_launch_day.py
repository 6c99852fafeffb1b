"""Launch day behind one address: an office on one NAT installs the app
with its organisation's enrolment code, and a meeting room on one Wi-Fi
mistypes a code now and then. Neither is locked out; an address without a
code stays limited, and a meeting's code still cannot be walked."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from api.platform import limits
from dilemmas.employee.meeting_joins import MAX_FAILED_JOINS
from dilemmas.model.meetings import Meeting
from tests.api.test_errors import assert_problem
from tests.factories import bank, enrolment_code, register, schedule, team

OFFICE = {"REMOTE_ADDR": "203.0.113.10"}  # one IPv4 address: the office's NAT


def enrol(client, body, address=OFFICE):
    return client.post("/api/v1/installations", json={"platform": "android", **body}, environ_base=address)


def test_500_colleagues_with_their_code_register_from_one_address_within_the_hour(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    code = enrolment_code(session, "douane")
    statuses = [enrol(client, {"enrolment_code": code}).status_code for _ in range(500)]
    assert statuses == [201] * 500
    # The code's own limit is per address too: another office is not held up.
    assert enrol(client, {"enrolment_code": code}, {"REMOTE_ADDR": "198.51.100.1"}).status_code == 201


def test_an_address_without_a_code_stays_limited(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    code = enrolment_code(session, "douane")
    assert [enrol(client, {}).status_code for _ in range(30)] == [201] * 30
    limited = enrol(client, {})
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    # A made-up code is no way around the limit, and walking codes is limited alike.
    assert_problem(enrol(client, {"enrolment_code": "NOT-A-CODE"}), 429)
    # Colleagues with the real code behind the same address still get in.
    assert enrol(client, {"enrolment_code": code}).status_code == 201


def test_the_code_limit_is_a_limit_too(make_app, session, monkeypatch):
    monkeypatch.setattr(limits, "REGISTRATION_WITH_CODE", "3 per hour")
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    code = enrolment_code(session, "douane")
    statuses = [enrol(client, {"enrolment_code": code}).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


def room(make_app, address: str):
    """A test client whose every request comes from ``address``."""
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def meeting_in(client, session):
    """A lead of the Customs (registered with its code, as on launch day)
    with a team and an open meeting on this week's dilemma."""
    schedule(session, bank(session)[0], "2026-W50")
    lead = register(client, session, "douane")
    created = team(lead)
    current = lead.get("/dilemmas/current").get_json()["id"]
    started = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": current})
    assert started.status_code == 201, started.get_json()
    return started.get_json()


def wrong(right: str, n: int) -> str:
    return f"{(int(right) + n) % 1_000_000:06d}"


def test_thirty_phones_in_one_room_mistyping_do_not_lock_the_room_out(make_app, session):
    client = room(make_app, "192.0.2.50")
    started = meeting_in(client, session)
    phones = [register(client, session, "douane") for _ in range(30)]
    # Every phone mistypes twice before it gets the code right: 60 wrong codes from one address.
    for number, phone in enumerate(phones):
        for attempt in (1, 2):
            miss = phone.post("/sessions/join", json={"join_code": wrong(started["join_code"], number * 2 + attempt)})
            assert miss.status_code == 404, miss.get_json()
    joined = [phone.post("/sessions/join", json={"join_code": started["join_code"]}).status_code for phone in phones]
    assert joined == [200] * 30


def test_one_phone_guessing_is_limited_and_the_room_is_not(make_app, session):
    client = room(make_app, "192.0.2.60")
    started = meeting_in(client, session)
    guesser = register(client, session, "douane")
    statuses = [
        guesser.post("/sessions/join", json={"join_code": wrong(started["join_code"], n)}).status_code
        for n in range(1, 13)
    ]
    assert 429 in statuses and statuses[0] == 404
    colleague = register(client, session, "douane")
    assert colleague.post("/sessions/join", json={"join_code": started["join_code"]}).status_code == 200


def test_one_address_with_many_installations_hits_the_backstop(make_app, session, monkeypatch):
    monkeypatch.setattr(limits, "CODE_GUESSING_PER_ADDRESS", "20 per hour")
    client = room(make_app, "192.0.2.70")
    started = meeting_in(client, session)
    guessers = [register(client, session, "douane") for _ in range(8)]
    statuses = [
        guessers[n % 8].post("/sessions/join", json={"join_code": wrong(started["join_code"], n + 1)}).status_code
        for n in range(24)
    ]
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}


def test_a_meetings_code_cannot_be_walked(app, client, session):
    """Attempts are capped per meeting: after MAX_FAILED_JOINS wrong codes
    across the organisation every open meeting gets a new code, so no
    sequence of guesses covers the code space."""
    schedule(session, bank(session)[0], "2026-W50")
    lead = register(client)
    created = team(lead)
    current = lead.get("/dilemmas/current").get_json()["id"]
    started = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": current}).get_json()
    guessers = [register(client) for _ in range(MAX_FAILED_JOINS // 3 + 1)]
    attempts = 0
    for guesser in guessers:
        for _ in range(3):  # the free failures of each installation
            if attempts < MAX_FAILED_JOINS:
                guesser.post("/sessions/join", json={"join_code": wrong(started["join_code"], attempts + 1)})
                attempts += 1
    code = session.scalar(select(Meeting.join_code).where(Meeting.id == started["id"]))
    assert code != started["join_code"]
    assert session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_limited_responses_carry_the_ietf_ratelimit_fields(make_app):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    first = enrol(client, {}, {"REMOTE_ADDR": "203.0.113.99"})
    assert first.headers["X-RateLimit-Remaining"] == "29"
    assert first.headers["RateLimit-Policy"] == '"limit";q=30;w=3600'
    remaining, seconds = re.fullmatch(r'"limit";r=(\d+);t=(\d+)', first.headers["RateLimit"]).groups()
    assert remaining == "29" and 0 < int(seconds) <= 3600
