"""bench.answerpath: what an answer, its sealing, its counters and a read's
DP figures cost, in-process on PostgreSQL.

    .venv/bin/python -m bench.answerpath [--answers 2000] [--reads 500] [--profile]

The app is built in this process (``create_app``, production settings) on a
throwaway PostgreSQL cluster with the bundled content, and driven with
Flask's test client, one request after another, so that the CPU time of
this process (``time.process_time``) is the request's whole Python cost
(Flask, the domain, SQLAlchemy, psycopg) and nothing else's. Every
request is a real one: first answers of pre-registered installations to
this week's dilemma, then reads of the results.

Sealing's cost is measured the way issue 23 asks, "the answer path before
and after, in one run", in-process: the functions that sealing and the
sealed counters added to the answer path (``answers._seal``: the answer
row's AES-GCM; ``counters.change``: read, open, change, seal and write one
shard of the sealed vector, its three statements included) are timed
inside the real requests; the answer path without them (the same request
less those functions' time) is the "before" and the measured request the
"after". The counters before sealing were plain upserts (one per scope);
their statement is timed in the same run on a table of that shape, so the
row "plain counters" stands for what ``counters.change`` replaced.

A read's figures: ``scoring.results.results_for``'s DP part (the releases
of ``scoring.releases``) is timed per read, warm, against the target of
5 ms (issue 28, point 5).

``--profile`` prints the top frames of the answer requests (cProfile,
cumulative) for bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import functools
import io
import os
import pstats
import subprocess
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bench.stack import KOMPAS, TEMPLATE, Stack, say, smoke
from bench.table import Row, report
from tests.pgcluster import ThrowawayCluster


class Timers:
    """CPU and wall time spent inside chosen functions, while they run."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list = []

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - cpu
                self.wall[label] += time.perf_counter() - wall
                self.calls[label] += 1

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def clear(self) -> None:
        self.cpu.clear()
        self.wall.clear()
        self.calls.clear()

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


@contextlib.contextmanager
def database():
    """A running cluster with ``kompas init`` done, and its Stack (for the
    secret and the pre-registration); the server is never started."""
    stack = Stack(durable=not smoke())
    template = os.environ.get(TEMPLATE)
    stack.cluster = ThrowawayCluster(durable=stack.durable).start(copy_of=Path(template) if template else None)
    try:
        if not template:
            subprocess.run([KOMPAS, "init"], env=stack.env(), cwd=stack.folder, check=True, capture_output=True)
        yield stack
    finally:
        stack.stop()


# What turns the stored releases into a read's figures (scoring.results looks
# them up at call time, so timing them there times every read).
FIGURES = ("close_release", "live_figure", "spreads")


def set_now(app, moment) -> None:
    """Move the in-process app's clock (None: the real one)."""
    app.extensions["kompas.settings"] = dataclasses.replace(app.extensions["kompas.settings"], frozen_now=moment)


def _placement(app, dilemma_id: int):
    from dilemmas.reads.placements import visible_placement

    with app.app_context():
        from api.platform.db import db_session

        root = db_session().execute(text("SELECT min(id) FROM organisations WHERE parent_id IS NULL")).scalar()
        return visible_placement(db_session(), root, dilemma_id, datetime.now(UTC))


def week_day(app, dilemma_id: int, day: int) -> datetime:
    """An hour after local day ``day`` (1: Monday) of the dilemma's week ended."""
    return _placement(app, dilemma_id).day_ends_at(day) + timedelta(hours=1)


def after_close(app, dilemma_id: int) -> datetime:
    return _placement(app, dilemma_id).closes_at + timedelta(hours=1)


def cpu_per_call(action, count: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per call of ``action(i)`` over ``count`` calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        action(i)
    return (time.process_time() - cpu) * 1000 / count, (time.perf_counter() - wall) * 1000 / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answerpath", description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=2000, help="first answers measured")
    parser.add_argument("--reads", type=int, default=500, help="reads of each kind measured")
    parser.add_argument("--profile", action="store_true", help="print the answer requests' top frames")
    args = parser.parse_args(argv)

    from api.app import create_app
    from dilemmas import counters
    from dilemmas.employee import answers
    from scoring import results as results_module

    rows: list[Row] = []
    with database() as stack:
        warm = 50
        profiled = 300 if args.profile else 0
        tokens = stack.preregister(args.answers + warm + profiled)
        app = create_app(
            {
                "DATABASE_URL": stack.database_url,
                "KOMPAS_ENV": "production",
                "KOMPAS_SECRET_KEY": stack.secret,
                "RATELIMIT_ENABLED": "false",
            }
        )
        client = app.test_client()

        def get(path: str, token: str | None = None, status: int = 200):
            response = client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})
            if response.status_code != status:
                raise SystemExit(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            return response

        current = get("/api/v1/dilemmas/current", tokens[0]).get_json()
        dilemma = current["id"]
        answer_path = f"/api/v1/dilemmas/{dilemma}/answer"
        options, modes = "ABCD", ("alone", "colleague")

        def answer(token: str, i: int) -> None:
            body = {"option": options[i % 4], "mode": modes[i % 3 == 0], "difficulty": 1 + i % 5}
            response = client.put(answer_path, json=body, headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 200:
                raise SystemExit(f"PUT answer: {response.status_code} {response.get_data(as_text=True)[:300]}")

        # Warm: every memo filled, every statement prepared.
        for i, token in enumerate(tokens[:warm]):
            answer(token, i)
            get(f"/api/v1/dilemmas/{dilemma}/results", token)
            get("/api/v1/dilemmas/current", token)
            get("/healthz")
        measured = tokens[warm : warm + args.answers]
        reads = min(args.reads, len(measured))

        timers = Timers()
        timers.wrap(answers, "_seal", "seal")
        timers.wrap(counters, "change", "counters")
        for name in FIGURES:
            timers.wrap(results_module, name, "figures")
        try:
            healthz = cpu_per_call(lambda i: get("/healthz"), reads)
            current_cost = cpu_per_call(lambda i: get("/api/v1/dilemmas/current", measured[i]), reads)
            timers.clear()
            answer_cost = cpu_per_call(lambda i: answer(measured[i], i), len(measured))
            seal_cpu = timers.cpu["seal"] * 1000 / len(measured)
            counters_cpu = timers.cpu["counters"] * 1000 / len(measured)
            counters_wall = timers.wall["counters"] * 1000 / len(measured)
            results_cost = cpu_per_call(lambda i: get(f"/api/v1/dilemmas/{dilemma}/results", measured[i]), reads)
            # A read's figures where there are some: the live figure on the
            # week's fourth day (three days of the binary tree's releases),
            # then the release after the close. The first read of each
            # computes and stores its releases (cold); the rest read them.
            figures = {}
            for label, moment in (("live", week_day(app, dilemma, 3)), ("closed", after_close(app, dilemma))):
                set_now(app, moment)
                timers.clear()
                get(f"/api/v1/dilemmas/{dilemma}/results", measured[0])
                cold = timers.wall["figures"] * 1000
                timers.clear()
                cpu_per_call(lambda i: get(f"/api/v1/dilemmas/{dilemma}/results", measured[i]), reads)
                figures[label] = (timers.wall["figures"] * 1000 / reads, timers.cpu["figures"] * 1000 / reads, cold)
            set_now(app, None)
        finally:
            timers.restore()

        profiler = None
        if args.profile:
            # Apart from the measured answers: the profiler's own cost would weigh on them.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for i, token in enumerate(tokens[warm + len(measured) :]):
                answer(token, i)
            profiler.disable()
        plain = plain_counter_cost(app, len(measured))
        app.extensions["kompas.engine"].dispose()

    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        say(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        say(out.getvalue())

    answer_cpu, answer_wall = answer_cost
    before = answer_cpu - seal_cpu - counters_cpu + plain[0]
    say(
        f"answerpath: CPU per request /healthz {healthz[0]:.2f} ms, current {current_cost[0]:.2f}, "
        f"answer {answer_cpu:.2f} (wall {answer_wall:.2f}), results {results_cost[0]:.2f}; in the answer: "
        f"sealing {seal_cpu:.3f} ms, counters {counters_cpu:.2f} ms CPU ({counters_wall:.2f} wall), "
        f"plain counter upserts {plain[0]:.2f} ms CPU ({plain[1]:.2f} wall); a read's figures: "
        + ", ".join(f"{k} {w:.2f} ms wall ({c:.2f} CPU; first read {f:.1f} ms)" for k, (w, c, f) in figures.items())
    )
    hz = healthz[0]
    rows += [
        Row("answerpath", "app CPU per /healthz (in-process)", hz, "ms", f"{reads} requests", None, "-", None),
        Row("answerpath", "app CPU per current (in-process)", current_cost[0], "ms", f"/healthz {hz:.2f} ms",
            current_cost[0] / hz, "-", None),
        Row("answerpath", "app CPU per answer, sealed (in-process)", answer_cpu, "ms",
            f"before sealing {before:.2f} ms", answer_cpu / before, "-", None),
        Row("answerpath", "  of which sealing the answer row", seal_cpu, "ms", f"answer {answer_cpu:.2f} ms",
            seal_cpu / answer_cpu, "-", None),
        Row("answerpath", "  of which the sealed counters (2 statements)", counters_cpu, "ms",
            f"plain upserts {plain[0]:.2f} ms", counters_cpu / plain[0] if plain[0] else None, "-", None),
        Row("answerpath", "  wall time of the sealed counters", counters_wall, "ms",
            f"plain upserts {plain[1]:.2f} ms", counters_wall / plain[1] if plain[1] else None, "-", None),
        Row("answerpath", "app CPU per results (in-process)", results_cost[0], "ms", f"/healthz {hz:.2f} ms",
            results_cost[0] / hz, "-", None),
    ]  # fmt: skip
    for label, (wall, cpu, cold) in figures.items():
        rows.append(Row("answerpath", f"a read's figures (DP releases), {label} week, warm", wall, "ms",
                        f"CPU {cpu:.2f} ms; first read {cold:.1f} ms", None, "<= 5 ms", wall <= 5))  # fmt: skip
    report(rows)
    return 0


def plain_counter_cost(app, count: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per answer of the counters before sealing: for each
    of an answer's scopes (everyone and, for one in five, the organisation)
    an ``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1`` on a plain
    counter row and one on a difficulty row, in the answer's transaction,
    committed: the statements the sealed vector replaced, on a scratch table
    of their shape (dropped afterwards)."""
    engine = app.extensions["kompas.engine"]
    upsert = text(
        "INSERT INTO bench_plain_tallies (dilemma_id, scope, scope_id, mode, option, shard, count) "
        "VALUES (:d, :scope, :sid, :mode, :option, :shard, 1) ON CONFLICT (dilemma_id, scope, scope_id, mode, "
        "option, shard) DO UPDATE SET count = bench_plain_tallies.count + 1"
    )
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE bench_plain_tallies (dilemma_id int, scope text, scope_id int, mode text, "
                "option text, shard int, count int, PRIMARY KEY (dilemma_id, scope, scope_id, mode, option, shard))"
            )
        )
    try:
        with engine.connect() as connection:

            def one(i: int) -> None:
                scopes = [("all", 0)] + ([("organisation", 2)] if i % 5 == 4 else [])
                with connection.begin():
                    for scope, sid in scopes:
                        for kind in ("o", "d"):
                            connection.execute(
                                upsert,
                                dict(d=1, scope=scope, sid=sid, mode=kind, option="ABCD"[i % 4], shard=i % 4),
                            )

            for i in range(20):
                one(i)
            return cpu_per_call(one, count)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE bench_plain_tallies"))


if __name__ == "__main__":
    raise SystemExit(main())
