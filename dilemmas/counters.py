"""The answer counts of an edition, kept as one sealed vector per dilemma.

Plain counter rows, however they are sharded or ordered, keep every
version in PostgreSQL's WAL and dead tuples, and consecutive versions
differ by one answer: a thief reads the option of each answer in turn. So
the whole vector of an edition is one row, sealed (``dilemmas.sealing``)
under a key derived from the server secret, padded to a fixed size and
rewritten with a fresh nonce on every answer. Answering locks that row
(FOR UPDATE; SQLite's BEGIN IMMEDIATE serialises anyway), so the read,
change and write are one step.

Only the noisy releases (``scoring.releases``) read the counts; nothing
shows them as they are."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.model.answers import AnswerCounts
from dilemmas.sealing import derive, seal, unseal
from dilemmas.storage.conflicts import insert_for

# The sealed vector is padded to a multiple of this many bytes, so that its
# length does not grow with the first answer of a new organisation or mode.
PAD = 4096

OPTION = "o"  # (OPTION, scope, scope_id, mode, late, option)
RATING = "d"  # (RATING, scope, scope_id, late, value)
FIRST = "f"  # (FIRST, day, option): first answers per day of the week, on time


def counter_key(secret_key: bytes) -> bytes:
    """The key the counters are sealed under: the server secret's, for this
    purpose only."""
    return derive(secret_key, "kompas answer counters")


class Counts(Counter):
    """A vector of counts keyed by tuples (see the kinds above)."""

    def options(self, scope: str, scope_id: int, late: bool = False) -> dict[tuple[str, str], int]:
        """{(mode, option): count} of one scope."""
        return {
            (k[3], k[5]): n
            for k, n in self.items()
            if k[0] == OPTION and k[1] == scope and k[2] == scope_id and k[4] == int(late) and n
        }

    def ratings(self, scope: str, scope_id: int, late: bool = False) -> dict[int, int]:
        return {
            k[4]: n
            for k, n in self.items()
            if k[0] == RATING and k[1] == scope and k[2] == scope_id and k[3] == int(late) and n
        }

    def first_answers(self) -> dict[tuple[int, str], int]:
        """{(day, option): count} of first answers given while the week was open."""
        return {(k[1], k[2]): n for k, n in self.items() if k[0] == FIRST and n}


def _encode(counts: Counts) -> bytes:
    plain = json.dumps(sorted([list(k), n] for k, n in counts.items() if n), separators=(",", ":")).encode()
    return plain + b" " * (-len(plain) % PAD)


def _decode(plain: bytes) -> Counts:
    return Counts({tuple(k): n for k, n in json.loads(plain)})


def _context(dilemma_id: int) -> bytes:
    return f"answer counts {dilemma_id}".encode()


def change(session: Session, key: bytes, dilemma_id: int, deltas: Iterable[tuple[tuple, int]]) -> None:
    """Add the deltas to the edition's counts, in the caller's transaction."""
    deltas = [(k, d) for k, d in deltas if d]
    if not deltas:
        return
    table = AnswerCounts.__table__
    # The row exists from the first answer on; creating it is the only
    # write that can race, and the loser's insert is a no-op.
    session.execute(
        insert_for(session, table)
        .values(dilemma_id=dilemma_id, sealed=seal(key, _encode(Counts()), _context(dilemma_id)))
        .on_conflict_do_nothing()
    )
    sealed = session.execute(
        select(table.c.sealed).where(table.c.dilemma_id == dilemma_id).with_for_update()
    ).scalar_one()
    counts = _decode(unseal(key, sealed, _context(dilemma_id)))
    for k, d in deltas:
        counts[k] += d
    session.execute(
        table.update()
        .where(table.c.dilemma_id == dilemma_id)
        .values(sealed=seal(key, _encode(counts), _context(dilemma_id)))
    )


def counts_of(session: Session, key: bytes, dilemma_ids: Iterable[int]) -> dict[int, Counts]:
    """The counts of each edition (empty when no one answered)."""
    ids = list(dilemma_ids)
    result = {d: Counts() for d in ids}
    if ids:
        table = AnswerCounts.__table__
        for dilemma_id, sealed in session.execute(
            select(table.c.dilemma_id, table.c.sealed).where(table.c.dilemma_id.in_(ids))
        ):
            result[dilemma_id] = _decode(unseal(key, sealed, _context(dilemma_id)))
    return result
