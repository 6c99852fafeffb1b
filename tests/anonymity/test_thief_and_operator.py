"""Adversaries A and B of docs/anonymity.md: a thief with a copy of the
database, and the operator who also has the server secret. Each attack is
written as they would run it: SQL against the database."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import text

from dilemmas.storage.database import make_engine
from tests.anonymity.conftest import MONDAY, WEDNESDAY, phone_key
from tests.conftest import SECRET


def _answering_world(world, people: int = 8):
    world.at(MONDAY)
    tokens = [world.register() for _ in range(people)]
    dilemma = world.current(tokens[0])
    for i, token in enumerate(tokens):
        world.answer(token, dilemma["id"], "ABCD"[i % 4])
    return tokens, dilemma["id"]


def test_a_dump_has_no_team_sets_per_answer(world):
    """Attack 1: the set of teams stored beside an answer, matched with the
    sets of teams per installation, names the answer's installation."""
    world.at(MONDAY)
    lead, alone = world.register(), world.register()
    team = world.call("POST", "/api/v1/teams", {"name": "Nieuw team"}, lead)[2]
    dilemma = world.current(lead)
    world.answer(lead, dilemma["id"], "B")
    world.answer(alone, dilemma["id"], "C")

    tables = {row[0] for row in world.sql(_TABLES[world.postgres])}
    linked = {}
    if "answer_teams" in tables:
        per_answer = world.sql("SELECT respondent_key, team_id FROM answer_teams")
        members = world.sql("SELECT installation_id, team_id FROM team_memberships")
        for key, team_id in per_answer:
            owners = [i for i, t in members if t == team_id]
            if len(owners) == 1:
                linked[key] = owners[0]
    assert linked == {}
    assert team["id"] and "answer_teams" not in tables
    assert "tallies" not in tables  # the counts are one sealed vector per edition


_TABLES = {
    False: "SELECT name FROM sqlite_master WHERE type = 'table'",
    True: "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


def test_dump_and_secret_cannot_link_answers(world):
    """Adversary B: with the dump and the server secret, recompute every
    installation's key for every dilemma from whatever the installation row
    holds, and look the keys up among the answers."""
    _answering_world(world)
    secret = SECRET.encode()
    answers = {row[0] for row in world.sql("SELECT respondent_key FROM answers")}
    dilemma_ids = [row[0] for row in world.sql("SELECT id FROM dilemmas")]
    found = 0
    for installation_id, token_hash in world.sql("SELECT id, token_hash FROM installations"):
        for material in (token_hash, installation_id):
            if material is None:
                continue
            for dilemma_id in dilemma_ids:
                guess = hmac.new(secret, f"{material}:{dilemma_id}".encode(), hashlib.sha256).hexdigest()
                found += guess in answers
    assert len(answers) == 8 and found == 0


def test_the_lead_is_not_the_first_participant_of_a_meeting(world):
    """Attack 2, in a meeting: the first participant row was the lead's, and
    with it the lead's vote."""
    world.at(WEDNESDAY)
    lead, *room = (world.register() for _ in range(5))
    team = world.call("POST", "/api/v1/teams", {"name": "Overleg"}, lead)[2]
    for token in room:
        assert world.call("POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, token)[0] == 200
    dilemma = world.current(lead)
    meeting = world.call("POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma["id"]}, lead)[2]
    assert meeting["participants"] == 0
    for token in room:
        world.call("POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, token)
        world.call("PUT", f"/api/v1/sessions/{meeting['id']}/vote", {"option": "A"}, token)
    world.call("PUT", f"/api/v1/sessions/{meeting['id']}/vote", {"option": "D"}, lead)

    def stored(table: str, order: str = "") -> list[str]:
        statement = f"SELECT voter_key FROM {table} WHERE session_id = :m {order}"
        return [row[0] for row in world.sql(statement, m=meeting["id"])]

    leads_key = phone_key(lead, f"vote:{meeting['id']}")
    rows = stored("session_participants")
    assert len(rows) == 5 and leads_key in rows
    if world.postgres:
        assert rows[0] != leads_key  # the lead took part last, and is stored so
    # Once the meeting is closed its participants are kept in key order on
    # either database: nothing of who joined when (the votes are one sealed
    # row, tests/anonymity/test_meeting_votes.py).
    assert world.call("POST", f"/api/v1/sessions/{meeting['id']}/close", token=lead)[0] == 200
    assert stored("session_participants") == stored("session_participants", "ORDER BY voter_key")


def test_there_is_no_legacy_seed_to_link_answers_with(world):
    """Attack 5: the legacy rekey wrote an installation's answers as one
    block and kept seeds that linked them. Kompas has no release yet: the
    seeds and the rekeying are gone (migration 0012), not defended."""
    _answering_world(world, people=2)
    if world.postgres:
        columns = {
            row[0]
            for row in world.sql(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'installations'"
            )
        }
    else:
        columns = {row[1] for row in world.sql("PRAGMA table_info(installations)")}
    assert "respondent_seed" not in columns
    tables = {row[0] for row in world.sql(_TABLES[world.postgres])}
    assert "answer_reseals" not in tables


def _write(world, statement: str, **parameters) -> None:
    engine = make_engine(world.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), parameters)
    finally:
        engine.dispose()
