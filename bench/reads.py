"""Flat reads: the latency of an employee's results and of the integrity
office's statistics with 1,000 and with 1,000,000 answers in the database.

    python -m bench.reads [--seconds S] [--answers N]

The same stack as bench.burst (throwaway PostgreSQL, ``kompas serve`` with
the production settings). This week's dilemma gets a few real answers over
HTTP, then seeded ones up to 1,000: rows in ``answers`` (sealed-looking
bytes: nothing reads them but their owner) by one PostgreSQL statement per
batch (``INSERT ... SELECT generate_series``), and the matching counts
added to the sealed counters in the same transaction, so the two cannot
disagree. Both endpoints are measured over HTTP with ``wrk``;
then the answers grow to 1,000,000 (VACUUM ANALYZE after) and both are
measured again. The figure is the median latency; the target is a ratio of
at most 1.2 (the cost does not grow with the number of answers).
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench import loadgen
from bench.stack import Stack, call, say
from bench.table import Row, report
from dilemmas import counters
from dilemmas.counters import OPTION, RATING, counter_key, counts_of
from dilemmas.storage.database import make_engine

SMALL, LARGE = 1_000, 1_000_000
LIVE_ANSWERS = 40  # real answers over HTTP: the installations that read their results
BATCH = 250_000

SEED = """
INSERT INTO answers (dilemma_id, respondent_key, sealed)
SELECT CAST(:dilemma AS integer), encode(sha256(convert_to('kompas-bench-' || g, 'UTF8')), 'hex'),
       decode(md5('a' || g) || md5('b' || g) || substr(md5('c' || g), 1, 24), 'hex')
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
"""

ROWS = "SELECT count(*) FROM answers WHERE dilemma_id = :dilemma"


def _seeded_counts(first: int, last: int, root: int, child: int) -> dict[tuple, int]:
    """What answers first..last add to the sealed counters (the same
    options, modes and ratings the rows would hold, were they real)."""
    deltas: dict[tuple, int] = {}
    for g in range(first, last + 1):
        option, mode, rating = "ABCD"[(g * 7 + g // 3) % 4], "colleague" if g % 3 == 0 else "alone", 1 + (g // 2) % 5
        scopes = [("all", 0)] + ([("organisation", child)] if g % 5 == 0 and child != root else [])
        for scope, scope_id in scopes:
            for key in ((OPTION, scope, scope_id, mode, 0, option), (RATING, scope, scope_id, 0, rating)):
                deltas[key] = deltas.get(key, 0) + 1
    return deltas


class Seeder:
    def __init__(self, stack: Stack, dilemma: int) -> None:
        self.engine = make_engine(stack.database_url)
        self.key = counter_key(stack.secret.encode())
        self.dilemma = dilemma
        self.seeded = 0
        with self.engine.connect() as connection:
            orgs = connection.execute(text("SELECT id, parent_id FROM organisations ORDER BY id")).all()
        self.root = next(o for o, parent in orgs if parent is None)
        self.child = next((o for o, parent in orgs if parent == self.root), self.root)

    def total(self) -> int:
        with self.engine.connect() as connection:
            answers = connection.execute(text(ROWS), {"dilemma": self.dilemma}).scalar()
        with Session(self.engine) as session:
            counted = counts_of(session, self.key, [self.dilemma])[self.dilemma]
        tallied = sum(n for (mode, _), n in counted.options("all", 0).items())
        if answers != tallied:
            raise SystemExit(f"the counters disagree with the answers: {answers} answers, {tallied} counted")
        return answers

    def grow_to(self, wanted: int) -> None:
        """Seed answers until the dilemma has ``wanted``."""
        started = time.monotonic()
        missing = wanted - self.total()
        while missing > 0:
            batch = min(BATCH, missing)
            first, last = self.seeded + 1, self.seeded + batch
            with Session(self.engine) as session:
                session.execute(text(SEED), dict(dilemma=self.dilemma, first=first, last=last))
                deltas = _seeded_counts(first, last, self.root, self.child)
                counters.change(session, self.key, self.dilemma, deltas.items())
                session.commit()
            self.seeded += batch
            missing -= batch
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE answers, answer_counts"))
            # Write the seeded pages out now, not while the reads are measured.
            connection.execute(text("CHECKPOINT"))
        say(f"reads: {self.total():,} answers (the counters agree), seeded in {time.monotonic() - started:.1f} s")

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
                    shown = body["scopes"][0]["total"] if mode == "results" else body["spreads"][0]["total"]
                    say(f"reads: {mode} with {size:,} answers shows a total of {shown}")
                    common = dict(
                        connections=args.connections,
                        tokens_file=stack.folder / tokens_file,
                        first=1,
                        count=count,
                        dilemma_id=dilemma,
                    )
                    loadgen.run(stack, "warm-up", mode, 2, **common)  # both phases alike: caches warm
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
