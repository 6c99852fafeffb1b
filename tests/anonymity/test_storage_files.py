"""Attacks 3, 4, 5 and 8 of issue 23, run as a thief with a file-level copy
of the database runs them: the bytes of the SQLite file and its WAL, and
PostgreSQL's heap files (dead tuples included, after a CHECKPOINT) and WAL
segments. Whatever order rows are written in, and however many versions a
WAL or dead tuples keep, the bytes must hold no answer's option, mode or
rating and no count (docs/anonymity.md, mechanism 5).

The ground truth is the test's own: the phones' options and modes. Before
the third edition, ``answers`` and ``tallies`` held mode names and options
in clear, so every check here failed on the bytes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cryptography.exceptions import InvalidTag
from sqlalchemy.engine import make_url

from dilemmas.counters import counter_key
from dilemmas.sealing import unseal
from dilemmas.storage.database import make_engine
from tests.anonymity.conftest import WEDNESDAY
from tests.conftest import SECRET

# What a stored answer or counter would carry in clear: a mode as a value of
# its own (not "alone": PostgreSQL's catalogues say "standalone"; not
# "colleague:A", the name of a released noisy cell, which is public), and
# the counters' own encoding of a cell.
CLEAR = (
    re.compile(rb"colleague(?!:)"),
    re.compile(re.escape(b'["o","all"')),
    re.compile(re.escape(b'"o","organisation"')),
    re.compile(re.escape(b'["d","all"')),
    re.compile(re.escape(b'["f",')),
    re.compile(re.escape(b'["p",')),  # the sums of predictions (issue 24)
)


def _files(world) -> list[Path]:
    """The files a file-level backup of the database holds."""
    if not world.postgres:
        path = Path(make_url(world.database_url).database)
        return [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    engine = make_engine(world.database_url, immediate=False, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")  # heap pages on disk, as a backup would copy them
    engine.dispose()
    [(data,)] = world.sql("SHOW data_directory")
    [(oid,)] = world.sql("SELECT oid FROM pg_database WHERE datname = current_database()")
    files = [p for p in (Path(data) / "base" / str(oid)).iterdir() if p.is_file()]
    files += [p for p in (Path(data) / "pg_wal").iterdir() if p.is_file()]
    return files


def _answering(world, modes: list[str]) -> tuple[list[str], int]:
    world.at(WEDNESDAY)
    tokens = [world.register() for _ in modes]
    dilemma = world.current(tokens[0])
    for i, (token, mode) in enumerate(zip(tokens, modes, strict=True)):
        guess = dict(zip("ABCD", (40, 30, 20, 10)[i % 4 :] + (40, 30, 20, 10)[: i % 4], strict=True))
        world.answer(token, dilemma["id"], "ABCD"[i % 4], mode=mode, difficulty=1 + i % 5, prediction=guess)
    # A change: on PostgreSQL the old version stays as a dead tuple, in both
    # the answer's row and the counters'.
    world.answer(tokens[0], dilemma["id"], "D", mode="colleague", difficulty=5)
    return tokens, dilemma["id"]


def test_the_files_hold_no_option_mode_rating_or_count_in_clear(world):
    """Attacks 3, 4 and 8: write order (SQLite page offsets, PostgreSQL's
    heap order, xmin, dead tuples, the WAL in commit order) tells at most
    that some pseudonym answered something: there is nothing else to read."""
    _answering(world, ["alone", "colleague", "alone", "colleague", "alone", "colleague"])
    files = _files(world)
    assert files
    found = {}
    for path in files:
        data = path.read_bytes()
        for pattern in CLEAR:
            for hit in pattern.finditer(data):
                if b"modes" in data[max(0, hit.start() - 24) : hit.start()]:
                    # A released cell of the public "modes" measure (released_cells:
                    # measure, scope, cell): the WAL is the cluster's, and another
                    # test's database may have released its week.
                    continue
                context = data[max(0, hit.start() - 80) : hit.end() + 40]
                found.setdefault(pattern.pattern, []).append((path.name, context))
                break
    assert found == {}


def test_a_dump_holds_sealed_rows_of_one_length_and_one_sealed_counter_row(world):
    """What a thief reads with SQL: the answers' only content is sealed, of
    one length whatever the answer; the counts are a few rows per edition,
    each rewritten whole with a fresh nonce, so consecutive versions are unrelated."""
    _, dilemma_id = _answering(world, ["alone", "colleague", "alone"])
    rows = world.sql("SELECT respondent_key, sealed FROM answers WHERE dilemma_id = :d", d=dilemma_id)
    assert len(rows) == 3 and len({len(bytes(sealed)) for _, sealed in rows}) == 1
    query = "SELECT shard, sealed FROM answer_counts WHERE dilemma_id = :d"
    before = {shard: bytes(sealed) for shard, sealed in world.sql(query, d=dilemma_id)}
    token = world.register()
    world.answer(token, dilemma_id, "A")
    after = {shard: bytes(sealed) for shard, sealed in world.sql(query, d=dilemma_id)}
    assert len({len(s) for s in [*before.values(), *after.values()]}) == 1
    changed = [shard for shard in after if after[shard] != before.get(shard)]
    assert len(changed) == 1  # one shard took the answer, rewritten whole:
    old, new = before.get(changed[0], b""), after[changed[0]]
    # no common run of bytes beyond chance, one answer later.
    assert not any(new[i : i + 8] in old for i in range(0, len(new) - 8, 8))


def test_the_operator_opens_the_counters_but_no_answer(world):
    """Adversary B: the server secret opens the counts (the residual that
    docs/anonymity.md names, with retention advice for WAL and backups), but
    no answer row: those need the phone's token."""
    _, dilemma_id = _answering(world, ["alone", "colleague"])
    key = counter_key(SECRET.encode())
    shards = world.sql("SELECT shard, sealed FROM answer_counts WHERE dilemma_id = :d", d=dilemma_id)
    counts = [
        json.loads(unseal(key, bytes(sealed), f"answer counts {dilemma_id}:{shard}".encode()))
        for shard, sealed in shards
    ]
    assert any(counts)  # the operator's residual
    opened = 0
    for respondent_key, row in world.sql("SELECT respondent_key, sealed FROM answers"):
        for guess in (key, SECRET.encode()[:32]):
            try:
                unseal(guess, bytes(row), respondent_key.encode())
                opened += 1
            except InvalidTag:
                pass
    assert opened == 0
