"""Adversaries A and B of docs/anonymity.md: a thief with a copy of the
database, and the operator who also has the server secret. Each attack is
written as they would run it: SQL against the database."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import text

from dilemmas.storage.database import make_engine
from tests.anonymity.conftest import MONDAY, NEXT_MONDAY, WEDNESDAY, phone_key
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
    team_tallies = world.sql("SELECT COUNT(*) FROM tallies WHERE scope = 'team' AND mode != 'team'")
    assert team_tallies == [(0,)]


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
    for installation_id, token_hash, seed in world.sql("SELECT id, token_hash, respondent_seed FROM installations"):
        for material in (seed, token_hash, installation_id):
            if material is None:
                continue
            for dilemma_id in dilemma_ids:
                guess = hmac.new(secret, f"{material}:{dilemma_id}".encode(), hashlib.sha256).hexdigest()
                found += guess in answers
    assert len(answers) == 8 and found == 0
    assert world.sql("SELECT COUNT(*) FROM installations WHERE respondent_seed IS NOT NULL") == [(0,)]


def test_a_dump_does_not_keep_the_order_of_answers(world):
    """Attack 2: rows read in storage order follow the order of answering;
    with one observed moment ("she answered first") that names an answer."""
    tokens, dilemma_id = _answering_world(world, people=12)
    if world.postgres:
        world.kompas("push", "tick", at=NEXT_MONDAY)  # the week closed: its answers are rewritten
    stored = [row[0] for row in world.sql("SELECT respondent_key FROM answers WHERE dilemma_id = :d", d=dilemma_id)]
    in_key_order = [
        row[0]
        for row in world.sql(
            "SELECT respondent_key FROM answers WHERE dilemma_id = :d ORDER BY respondent_key", d=dilemma_id
        )
    ]
    assert stored == in_key_order
    answered_in_order = [phone_key(token, f"answer:{dilemma_id}") for token in tokens]
    assert sorted(stored) == sorted(answered_in_order) and stored != answered_in_order
    # And the day of an answer is its week's Monday, nothing finer.
    assert {str(row[0]) for row in world.sql("SELECT DISTINCT answered_on FROM answers")} == {"2026-12-07"}
    if not world.postgres:
        [(ddl,)] = world.sql("SELECT sql FROM sqlite_master WHERE name = 'answers'")
        assert "WITHOUT ROWID" in ddl


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
    # Once the meeting is closed its rows are kept in key order on either
    # database: nothing of who joined or voted when.
    assert world.call("POST", f"/api/v1/sessions/{meeting['id']}/close", token=lead)[0] == 200
    for table in ("session_participants", "session_votes"):
        assert stored(table) == stored(table, "ORDER BY voter_key")


def test_a_legacy_installation_is_rekeyed_and_forgets_its_seed(world):
    """Installations from before keys came from the token had a seed on the
    server; their first request moves their rows to token keys."""
    world.at(MONDAY)
    token = world.register()
    dilemma = world.current(token)
    seed = "aa" * 32
    old_key = hmac.new(SECRET.encode(), f"{seed}:{dilemma['id']}".encode(), hashlib.sha256).hexdigest()
    installation_id = world.sql("SELECT id FROM installations")[0][0]
    world.server.stop()  # the state an older version left behind:
    _write(world, "UPDATE installations SET respondent_seed = :s", s=seed)
    organisation = world.sql("SELECT organisation_id FROM installations")[0][0]
    revision = world.sql("SELECT MAX(id) FROM revisions WHERE dilemma_id = :d", d=dilemma["id"])[0][0]
    _write(
        world,
        "INSERT INTO answers (dilemma_id, respondent_key, revision_id, organisation_id, option, mode,"
        " answered_on, late) VALUES (:d, :k, :r, :o, 'C', 'alone', '2026-12-07', false)",
        d=dilemma["id"],
        k=old_key,
        r=revision,
        o=organisation,
    )
    world.at(MONDAY)
    assert world.current(token)["my_answer"] == "C"
    assert world.sql("SELECT respondent_seed FROM installations WHERE id = :i", i=installation_id) == [(None,)]
    assert world.sql("SELECT COUNT(*) FROM answers WHERE respondent_key = :k", k=old_key) == [(0,)]


def _write(world, statement: str, **parameters) -> None:
    engine = make_engine(world.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), parameters)
    finally:
        engine.dispose()
