"""The answer counts of an edition, kept as one sealed vector per dilemma.

Plain counter rows, however they are sharded or ordered, keep every
version in PostgreSQL's WAL and dead tuples, and consecutive versions
differ by one answer: a thief reads the option of each answer in turn. So
the whole vector of an edition is kept in a few rows (shards, so that
answers to one dilemma do not all queue for one row lock on PostgreSQL),
each sealed (``dilemmas.sealing``) under a key derived from the server
secret, padded to a fixed size and rewritten with a fresh nonce on every
answer. An answer changes one shard, chosen at random: it locks that row
(FOR UPDATE; SQLite's BEGIN IMMEDIATE serialises anyway), so the read,
change and write are one step. A shard's count may go below zero when a
change takes an answer from another shard than the one that received it;
only the sum has meaning.

Only the noisy releases (``scoring.releases``) read the counts; nothing
shows them as they are."""

from __future__ import annotations

import functools
import json
import random
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dilemmas.model.answers import AnswerCounts
from dilemmas.sealing import derive, seal, unseal
from dilemmas.storage.conflicts import insert_for

# The sealed vector is padded to a multiple of this many bytes, so that its
# length does not grow with the first answer of a new organisation or mode.
PAD = 4096

SHARDS = 4

OPTION = "o"  # (OPTION, scope, scope_id, mode, late, option)
RATING = "d"  # (RATING, scope, scope_id, late, value)
FIRST = "f"  # (FIRST, day, option): first answers per day of the week, on time
PREDICTED = "p"  # (PREDICTED, option): predicted percentages summed, everyone, on time


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

    def predicted(self) -> dict[str, int]:
        """{option: sum of predicted percentages} of on-time answers."""
        return {k[1]: n for k, n in self.items() if k[0] == PREDICTED and n}


def _encode(counts: Counts) -> bytes:
    plain = json.dumps(sorted([list(k), n] for k, n in counts.items() if n), separators=(",", ":")).encode()
    return plain + b" " * (-len(plain) % PAD)


def _decode(plain: bytes) -> Counts:
    return Counts({tuple(k): n for k, n in json.loads(plain)})


def _context(dilemma_id: int, shard: int) -> bytes:
    return f"answer counts {dilemma_id}:{shard}".encode()


@functools.cache
def _statements(dialect: str):
    """Lock, create and write one shard: built once per database, because
    composing them cost more than running them (bench.answerpath)."""
    table = AnswerCounts.__table__
    where = (table.c.dilemma_id == bindparam("d_id")) & (table.c.shard == bindparam("d_shard"))
    lock = select(table.c.sealed).where(where).with_for_update()
    rows = [{"dilemma_id": bindparam("d_id"), "shard": n, "sealed": bindparam(f"empty_{n}")} for n in range(SHARDS)]
    create = insert_for(dialect, table).values(rows).on_conflict_do_nothing()
    write = table.update().where(where).values(sealed=bindparam("counts"))
    return lock, create, write


def change(session: Session, key: bytes, dilemma_id: int, deltas: Iterable[tuple[tuple, int]]) -> None:
    """Add the deltas to the edition's counts, in the caller's transaction."""
    deltas = [(k, d) for k, d in deltas if d]
    if not deltas:
        return
    connection = session.connection()
    lock, create, write = _statements(connection.dialect.name)
    shard = random.randrange(SHARDS)
    context = _context(dilemma_id, shard)
    at = {"d_id": dilemma_id, "d_shard": shard}
    sealed = connection.execute(lock, at).scalar()
    if sealed is None:
        # The edition's first answer creates every shard's row, so that each
        # later answer costs two statements; that is the only write that can
        # race, and the loser's insert is a no-op that waits for the winner,
        # whose row it then locks.
        empty = _encode(Counts())
        sealed_empty = {f"empty_{n}": seal(key, empty, _context(dilemma_id, n)) for n in range(SHARDS)}
        connection.execute(create, {**at, **sealed_empty})
        sealed = connection.execute(lock, at).scalar_one()
    counts = _decode(unseal(key, sealed, context))
    for k, d in deltas:
        counts[k] += d
    connection.execute(write, {**at, "counts": seal(key, _encode(counts), context)})


def counts_of(session: Session, key: bytes, dilemma_ids: Iterable[int]) -> dict[int, Counts]:
    """The counts of each edition, its shards summed (empty when no one answered)."""
    ids = list(dilemma_ids)
    result = {d: Counts() for d in ids}
    if ids:
        table = AnswerCounts.__table__
        rows = session.execute(
            select(table.c.dilemma_id, table.c.shard, table.c.sealed).where(table.c.dilemma_id.in_(ids))
        )
        for dilemma_id, shard, sealed in rows:
            result[dilemma_id].update(_decode(unseal(key, sealed, _context(dilemma_id, shard))))
    return result
