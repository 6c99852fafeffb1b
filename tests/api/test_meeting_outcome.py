"""Reading a meeting's outcome back (``GET /sessions/{id}/outcome``): what
the app shows after a look-back push, for the team and whoever was in the
room, and for nobody else."""

from __future__ import annotations

import pytest

from tests.api.test_errors import assert_problem
from tests.api.test_sessions import join
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team

NOW = "2026-12-09T12:00:00+01:00"
AGREEMENT = "We melden elk geschenk bij de teamleider."


@pytest.fixture
def meeting(app, client, session):
    """A team of four (one stays away), a guest from another team in the
    room, and a session on this week's dilemma with its three votes."""
    set_now(app, NOW)
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    lead, present, absent = register(client), register(client), register(client)
    guest = register(client)
    created = team(lead, [present, absent])
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": dilemma.id}).get_json()
    for phone in (present, guest):
        assert join(phone, opened["join_code"]).status_code == 200
    for phone, option in zip((lead, present, guest), "ABB", strict=True):
        assert phone.put(f"/sessions/{opened['id']}/vote", json={"option": option}).status_code == 200
    assert lead.post(f"/sessions/{opened['id']}/reveal").status_code == 200
    return {"lead": lead, "present": present, "absent": absent, "guest": guest, "team": created, "session": opened}


def test_the_team_and_the_room_read_the_outcome(meeting):
    lead, sid = meeting["lead"], meeting["session"]["id"]
    empty = lead.get(f"/sessions/{sid}/outcome")
    assert empty.status_code == 200, empty.get_json()
    assert empty.get_json() == {
        "session_id": sid,
        "team_id": meeting["team"]["id"],
        "dilemma_id": meeting["session"]["dilemma_id"],
        "consensus": None,
        "values": {},
        "agreements": [],
        "look_back_on": None,
    }
    agreed = lead.put(f"/sessions/{sid}/consensus", json={"option": "B", "note": "Eerst melden."})
    assert agreed.status_code == 200, agreed.get_json()
    written = lead.put(
        f"/sessions/{sid}/outcome",
        json={"values": {"B": ["eerlijkheid"]}, "agreements": [AGREEMENT], "look_back_on": "2027-01-11"},
    )
    assert written.status_code == 200
    for who in ("lead", "present", "absent", "guest"):
        read = meeting[who].get(f"/sessions/{sid}/outcome")
        assert read.status_code == 200, (who, read.get_json())
        body = read.get_json()
        assert body["consensus"] == {"option": "B", "note": "Eerst melden."}, who
        assert body["values"] == {"B": ["eerlijkheid"]} and body["agreements"] == [AGREEMENT], who
        assert body["look_back_on"] == "2027-01-11", who


def test_nobody_else_reads_it(client, session, meeting):
    sid = meeting["session"]["id"]
    meeting["lead"].put(f"/sessions/{sid}/outcome", json={"agreements": [AGREEMENT]})
    colleague = register(client)  # same organisation, neither in the team nor in the room
    elsewhere = register(client, session, "douane")
    for phone in (colleague, elsewhere):
        refused = assert_problem(phone.get(f"/sessions/{sid}/outcome"), 404)
        assert refused["type"] == "/problems/not-found" and AGREEMENT not in str(refused)
    assert_problem(colleague.get(f"/sessions/{sid + 1000}/outcome"), 404)
    anonymous = assert_problem(client.get(f"/api/v1/sessions/{sid}/outcome"), 401)
    assert anonymous["type"] == "/problems/token-missing"
    # A member who left the team was not in the room: the outcome is no longer theirs.
    absent = meeting["absent"]
    assert absent.delete(f"/teams/{meeting['team']['id']}/membership").status_code == 204
    assert_problem(absent.get(f"/sessions/{sid}/outcome"), 404)


def test_an_unchanged_outcome_is_a_304_and_a_changed_one_is_not(meeting):
    lead, present, sid = meeting["lead"], meeting["present"], meeting["session"]["id"]
    first = present.get(f"/sessions/{sid}/outcome")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    unchanged = present.get(f"/sessions/{sid}/outcome", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    lead.put(f"/sessions/{sid}/outcome", json={"agreements": [AGREEMENT]})
    changed = present.get(f"/sessions/{sid}/outcome", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["agreements"] == [AGREEMENT]


def test_the_document_describes_it(client):
    document = client.get("/openapi.json").get_json()
    operation = document["paths"]["/api/v1/sessions/{session_id}/outcome"]["get"]
    assert operation["operationId"] == "getOutcome" and operation["security"] == [{"installation": []}]
    assert {"200", "304", "401", "404"} <= set(operation["responses"])
    assert "ETag" in operation["responses"]["200"]["headers"]
    schema = document["components"]["schemas"]["MeetingOutcomeOut"]
    assert {"session_id", "consensus", "values", "agreements", "look_back_on"} <= set(schema["required"])
    consensus = document["components"]["schemas"]["ConsensusOut"]["properties"]["option"]
    assert consensus["enum"] == ["A", "B", "C", "D"]
