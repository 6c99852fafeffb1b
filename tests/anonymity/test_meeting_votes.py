"""Attack 3 for meetings, and what was left of attack 10 (issue 23): a
thief with a file-level copy of the database after a closed meeting. With a
row per vote, the option stood in clear beside the voter's pseudonym, and
the rows' order (SQLite's page offsets, PostgreSQL's ``xmin``, dead tuples
and WAL) said which vote came last: the lead's. Now a meeting's votes are
one vector sealed under a key of the server secret, rewritten whole with a
fresh nonce on every vote (docs/anonymity.md, mechanism 5).

The ground truth is the test's own: the phones' tokens and their votes."""

from __future__ import annotations

import itertools
import json
import re

from sqlalchemy import inspect

from dilemmas.counters import counter_key
from dilemmas.employee.ballots import vault_key
from dilemmas.sealing import unseal
from dilemmas.storage.database import make_engine
from tests.anonymity.conftest import WEDNESDAY, phone_key
from tests.anonymity.test_storage_files import _files
from tests.conftest import SECRET

# Round 1 and round 2: the four colleagues', then the lead's, who votes last.
ROUND_1 = ["A", "B", "A", "C", "D"]
ROUND_2 = ["B", "B", "A", "C", "D"]


def _closed_meeting(world) -> tuple[list[str], dict]:
    """A lead and four colleagues hold a meeting of two rounds and close it;
    every phone still sees what it needs: its vote, the spread, the shift."""
    world.at(WEDNESDAY)
    lead, *room = (world.register() for _ in range(5))
    team = world.call("POST", "/api/v1/teams", {"name": "Overleg"}, lead)[2]
    for token in room:
        assert world.call("POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, token)[0] == 200
    dilemma = world.current(lead)
    meeting = world.call("POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma["id"]}, lead)[2]
    path = f"/api/v1/sessions/{meeting['id']}"
    for token in room:
        assert world.call("POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, token)[0] == 200
    phones = [*room, lead]
    for votes, step in ((ROUND_1, None), (ROUND_2, "revote")):
        if step:
            assert world.call("POST", f"{path}/{step}", token=lead)[0] == 200
        for token, option in zip(phones, votes, strict=True):
            status, _, view = world.call("PUT", f"{path}/vote", {"option": option}, token)
            assert status == 200 and view["my_vote"] == option
        status, _, shown = world.call("POST", f"{path}/reveal", token=lead)
        assert status == 200
        assert [o["count"] for o in shown["spread"]] == [votes.count(o) for o in "ABCD"]
    assert shown["shift"] == 1 and shown["round"] == 2
    assert world.call("GET", path, token=room[0])[2]["my_vote"] == ROUND_2[0]
    status, _, closed = world.call("POST", f"{path}/close", token=lead)
    assert status == 200 and closed["shift"] == 1
    return phones, meeting


def _keys(phones: list[str], meeting_id: int) -> dict[str, str]:
    """Every pseudonym a phone has in the meeting, to the phone's token."""
    keys = {}
    for token in phones:
        for purpose in ("vote", "ballot"):
            keys[phone_key(token, f"{purpose}:{meeting_id}")] = token
    return keys


def test_a_dump_holds_no_vote_beside_a_voter(world):
    """The thief's SQL: every row of every table that names one of the
    meeting's pseudonyms holds no option; the votes are one sealed row."""
    phones, meeting = _closed_meeting(world)
    keys = _keys(phones, meeting["id"])
    engine = make_engine(world.database_url, immediate=False)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    beside = []
    for table in tables:
        for row in world.sql(f"SELECT * FROM {table}"):
            if any(value in keys for value in row if isinstance(value, str)):
                beside += [(table, row) for value in row if value in ("A", "B", "C", "D")]
    assert beside == []
    if "session_ballots" in tables:
        rows = world.sql("SELECT sealed FROM session_ballots WHERE session_id = :m", m=meeting["id"])
        assert len(rows) == 1


def _vote_record(world, key: str) -> re.Pattern:
    """A vote row as the database writes it: in SQLite's record the header
    ends with the serial type of a one-character text (0x0f), then come the
    meeting's and the round's small integers, the pseudonym and the option;
    in PostgreSQL's tuple (heap, dead tuples, WAL) the pseudonym is followed
    by the option's one-byte length header (0x05) and the option. A
    participant row ends with the pseudonym."""
    if world.postgres:
        return re.compile(re.escape(key.encode()) + rb"\x05([ABCD])")
    return re.compile(rb"\x0f.{0,4}" + re.escape(key.encode()) + rb"([ABCD])", re.DOTALL)


def test_the_files_give_no_option_of_any_voter(world):
    """The thief's bytes: a vote row was the voter's pseudonym followed by
    its option, in the heap, in dead tuples and in the WAL, in the order of
    voting. Nothing of the kind is left to read."""
    phones, meeting = _closed_meeting(world)
    keys = _keys(phones, meeting["id"])
    recovered: dict[str, set[str]] = {}
    for path in _files(world):
        data = path.read_bytes()
        for key, token in keys.items():
            for hit in _vote_record(world, key).finditer(data):
                recovered.setdefault(token, set()).add(hit.group(1).decode())
    assert recovered == {}


def test_every_vote_rewrites_one_sealed_row_of_one_length(world):
    """Consecutive versions of the meeting's ballots are unrelated
    ciphertexts of one length: no version tells which vote was added."""
    world.at(WEDNESDAY)
    lead, *room = (world.register() for _ in range(3))
    team = world.call("POST", "/api/v1/teams", {"name": "Overleg"}, lead)[2]
    for token in room:
        world.call("POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, token)
    dilemma = world.current(lead)
    meeting = world.call("POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma["id"]}, lead)[2]
    versions = []
    for token, option in zip([*room, lead], "ABD", strict=True):
        if token != lead:
            world.call("POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, token)
        world.call("PUT", f"/api/v1/sessions/{meeting['id']}/vote", {"option": option}, token)
        [(sealed,)] = world.sql("SELECT sealed FROM session_ballots WHERE session_id = :m", m=meeting["id"])
        versions.append(bytes(sealed))
    assert len({len(v) for v in versions}) == 1
    for old, new in itertools.pairwise(versions):
        assert not any(new[i : i + 8] in old for i in range(0, len(new) - 8, 8))


def test_the_operator_opens_the_ballots_but_cannot_pair_them_with_participants(world):
    """Adversary B: the server secret opens the ballots (a residual that
    docs/anonymity.md names), but their keys are not the participant rows'
    keys, so the order of joining says nothing of whose vote is whose."""
    phones, meeting = _closed_meeting(world)
    [(sealed,)] = world.sql("SELECT sealed FROM session_ballots WHERE session_id = :m", m=meeting["id"])
    key = vault_key(counter_key(SECRET.encode()))
    rounds = json.loads(unseal(key, bytes(sealed), f"meeting ballots {meeting['id']}".encode()))
    assert sorted(rounds["1"].values()) == sorted(ROUND_1)  # the operator's residual: the votes, by pseudonym
    participants = {row[0] for row in world.sql("SELECT voter_key FROM session_participants")}
    assert len(participants & {phone_key(t, f"vote:{meeting['id']}") for t in phones}) == 5
    assert not participants & (set(rounds["1"]) | set(rounds["2"]))
