"""Flat reads: the latency of an employee's results and of the integrity
office's statistics with 1,000 and with 1,000,000 answers in the database.

    python -m bench.reads [--seconds S] [--answers N]

The same stack as bench.burst (throwaway PostgreSQL, ``kompas serve`` with
the production settings). This week's dilemma gets a few real answers over
HTTP, then seeded ones up to 1,000: rows in ``answers`` AND the matching
sums in ``tallies`` and ``difficulty_tallies`` (the counters readers use),
written by one PostgreSQL statement each batch (``INSERT ... SELECT
generate_series``, its RETURNING rows counted into the tallies), so the
two cannot disagree. Both endpoints are measured over HTTP with ``wrk``;
then the answers grow to 1,000,000 (VACUUM ANALYZE after) and both are
measured again. The figure is the median latency; the target is a ratio of
at most 1.2 (the cost does not grow with the number of answers).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from sqlalchemy import select, text, update

from bench import loadgen
from bench.stack import Stack, call, say
from bench.table import Row, report
from dilemmas.employee.answers import tally_scopes
from dilemmas.model.answers import TALLY_SHARDS, Answer, DifficultyTally, Tally
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.storage.database import make_engine, make_sessionmaker
from dilemmas.weeks import Week

SMALL, LARGE = 1_000, 1_000_000
LIVE_ANSWERS = 40  # real answers over HTTP: the installations that read their results
BATCH = 250_000

# How each column of a seeded answer is made from ``g``, its number. The
# statement is built from the tables' metadata (the models), so a column the
# domain adds later fails here by name, not as a mismatched ON CONFLICT.
ANSWER_VALUES = {
    "dilemma_id": "CAST(:dilemma AS integer)",
    "respondent_key": "encode(sha256(convert_to('kompas-bench-' || g, 'UTF8')), 'hex')",
    "revision_id": "CAST(:revision AS integer)",
    "organisation_id": "CASE WHEN g % 5 = 0 THEN CAST(:child AS integer) ELSE CAST(:root AS integer) END",
    "option": "(ARRAY['A', 'B', 'C', 'D'])[1 + (g * 7 + g / 3) % 4]",
    "mode": "CASE WHEN g % 3 = 0 THEN 'colleague' ELSE 'alone' END",
    "difficulty": "1 + (g / 2) % 5",
    "answered_on": "CAST(:monday AS date)",
    "late": "false",
}
# A counter's key column that counts an answer column of another name.
COUNTED_AS = {"value": "difficulty"}
# The counters an answer feeds (employee.answers.submit), each with the
# column it adds to.
COUNTERS = ((Tally, "count"), (DifficultyTally, "count"))


def _required(table) -> set[str]:
    return {c.name for c in table.columns if not c.nullable and c.default is None and c.server_default is None}


def seed_statement(scopes: dict[int, list[tuple[str, int]]]) -> str:
    """One statement that inserts the answers numbered :first to :last and
    adds them to every counter, for each organisation to the scopes the
    domain gives it (``employee.answers.tally_scopes``)."""
    answers = Answer.__table__
    names = [c.name for c in answers.columns]
    missing = _required(answers) - set(ANSWER_VALUES)
    unknown = set(ANSWER_VALUES) - set(names)
    if missing or unknown:
        raise SystemExit(f"cannot seed answers: no value for {sorted(missing)}; no column {sorted(unknown)}")
    chosen = [n for n in names if n in ANSWER_VALUES]
    scope_rows = ", ".join(
        f"({organisation}, '{scope}', {scope_id})"
        for organisation, pairs in scopes.items()
        for scope, scope_id in pairs
    )
    # Spread over the shards as random.randrange does in submit().
    shard = f"get_byte(decode(seeded.respondent_key, 'hex'), 0) % {TALLY_SHARDS}"
    parts = [
        f"seeded AS (INSERT INTO {answers.name} ({', '.join(chosen)}) "
        f"SELECT {', '.join(ANSWER_VALUES[n] for n in chosen)} "
        "FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g "
        f"RETURNING {', '.join(chosen)})",
        f"scopes (organisation_id, scope, scope_id) AS (VALUES {scope_rows})",
    ]
    for number, (model, column) in enumerate(COUNTERS):
        table = model.__table__
        keys = [c.name for c in table.primary_key.columns]
        extra = _required(table) - set(keys) - {column}
        if extra:
            raise SystemExit(f"bench.reads cannot seed {table.name}: no value for {sorted(extra)}")
        made, counted = [], []
        for key in keys:
            if key in ("scope", "scope_id"):
                made.append(f"scopes.{key}")
            elif key == "shard":
                made.append(shard)
            else:
                source = COUNTED_AS.get(key, key)
                if source not in chosen:
                    raise SystemExit(f"bench.reads cannot seed {table.name}.{key}: answers have no {source}")
                made.append(f"seeded.{source}")
                counted.append(source)
        nullable = [n for n in counted if answers.c[n].nullable]
        where = " AND ".join(f"seeded.{n} IS NOT NULL" for n in nullable) or "true"
        parts.append(
            f"counted_{number} AS (INSERT INTO {table.name} ({', '.join(keys)}, {column}) "
            f"SELECT {', '.join(made)}, count(*) FROM seeded JOIN scopes USING (organisation_id) "
            f"WHERE {where} GROUP BY {', '.join(made)} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {column} = {table.name}.{column} + excluded.{column})"
        )
    return "WITH " + ",\n".join(parts) + "\nSELECT count(*) FROM seeded"


CHECK = """
SELECT (SELECT count(*) FROM answers WHERE dilemma_id = :dilemma),
       (SELECT coalesce(sum(count), 0) FROM tallies WHERE dilemma_id = :dilemma AND scope = 'all'),
       (SELECT coalesce(sum(count), 0) FROM difficulty_tallies WHERE dilemma_id = :dilemma AND scope = 'all'),
       (SELECT count(*) FROM answers WHERE dilemma_id = :dilemma AND difficulty IS NOT NULL)
"""


class Seeder:
    def __init__(self, stack: Stack, dilemma: int) -> None:
        self.engine = make_engine(stack.database_url)
        self.dilemma = dilemma
        self.seeded = 0
        with self.engine.connect() as connection:
            self.revision = connection.scalar(
                text("SELECT max(id) FROM revisions WHERE dilemma_id = :d"), {"d": dilemma}
            )
            orgs = connection.execute(text("SELECT id, parent_id FROM organisations ORDER BY id")).all()
        self.root = next(o for o, parent in orgs if parent is None)
        self.child = next((o for o, parent in orgs if parent == self.root), self.root)
        with make_sessionmaker(self.engine)() as session:
            scopes = {o: tally_scopes(session, o) for o in {self.root, self.child}}
        self.statement = text(seed_statement(scopes))
        self.monday = self.close_week()

    def close_week(self) -> date:
        """Move the dilemma to last week, so that its week is closed: only a
        closed week's results and statistics read the counters (while it is
        open they show no figures at all), and those reads are what this
        bench measures. The schedule's trigger moves the content generation,
        so the running server sees the move at its next request. Returns the
        Monday the answers then belong to."""
        with self.engine.begin() as connection:
            week = Week.parse(
                connection.scalar(select(ScheduledWeek.week).where(ScheduledWeek.dilemma_id == self.dilemma))
            ).previous()
            connection.execute(
                update(ScheduledWeek).where(ScheduledWeek.dilemma_id == self.dilemma).values(week=str(week))
            )
            connection.execute(update(Answer).where(Answer.dilemma_id == self.dilemma).values(answered_on=week.monday))
        return week.monday

    def total(self) -> int:
        with self.engine.connect() as connection:
            answers, tallied, rated, with_difficulty = connection.execute(text(CHECK), {"dilemma": self.dilemma}).one()
        if (answers, rated) != (tallied, with_difficulty):
            raise SystemExit(f"tallies disagree with answers: {answers} answers, {tallied} counted")
        return answers

    def grow_to(self, wanted: int) -> None:
        """Seed answers until the dilemma has ``wanted``."""
        started = time.monotonic()
        missing = wanted - self.total()
        while missing > 0:
            batch = min(BATCH, missing)
            values = dict(
                dilemma=self.dilemma,
                revision=self.revision,
                root=self.root,
                child=self.child,
                first=self.seeded + 1,
                last=self.seeded + batch,
                monday=self.monday,
            )
            with self.engine.begin() as connection:
                connection.execute(self.statement, values)
            self.seeded += batch
            missing -= batch
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE answers, tallies, difficulty_tallies"))
            # Write the seeded pages out now, not while the reads are measured.
            connection.execute(text("CHECKPOINT"))
        say(f"reads: {self.total():,} answers (tallies agree), seeded in {time.monotonic() - started:.1f} s")

    def close(self) -> None:
        self.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reads", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each wrk run")
    parser.add_argument("--answers", type=int, default=LARGE, help="the large number of answers")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (= threads)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    figures: dict[tuple[str, int], loadgen.Figures] = {}
    with Stack() as stack:
        tokens = stack.preregister(LIVE_ANSWERS)
        status, _, current = call(stack.base, "GET", "/api/v1/dilemmas/current", token=tokens[0])
        if status != 200:
            raise SystemExit(f"GET /dilemmas/current answered {status}: {current}")
        dilemma = current["id"]
        for i, token in enumerate(tokens):
            status, _, body = call(
                stack.base, "PUT", f"/api/v1/dilemmas/{dilemma}/answer", {"option": "ABCD"[i % 4]}, token
            )
            if status != 200:
                raise SystemExit(f"PUT answer answered {status}: {body}")
        analyst = stack.kompas("admin", "create-token", "--name", "Bench", "--role", "analyst", "--org", "rijk")
        analyst = analyst.strip().splitlines()[-1]
        (stack.folder / "phones.txt").write_text("\n".join(tokens) + "\n")
        # One line per wrk thread: every thread takes its own share of a file.
        (stack.folder / "analyst.txt").write_text((analyst + "\n") * args.connections)
        seeder = Seeder(stack, dilemma)
        try:
            for size in (SMALL, args.answers):
                seeder.grow_to(size)
                for mode, tokens_file, count in (
                    ("results", "phones.txt", LIVE_ANSWERS),
                    ("stats", "analyst.txt", args.connections),
                ):
                    status, _, body = call(
                        stack.base,
                        "GET",
                        f"/api/v1/dilemmas/{dilemma}/results"
                        if mode == "results"
                        else f"/api/v1/admin/stats/dilemmas/{dilemma}",
                        token=tokens[0] if mode == "results" else analyst,
                    )
                    if status != 200:
                        raise SystemExit(f"{mode} answered {status}: {body}")
                    shown = body["scopes"][0]["total"] if mode == "results" else body["spreads"][0]["total"]
                    if shown != size:
                        raise SystemExit(f"{mode} with {size:,} answers shows a total of {shown}")
                    say(f"reads: {mode} with {size:,} answers shows a total of {shown}")
                    common = dict(
                        connections=args.connections,
                        tokens_file=stack.folder / tokens_file,
                        first=1,
                        count=count,
                        dilemma_id=dilemma,
                    )
                    loadgen.run(
                        stack, "warm-up", mode, min(2, args.seconds), **common
                    )  # both phases alike: caches warm
                    run = loadgen.run(stack, f"{mode} ({size:,} answers)", mode, args.seconds, **common)
                    say(run.line())
                    figures[(mode, size)] = run.endpoints[mode]
        finally:
            seeder.close()
    rows = []
    for mode, name in (("results", "GET results"), ("stats", "GET admin stats")):
        small, large = figures[(mode, SMALL)], figures[(mode, args.answers)]
        for which in ("p50", "p99"):
            value, base = getattr(large, f"{which}_ms"), getattr(small, f"{which}_ms")
            ratio = value / base if base else None
            rows.append(
                Row(
                    "reads",
                    f"{name} {which}, {args.answers:,} answers",
                    value,
                    "ms",
                    f"{SMALL:,} answers {base:.1f} ms",
                    ratio,
                    "<= 1.2" if which == "p50" else "-",
                    (ratio is not None and ratio <= 1.2) if which == "p50" else None,
                )
            )
    errors = sum(f.errors for f in figures.values())
    rows.append(Row("reads", "errors (all runs)", errors, "errors", "-", None, "0", errors == 0))
    say(f"reads: took {time.monotonic() - started:.0f} s")
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
