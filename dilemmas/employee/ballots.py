"""A meeting's votes, kept as one sealed vector per meeting.

A row per vote keeps the order of voting wherever rows are stored: SQLite
writes each new cell lower in its page, PostgreSQL stamps it with an
``xmin`` and logs it in the WAL in commit order, so a copy of the database
said which vote came last (the lead's) and, with the option in clear, what
it was. Here every vote of a meeting, both rounds, is one JSON vector
{round: {ballot key: option}}, sealed (``dilemmas.sealing``) under a key
derived from the server secret, padded to a fixed size and rewritten whole
with a fresh nonce on every vote: the versions a WAL or dead tuples keep are
unrelated ciphertexts of one length.

A ballot key is the voter's pseudonym for this meeting's ballots
(``keys.ballot_key``, from the token), not the ``voter_key`` of its
participant row: the operator, who can open the vector, cannot pair a vote
with the order in which participants joined."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.meetings import Ballots as BallotsRow
from dilemmas.model.meetings import MeetingChange
from dilemmas.sealing import derive, seal, unseal
from dilemmas.storage.conflicts import insert_for

# The sealed vector is padded to a multiple of this many bytes: its length
# grows only every few dozen votes, not with each.
PAD = 4096


def vault_key(counter_key: bytes) -> bytes:
    """The key the ballots are sealed under: derived from the counters' key
    (itself the server secret's), for this purpose only."""
    return derive(counter_key, "kompas meeting ballots")


@dataclass
class Ballots:
    """The votes of one meeting: per round, ballot key -> option."""

    rounds: dict[int, dict[str, str]] = field(default_factory=dict)

    def count(self, round_: int) -> int:
        return len(self.rounds.get(round_, {}))

    def spread(self, round_: int) -> tuple[int, ...]:
        votes = list(self.rounds.get(round_, {}).values())
        return tuple(votes.count(option) for option in OPTION_KEYS)

    def of(self, round_: int, key: str) -> str | None:
        return self.rounds.get(round_, {}).get(key) if key else None

    def shift(self, first: int, second: int) -> int:
        """How many voters of both rounds changed their option."""
        before, after = self.rounds.get(first, {}), self.rounds.get(second, {})
        return sum(1 for key, option in after.items() if key in before and before[key] != option)


def _context(meeting_id: int) -> bytes:
    return f"meeting ballots {meeting_id}".encode()


def _encode(ballots: Ballots) -> bytes:
    vector = {str(r): dict(sorted(votes.items())) for r, votes in sorted(ballots.rounds.items()) if votes}
    plain = json.dumps(vector, separators=(",", ":")).encode()
    return plain + b" " * (-len(plain) % PAD)


def _decode(plain: bytes) -> Ballots:
    return Ballots({int(r): votes for r, votes in json.loads(plain).items()})


def read(session: Session, vault: bytes, meeting_id: int) -> Ballots:
    """The meeting's votes (none yet: empty)."""
    sealed = session.scalar(select(BallotsRow.sealed).where(BallotsRow.session_id == meeting_id))
    return _decode(unseal(vault, sealed, _context(meeting_id))) if sealed is not None else Ballots()


def cast(session: Session, vault: bytes, meeting_id: int, round_: int, key: str, option: str) -> None:
    """Record or change one vote, in the caller's transaction: the row is
    locked (FOR UPDATE; SQLite's BEGIN IMMEDIATE serialises anyway), so two
    votes at once never lose one another."""
    table = BallotsRow.__table__
    context = _context(meeting_id)
    session.execute(
        insert_for(session, table)
        .values(session_id=meeting_id, sealed=seal(vault, _encode(Ballots()), context))
        .on_conflict_do_nothing()
    )
    where = table.c.session_id == meeting_id
    sealed = session.execute(select(table.c.sealed).where(where).with_for_update()).scalar_one()
    ballots = _decode(unseal(vault, sealed, context))
    votes = ballots.rounds.setdefault(round_, {})
    counted = key not in votes
    votes[key] = option
    session.execute(table.update().where(where).values(sealed=seal(vault, _encode(ballots), context)))
    if counted:
        # The presenter screen shows how many voted, so a new vote moves its
        # change number; a changed vote, which it does not show, must not.
        changes = MeetingChange.__table__
        session.execute(
            changes.update().where(changes.c.session_id == meeting_id).values(version=changes.c.version + 1)
        )
