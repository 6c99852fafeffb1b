"""Live sessions: the meeting from join to joint answer, the state machine,
who may do what, guessing join codes, and cheap polling."""

from datetime import date

import pytest
from sqlalchemy import func, select

from dilemmas.counters import counter_key
from dilemmas.employee import ballots
from dilemmas.employee.meeting_joins import MAX_FAILED_JOINS
from dilemmas.model.meetings import Ballots, Meeting, Participant, TeamAnswer
from tests import counts
from tests.api.test_errors import assert_problem
from tests.api.test_query_counts import counted
from tests.conftest import SECRET, set_now
from tests.factories import bank, register, schedule, team

SCOPE_TEAM = "team"  # a scope or mode of the second edition; no counter has it now

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def this_week(session):
    return schedule(session, bank(session)[0], "2026-W50")


@pytest.fixture
def meeting(client, session, this_week):
    """A lead with a team and an open session on this week's dilemma."""
    lead = register(client)
    created = team(lead)
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id})
    assert opened.status_code == 201, opened.get_json()
    return lead, created, opened.get_json()


def join(phone, code):
    return phone.post("/sessions/join", json={"join_code": code})


def team_answers_in_tallies(session, dilemma_id):
    """The teams' joint answers: one ``team_answers`` row each (no counter)."""
    rows = session.execute(
        select(TeamAnswer.team_id, TeamAnswer.option).where(TeamAnswer.dilemma_id == dilemma_id)
    ).all()
    return [(SCOPE_TEAM, team_id, option, 1) for team_id, option in rows]


def test_a_full_meeting_with_six_phones(client, session, this_week):
    lead = register(client)
    colleagues = [register(client) for _ in range(5)]
    created = team(lead, colleagues)
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id})
    assert opened.status_code == 201
    started = opened.get_json()
    # The lead is no participant yet: they take part from their first vote.
    assert started["state"] == "open" and started["round"] == 1 and started["participants"] == 0
    assert len(started["join_code"]) == 6 and started["join_code"].isdigit()
    assert started["expires_at"] == "2026-12-09T15:00:00Z"  # four hours after 12:00 CET (11:00 UTC)
    sid = started["id"]
    for phone in colleagues:
        assert join(phone, started["join_code"]).status_code == 200
    assert lead.get(f"/sessions/{sid}").get_json()["participants"] == 5

    phones = [lead, *colleagues]
    first = list("AABBBC")
    for phone, option in zip(phones[:2], first, strict=False):
        assert phone.put(f"/sessions/{sid}/vote", json={"option": option}).status_code == 200
    assert lead.get(f"/sessions/{sid}").get_json()["participants"] == 6  # the lead's vote made them one
    early = assert_problem(lead.post(f"/sessions/{sid}/reveal"), 409)
    assert early["votes"] == 2 and early["needed"] == 3
    for phone, option in zip(phones[2:], first[2:], strict=True):
        voted = phone.put(f"/sessions/{sid}/vote", json={"option": option}).get_json()
        assert voted["spread"] is None and voted["my_vote"] == option  # blind: only your own vote
    assert lead.get(f"/sessions/{sid}").get_json()["votes"] == 6
    assert lead.get(f"/sessions/{sid}").get_json()["participants"] == 6

    revealed = lead.post(f"/sessions/{sid}/reveal").get_json()
    assert revealed["state"] == "revealed" and revealed["shift"] is None
    assert [(o["key"], o["count"], o["percent"]) for o in revealed["spread"]] == [
        ("A", 2, 33),
        ("B", 3, 50),
        ("C", 1, 17),
        ("D", 0, 0),
    ]
    seen = colleagues[0].get(f"/sessions/{sid}").get_json()
    assert seen["spread"] == revealed["spread"] and seen["role"] == "participant"
    assert seen["allowed"] == []
    assert set(seen) == {  # counts only: nothing says who voted what
        "id",
        "team_id",
        "team_name",
        "dilemma_id",
        "state",
        "round",
        "participants",
        "votes",
        "spread",
        "shift",
        "consensus",
        "join_code",
        "expires_at",
        "role",
        "my_vote",
        "allowed",
        "step",  # the deliberation's step, if the meeting follows a method
    }

    assert lead.post(f"/sessions/{sid}/revote").get_json()["state"] == "revoting"
    second = list(first)
    second[1] = "B"  # A -> B
    second[5] = "B"  # C -> B
    for phone, option in zip(phones, second, strict=True):
        assert phone.put(f"/sessions/{sid}/vote", json={"option": option}).status_code == 200
    during = colleagues[1].get(f"/sessions/{sid}").get_json()
    assert during["state"] == "revoting" and during["shift"] is None and during["votes"] == 6
    assert [o["count"] for o in during["spread"]] == [2, 3, 1, 0]  # still the first round's

    again = lead.post(f"/sessions/{sid}/reveal").get_json()
    assert again["round"] == 2 and again["shift"] == 2
    assert [o["count"] for o in again["spread"]] == [1, 5, 0, 0]
    assert again["allowed"] == ["consensus", "close"]

    agreed = lead.put(f"/sessions/{sid}/consensus", json={"option": "B", "note": "Eerst melden bij de leidinggevende."})
    assert agreed.status_code == 200
    assert agreed.get_json()["consensus"] == {"option": "B", "note": "Eerst melden bij de leidinggevende."}
    repeated = lead.put(
        f"/sessions/{sid}/consensus", json={"option": "B", "note": "Eerst melden bij de leidinggevende."}
    )
    assert repeated.status_code == 200  # a retried PUT counts nothing twice
    closed = lead.post(f"/sessions/{sid}/close").get_json()
    assert closed["state"] == "closed" and closed["join_code"] is None and closed["shift"] == 2

    assert team_answers_in_tallies(session, this_week.id) == [(SCOPE_TEAM, created["id"], "B", 1)]
    assert session.scalar(select(func.count()).select_from(TeamAnswer)) == 1
    assert session.scalar(select(TeamAnswer.answered_on)) == date(2026, 12, 7)  # the Monday of its week
    # Individual spreads are untouched by the session: nobody answered alone.
    assert counts.option_counts(session, this_week.id) == {}  # no member's own answer was counted
    # Votes are one sealed vector per meeting, under per-session pseudonyms
    # that are not the participants' keys, never an installation id.
    assert set(Ballots.__table__.columns.keys()) == {"session_id", "sealed"}
    stored = ballots.read(session, ballots.vault_key(counter_key(SECRET.encode())), sid)
    keys = [key for votes in stored.rounds.values() for key in votes]
    assert len(keys) == 12 and not any(phone.id in key for phone in [lead, *colleagues] for key in keys)
    assert not set(keys) & set(session.scalars(select(Participant.voter_key)))


def test_a_member_of_another_organisation_cannot_join_or_see(client, session, meeting):
    _, _, started = meeting
    customs = register(client, session, "douane")
    assert_problem(join(customs, started["join_code"]), 404)
    assert_problem(customs.get(f"/sessions/{started['id']}"), 404)
    assert_problem(customs.put(f"/sessions/{started['id']}/vote", json={"option": "A"}), 404)
    assert session.scalar(select(func.count()).select_from(Participant)) == 0  # not even the lead yet


def test_anyone_of_the_organisation_may_join_without_being_in_the_team(client, meeting):
    _, _, started = meeting
    guest = register(client)
    joined = join(guest, started["join_code"]).get_json()
    assert joined["role"] == "participant" and joined["participants"] == 1  # the lead has not voted
    assert join(guest, started["join_code"]).get_json()["participants"] == 1  # joining twice is harmless


def test_a_participant_not_in_the_session_gets_404(client, meeting):
    _, created, started = meeting
    member = register(client)
    member.post("/teams/join", json={"invite_code": created["invite_code"]})
    sid = started["id"]
    assert_problem(member.get(f"/sessions/{sid}"), 404)  # in the team, not in the session
    assert_problem(member.put(f"/sessions/{sid}/vote", json={"option": "A"}), 404)
    assert_problem(member.post(f"/sessions/{sid}/reveal"), 404)
    assert_problem(register(client).get("/sessions/999999"), 404)


def test_an_expired_code_no_longer_works(app, client, session, meeting, this_week):
    lead, created, started = meeting
    early = register(client)
    join(early, started["join_code"])
    set_now(app, "2026-12-09T16:00:01+01:00")  # four hours and a second later
    assert_problem(join(register(client), started["join_code"]), 404)
    view = early.get(f"/sessions/{started['id']}").get_json()
    assert view["state"] == "closed" and view["join_code"] is None
    problem = assert_problem(early.put(f"/sessions/{started['id']}/vote", json={"option": "A"}), 409)
    assert problem["state"] == "closed" and problem["allowed"] == []
    # The expired session no longer blocks a new one, and its code is free again.
    assert lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}).status_code == 201
    codes = session.scalars(select(Meeting.join_code).order_by(Meeting.id)).all()
    assert codes[0] is None and codes[1] is not None


def test_a_closed_session_refuses_everything(client, session, meeting):
    lead, _, started = meeting
    sid = started["id"]
    participant = register(client)
    join(participant, started["join_code"])
    assert lead.post(f"/sessions/{sid}/close").status_code == 200
    for response in (
        participant.put(f"/sessions/{sid}/vote", json={"option": "A"}),
        lead.post(f"/sessions/{sid}/reveal"),
        lead.post(f"/sessions/{sid}/revote"),
        lead.put(f"/sessions/{sid}/consensus", json={"option": "A"}),
        lead.post(f"/sessions/{sid}/close"),
    ):
        problem = assert_problem(response, 409)
        assert problem["allowed"] == [] and problem["state"] == "closed"
    assert_problem(join(register(client), started["join_code"]), 404)
    assert participant.get(f"/sessions/{sid}").get_json()["state"] == "closed"
    assert session.scalar(select(func.count()).select_from(Ballots)) == 0


def test_only_the_lead_steers(client, session, meeting, this_week):
    lead, created, started = meeting
    sid = started["id"]
    member = register(client)
    member.post("/teams/join", json={"invite_code": created["invite_code"]})
    join(member, started["join_code"])
    for phone in (lead, member, register(client)):
        if phone is not lead and phone is not member:
            join(phone, started["join_code"])
        phone.put(f"/sessions/{sid}/vote", json={"option": "A"})
    for response in (
        member.post(f"/sessions/{sid}/reveal"),
        member.post(f"/sessions/{sid}/revote"),
        member.put(f"/sessions/{sid}/consensus", json={"option": "A"}),
        member.post(f"/sessions/{sid}/close"),
        member.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}),
    ):
        assert_problem(response, 403)
    assert session.scalar(select(Meeting.state)) == "open"


def test_a_second_open_session_is_refused(meeting, this_week, session):
    lead, created, started = meeting
    second = assert_problem(lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}), 409)
    assert second["session_id"] == started["id"]
    lead.post(f"/sessions/{started['id']}/close")
    assert lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}).status_code == 201
    assert session.scalar(select(func.count()).select_from(Meeting)) == 2


def test_a_session_needs_a_dilemma_the_team_can_see(client, session, meeting):
    lead, created, _ = meeting
    future = schedule(session, bank(session)[1], "2026-W52")
    assert_problem(lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": future.id}), 404)
    assert_problem(lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": 999999}), 404)
    customs = register(client, session, "douane")
    customs_team = team(customs, name="Douane-team")
    assert_problem(lead.post(f"/teams/{customs_team['id']}/sessions", json={"dilemma_id": future.id}), 404)


def test_the_state_machine_names_the_allowed_transitions(client, meeting):
    lead, _, started = meeting
    sid = started["id"]
    voters = [lead, register(client), register(client)]
    for phone in voters[1:]:
        join(phone, started["join_code"])
    assert assert_problem(lead.post(f"/sessions/{sid}/revote"), 409)["allowed"] == ["vote", "reveal", "close"]
    assert assert_problem(lead.put(f"/sessions/{sid}/consensus", json={"option": "A"}), 409)["state"] == "open"
    for phone in voters:
        phone.put(f"/sessions/{sid}/vote", json={"option": "C"})
    lead.post(f"/sessions/{sid}/reveal")
    refused = assert_problem(voters[1].put(f"/sessions/{sid}/vote", json={"option": "A"}), 409)
    # A participant is offered what a participant can do: nothing until the lead moves on.
    assert refused["allowed"] == [] and "teamleider" in refused["detail"]
    assert voters[1].get(f"/sessions/{sid}").get_json()["allowed"] == []
    lead_refused = assert_problem(lead.put(f"/sessions/{sid}/vote", json={"option": "A"}), 409)
    assert lead_refused["allowed"] == ["revote", "consensus", "close"] and "revote" in lead_refused["detail"]
    assert assert_problem(lead.post(f"/sessions/{sid}/reveal"), 409)["state"] == "revealed"
    lead.post(f"/sessions/{sid}/revote")
    assert assert_problem(lead.post(f"/sessions/{sid}/reveal"), 409)["votes"] == 0  # round 2 starts empty
    for phone in voters:
        phone.put(f"/sessions/{sid}/vote", json={"option": "D"})
    assert lead.post(f"/sessions/{sid}/reveal").get_json()["shift"] == 3
    assert assert_problem(lead.post(f"/sessions/{sid}/revote"), 409)["allowed"] == ["consensus", "close"]
    lead.put(f"/sessions/{sid}/consensus", json={"option": "D"})
    other = assert_problem(lead.put(f"/sessions/{sid}/consensus", json={"option": "A"}), 409)
    assert other["consensus"] == "D"
    assert lead.get(f"/sessions/{sid}").get_json()["allowed"] == ["close"]


def test_a_team_answers_a_dilemma_once_across_sessions(client, session, meeting, this_week):
    lead, created, started = meeting
    voters = [lead, register(client), register(client)]
    for phone in voters[1:]:
        join(phone, started["join_code"])
    for phone in voters:
        phone.put(f"/sessions/{started['id']}/vote", json={"option": "A"})
    lead.post(f"/sessions/{started['id']}/reveal")
    lead.put(f"/sessions/{started['id']}/consensus", json={"option": "A"})
    lead.post(f"/sessions/{started['id']}/close")
    second = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}).get_json()
    for phone in voters[1:]:
        join(phone, second["join_code"])
    for phone in voters:
        phone.put(f"/sessions/{second['id']}/vote", json={"option": "B"})
    assert lead.post(f"/sessions/{second['id']}/reveal").get_json()["allowed"] == ["close"]
    assert_problem(lead.put(f"/sessions/{second['id']}/consensus", json={"option": "B"}), 409)
    assert team_answers_in_tallies(session, this_week.id) == [(SCOPE_TEAM, created["id"], "A", 1)]


def test_a_new_lead_can_steer_the_running_session(client, meeting):
    lead, created, started = meeting
    member = register(client)
    member.post("/teams/join", json={"invite_code": created["invite_code"]})
    assert lead.put(f"/sessions/{started['id']}/vote", json={"option": "A"}).status_code == 200  # now taking part
    lead.put(f"/teams/{created['id']}/lead", json={"handle": 2})
    assert_problem(lead.post(f"/sessions/{started['id']}/close"), 403)
    assert lead.get(f"/sessions/{started['id']}").get_json()["role"] == "participant"
    assert member.get(f"/sessions/{started['id']}").get_json()["role"] == "lead"
    assert member.post(f"/sessions/{started['id']}/close").status_code == 200


def test_a_lead_who_hands_over_before_voting_no_longer_takes_part(client, meeting):
    lead, created, started = meeting
    member = register(client)
    member.post("/teams/join", json={"invite_code": created["invite_code"]})
    lead.put(f"/teams/{created['id']}/lead", json={"handle": 2})
    # The lead was never a participant (that takes a vote or a join), so the
    # former lead is now like anyone outside the session.
    assert_problem(lead.get(f"/sessions/{started['id']}"), 404)
    assert_problem(lead.post(f"/sessions/{started['id']}/close"), 404)
    assert join(lead, started["join_code"]).get_json()["role"] == "participant"
    assert member.post(f"/sessions/{started['id']}/close").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("/vote", {"option": "E"}, {"option"}),
        ("/vote", {}, {"option"}),
        ("/vote", {"option": "A", "voter": "x"}, {"voter"}),
        ("/consensus", {"option": "a"}, {"option"}),
        ("/consensus", {"option": "A", "note": "x" * 501}, {"note"}),
        ("/consensus", {"option": "A", "note": "nul\u0000"}, {"note"}),
    ],
)
def test_invalid_session_bodies_are_422_and_change_nothing(session, meeting, path, body, fields):
    lead, _, started = meeting
    method = lead.put
    assert set(assert_problem(method(f"/sessions/{started['id']}{path}", json=body), 422)["errors"]) == fields
    assert session.scalar(select(func.count()).select_from(Ballots)) == 0


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456", 123456, "", " 123456"])
def test_malformed_join_codes_are_422(client, session, meeting, code):
    assert set(assert_problem(join(register(client), code), 422)["errors"]) == {"join_code"}
    assert session.scalar(select(Meeting.failed_joins)) == 0


def test_bad_session_creation_bodies_are_422(meeting):
    lead, created, _ = meeting
    for body in ({}, {"dilemma_id": "1"}, {"dilemma_id": 0}, {"dilemma_id": 1.5}):
        assert set(assert_problem(lead.post(f"/teams/{created['id']}/sessions", json=body), 422)["errors"]) == {
            "dilemma_id"
        }


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_guessing_from_one_installation_gets_a_growing_delay(app, client, meeting):
    _, _, started = meeting
    guesser = register(client)
    wrong = wrong_code(started["join_code"])
    for _ in range(3):
        assert_problem(join(guesser, wrong), 404)
    waits = []
    for step in range(3):
        limited = join(guesser, started["join_code"])  # while waiting, even the right code is refused
        assert_problem(limited, 429)
        waits.append(int(limited.headers["Retry-After"]))
        set_now(app, f"2026-12-09T12:{10 + step * 5:02d}:00+01:00")
        assert_problem(join(guesser, wrong), 404)
    assert waits == [1, 2, 4]
    set_now(app, "2026-12-09T12:30:00+01:00")
    assert join(guesser, started["join_code"]).status_code == 200
    assert join(register(client), started["join_code"]).status_code == 200  # others were never held up


def test_wrong_codes_from_one_address_count_per_installation(make_app, session, this_week):
    """Ten wrong codes from four phones on one Wi-Fi lock nobody out (the
    address's own backstop is far higher: tests/api/test_launch_day.py)."""
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    lead = register(client)
    created = team(lead)
    started = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}).get_json()
    wrong = wrong_code(started["join_code"])
    phones = [register(client) for _ in range(4)]
    statuses = [join(phones[i % 4], wrong).status_code for i in range(10)]
    assert statuses == [404] * 10
    assert join(register(client), started["join_code"]).status_code == 200
    assert session.scalar(select(func.count()).select_from(Participant)) == 1


def test_every_open_session_gets_a_new_code_after_100_failed_attempts(app, client, session, meeting):
    lead, _, started = meeting
    wrong = wrong_code(started["join_code"])
    guessers = [register(client) for _ in range(34)]
    attempts = 0
    for guesser in guessers:
        for _ in range(3):
            if attempts == MAX_FAILED_JOINS - 1:
                assert lead.get(f"/sessions/{started['id']}").get_json()["join_code"] == started["join_code"]
            assert_problem(join(guesser, wrong), 404)
            attempts += 1
    rotated = lead.get(f"/sessions/{started['id']}").get_json()["join_code"]
    assert rotated != started["join_code"] and len(rotated) == 6
    assert_problem(join(register(client), started["join_code"]), 404)
    assert join(register(client), rotated).status_code == 200
    # Two more wrong codes after the rotation, and the old code once.
    assert session.scalar(select(Meeting.failed_joins)) == attempts - MAX_FAILED_JOINS + 1


def test_polling_an_unchanged_session_is_a_304_without_a_database_write(app, client, meeting):
    lead, _, started = meeting
    sid = started["id"]
    participant = register(client)
    join(participant, started["join_code"])
    first = participant.get(f"/sessions/{sid}")
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag and "no-cache" in first.headers["Cache-Control"]
    with counted(app) as statements:
        polled = participant.get(f"/sessions/{sid}", headers={"If-None-Match": tag})
    assert polled.status_code == 304 and polled.data == b"" and polled.headers["ETag"] == tag
    assert statements and not [s for s in statements if s.lstrip().upper().startswith(WRITES)]
    lead.put(f"/sessions/{sid}/vote", json={"option": "A"})
    changed = participant.get(f"/sessions/{sid}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.get_json()["votes"] == 1


def test_every_session_endpoint_needs_a_token(client):
    for method, path, body in (
        ("post", "/api/v1/teams/1/sessions", {"dilemma_id": 1}),
        ("post", "/api/v1/sessions/join", {"join_code": "123456"}),
        ("get", "/api/v1/sessions/1", None),
        ("put", "/api/v1/sessions/1/vote", {"option": "A"}),
        ("post", "/api/v1/sessions/1/reveal", None),
        ("post", "/api/v1/sessions/1/revote", None),
        ("put", "/api/v1/sessions/1/consensus", {"option": "A"}),
        ("post", "/api/v1/sessions/1/close", None),
    ):
        assert_problem(getattr(client, method)(path, json=body), 401)


def test_openapi_documents_teams_and_sessions(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/teams",
        "/api/v1/teams/join",
        "/api/v1/teams/{team_id}",
        "/api/v1/teams/{team_id}/membership",
        "/api/v1/teams/{team_id}/sessions",
        "/api/v1/sessions/join",
        "/api/v1/sessions/{session_id}",
        "/api/v1/sessions/{session_id}/vote",
        "/api/v1/sessions/{session_id}/reveal",
        "/api/v1/sessions/{session_id}/revote",
        "/api/v1/sessions/{session_id}/consensus",
        "/api/v1/sessions/{session_id}/close",
    ):
        assert path in paths, path
    assert {"200", "304", "401", "404"} <= set(paths["/api/v1/sessions/{session_id}"]["get"]["responses"])
    assert {"200", "401", "403", "404", "409"} <= set(
        paths["/api/v1/sessions/{session_id}/reveal"]["post"]["responses"]
    )


def test_numbers_beyond_the_database_are_refused_not_crashed_on(meeting):
    lead, created, _ = meeting
    huge = 99_999_999_999_999_999_999
    assert_problem(lead.get(f"/sessions/{huge}"), 404)
    assert_problem(lead.get(f"/teams/{huge}"), 404)
    assert_problem(lead.post(f"/sessions/{huge}/reveal"), 404)
    problem = assert_problem(lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": huge}), 422)
    assert set(problem["errors"]) == {"dilemma_id"}
    assert set(assert_problem(lead.put(f"/teams/{created['id']}/lead", json={"handle": huge}), 422)["errors"]) == {
        "handle"
    }


def test_an_early_reveal_names_what_is_allowed_and_no_view_offers_it(client, meeting):
    """The rule that refuses a reveal below SESSION_MIN_REVEAL votes is the
    one that writes ``allowed``: the 409 and the session both leave it out
    until enough votes are in, and offer it from then on."""
    lead, _, started = meeting
    sid = started["id"]
    voters = [lead, register(client), register(client)]
    for phone in voters[1:]:
        join(phone, started["join_code"])
    lead.put(f"/sessions/{sid}/vote", json={"option": "B"})
    early = assert_problem(lead.post(f"/sessions/{sid}/reveal"), 409)
    assert early["allowed"] == ["vote", "close"] and early["state"] == "open"
    assert early["votes"] == 1 and early["needed"] == 3
    assert lead.get(f"/sessions/{sid}").get_json()["allowed"] == ["vote", "close"]
    for phone in voters[1:]:
        phone.put(f"/sessions/{sid}/vote", json={"option": "C"})
    assert lead.get(f"/sessions/{sid}").get_json()["allowed"] == ["vote", "reveal", "close"]
    assert lead.post(f"/sessions/{sid}/reveal").status_code == 200
