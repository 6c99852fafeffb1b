"""The Monday burst: about 100,000 requests (current dilemma, answer,
results) in 300 seconds, measured against the same server's /healthz.

    python -m bench.burst [--installations N] [--seconds S] [--connections C] [--full]

Starts a throwaway PostgreSQL cluster with PostgreSQL's durable defaults,
runs ``kompas init`` and ``kompas serve`` with the production settings
(KOMPAS_ENV=production, the real clock, rate limits off), pre-registers N
installations, and drives the server with ``wrk`` (C, its own process, one
connection per thread) through bench/load.lua:

1. /healthz, closed loop: the ceiling of the stack on this machine;
2. GET /dilemmas/current, each request with another installation's token;
3. PUT /dilemmas/{id}/answer, every request a first answer of another
   installation, options, modes and difficulty varying;
4. GET /dilemmas/{id}/results by installations that answered in 3;
5. the flow current -> answer -> results, installation after installation;
6. the flow paced open loop at half of its own capacity measured in 5,
   and /healthz at the same rate (its baseline): every request due at a
   fixed moment and its latency counted from then (no coordinated
   omission); target p99 < 100 ms;
7. the 100,000-request burst: projected from 5 (100,000 / its rate), or with
   --full run for real (33,334 installations through the flow).
"""

from __future__ import annotations

import argparse
import os
import time

from bench import loadgen
from bench.costs import LockSampler, LockWaits, WriteCounter, Writes
from bench.stack import Stack, call, say, smoke
from bench.table import Row, report

BURST = 100_000
BURST_WINDOW = 300
# Each run that answers takes installations of its own.
# The flow's variants: (psycopg prepares statements, through pgbouncer).
VARIANTS = {"prepared": (True, False), "nothing prepared": (False, False), "pgbouncer": (False, True)}
VARIANT_TURNS = 2
TURNS = tuple(f"{name} {turn + 1}" for turn in range(VARIANT_TURNS) for name in VARIANTS)
SLICES = ("current", "answer", "flow", "paced", "contended", *TURNS)
CONTENDED_WORKERS = 12
MODEL_BAND = (0.8, 1.2)  # the model's prediction of the flow against the measured flow


def _ratio(value: float, baseline: float) -> float | None:
    return value / baseline if baseline else None


def cost_rows(ceiling, current_run, answer_run, results_run, flow_run, written: Writes, stored) -> list[Row]:
    """CPU per request of each kind, what an answer writes, and the model's
    prediction of the flow from them (docs/capacity.md)."""
    rows = []
    runs = {"/healthz": ceiling, "current": current_run, "answer": answer_run, "results": results_run}
    for part, name in (("gunicorn", "app"), ("postgres", "PostgreSQL")):
        base = ceiling.cpu_ms_per_request(part)
        for kind, run in runs.items():
            value = run.cpu_ms_per_request(part)
            rows.append(
                Row("burst", f"{name} CPU per {kind}", value, "ms", f"/healthz {base:.2f} ms",
                    _ratio(value, base) if kind != "/healthz" else None, "-", None)
            )  # fmt: skip
    answers = answer_run.endpoints["answer"].requests - answer_run.endpoints["answer"].errors
    first = len(answer_run.answered)
    per = written.per(answers)
    say(
        f"burst: {answers:,} answers ({first:,} first answers) wrote per answer: "
        + ", ".join(f"{name} {value:,.2f}" for name, value in per.items())
        + "; by table: inserted "
        + str(written.inserted)
        + ", updated "
        + str(written.updated)
    )
    for name, unit in (("rows inserted", "rows"), ("rows updated", "rows"), ("WAL bytes", "B"),
                       ("table bytes", "B"), ("index bytes", "B")):  # fmt: skip
        rows.append(Row("burst", f"per answer: {name}", per[name], unit, f"{first:,} first of {answers:,}",
                        None, "-", None))  # fmt: skip
    live, heap, index = stored.get("answers", (0, 0, 0))
    if live:
        rows.append(Row("burst", "answers table: bytes per stored answer", (heap + index) / live, "B",
                        f"heap {heap / live:,.0f} B + indexes {index / live:,.0f} B", None, "-", None))  # fmt: skip
    # The model: the flow's rate from the single-kind runs' CPU per request
    # (server, database and load generator share the cores), on the cores
    # other people's work left free during the flow run.
    parts = ("gunicorn", "postgres", "wrk")
    per_request = sum(run.cpu_ms_per_request(p) for run in (current_run, answer_run, results_run) for p in parts) / 3
    free = (os.cpu_count() or 1) - flow_run.cpu["others"]
    predicted = 1000 * free / per_request if per_request else 0.0
    ratio = _ratio(predicted, flow_run.total.rate)
    say(
        f"burst: model: {per_request:.2f} CPU ms per flow request (mean of the kinds), {free:.2f} cores free "
        f"-> {predicted:,.0f}/s predicted, {flow_run.total.rate:,.0f}/s measured"
    )
    rows.append(
        Row("burst", "model: flow rate predicted from CPU per request", predicted, "/s",
            f"measured {flow_run.total.rate:,.0f}/s", ratio, f"{MODEL_BAND[0]:.1f}-{MODEL_BAND[1]:.1f}",
            ratio is not None and MODEL_BAND[0] <= ratio <= MODEL_BAND[1])
    )  # fmt: skip
    return rows


def variant_rows(variants: dict[str, list[loadgen.Run]]) -> list[Row]:
    """The flow with prepared statements, without, and through pgbouncer:
    the mean of the turns."""

    def mean(runs: list[loadgen.Run], figure) -> float:
        return sum(figure(run) for run in runs) / len(runs)

    def rate(run):
        return run.total.rate

    def p99(run):
        return run.total.p99_ms

    prepared, unprepared, pooled = variants["prepared"], variants["nothing prepared"], variants["pgbouncer"]
    turns = f"{len(prepared)} turn{'s' if len(prepared) > 1 else ''}"
    return [
        Row("burst", f"flow, prepared statements ({turns})", mean(prepared, rate), "/s", "-", None, "-", None),
        Row("burst", "flow, nothing prepared (prepare_threshold=none)", mean(unprepared, rate), "/s",
            f"prepared {mean(prepared, rate):,.0f}/s", _ratio(mean(unprepared, rate), mean(prepared, rate)), "-", None),
        Row("burst", "flow via pgbouncer (transaction pooling)", mean(pooled, rate), "/s",
            f"nothing prepared {mean(unprepared, rate):,.0f}/s", _ratio(mean(pooled, rate), mean(unprepared, rate)),
            "-", None),
        Row("burst", "flow via pgbouncer p99", mean(pooled, p99), "ms",
            f"nothing prepared {mean(unprepared, p99):.1f} ms", _ratio(mean(pooled, p99), mean(unprepared, p99)),
            "-", None),
        Row("burst", "pgbouncer CPU per request", mean(pooled, lambda r: r.cpu_ms_per_request("pgbouncer")), "ms",
            f"PostgreSQL {mean(pooled, lambda r: r.cpu_ms_per_request('postgres')):.2f} ms", None, "-", None),
    ]  # fmt: skip


def contention_rows(
    answer_run, waits: LockWaits, contended, contended_waits: LockWaits, workers: int, many: int = CONTENDED_WORKERS
) -> list[Row]:
    """Answers to one dilemma: lock waits with the default workers and with many."""
    return [
        Row("burst", f"answers: samples with a lock wait, {workers} workers", 100 * waits.share_waiting, "%",
            f"{waits.samples} samples, {waits.mean_active:.1f} active", None, "-", None),
        Row("burst", f"answers: samples with a lock wait, {many} workers",
            100 * contended_waits.share_waiting, "%",
            f"{contended_waits.samples} samples, {contended_waits.mean_active:.1f} active", None, "-", None),
        Row("burst", f"PUT answer, {many} workers", contended.total.rate, "/s",
            f"{workers} workers {answer_run.total.rate:,.0f}/s", _ratio(contended.total.rate, answer_run.total.rate),
            "-", None),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--installations", type=int, default=88_000, help="pre-registered installations")
    parser.add_argument("--seconds", type=float, default=15, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (= threads)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: kompas serve's)")
    parser.add_argument("--full", action="store_true", help="run the full 100,000-request burst (minutes)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    seconds, connections = args.seconds, args.connections
    needed = args.installations + (BURST // 3 + 1 if args.full else 0)

    with Stack(workers=args.workers) as stack:
        say(f"burst: PostgreSQL (durable) on port {stack.cluster.port}, kompas serve on {stack.base}")
        tokens = stack.preregister(needed)
        tokens_file = stack.folder / "tokens.txt"
        tokens_file.write_text("\n".join(tokens) + "\n")
        status, _, current = call(stack.base, "GET", "/api/v1/dilemmas/current", token=tokens[0])
        if status != 200:
            raise SystemExit(f"GET /dilemmas/current answered {status}: {current}")
        dilemma = current["id"]
        say(f"burst: {len(tokens):,} installations; this week ({current['week']}) has dilemma {dilemma}")
        # Slices of the tokens: each run that answers gets installations of its own.
        share = args.installations // len(SLICES)
        slices = {name: (i * share + 1, share) for i, name in enumerate(SLICES)}
        common = dict(tokens_file=tokens_file, dilemma_id=dilemma, connections=connections)

        def measured(label: str, mode: str, first: int = 1, count: int = 0, **extra) -> loadgen.Run:
            result = loadgen.run(stack, label, mode, seconds, first=first, count=count, **{**common, **extra})
            say(result.line())
            return result

        def answers_watched(label: str, part: str) -> tuple[loadgen.Run, Writes, LockWaits]:
            """An answer run, with what PostgreSQL wrote and who waited for a lock."""
            writes = WriteCounter(stack.database_url)
            try:
                before = writes.snapshot()
                with LockSampler(stack.database_url) as sampler:
                    run = measured(label, "answer", *slices[part], exclude_pids=(sampler.pid,))
                # A smoke run does not wait for the statistics to settle.
                written = WriteCounter.between(before, writes.snapshot(settle=None if smoke() else before))
            finally:
                writes.close()
            say("  " + sampler.waits.line())
            return run, written, sampler.waits

        def warm_up() -> None:
            """Every worker of a (re)started server through its first requests."""
            first, count = slices["current"]
            say(loadgen.run(stack, "warm-up", "current", min(3, seconds), first=first, count=count, **common).line())

        warm_up()
        ceiling = measured("/healthz", "healthz")
        current_run = measured("current", "current", *slices["current"])
        answer_run, written, waits = answers_watched("answer", "answer")
        # The results run reads as installations whose answer was accepted.
        answered = list(answer_run.answered)
        # Every connection needs an answerer of its own; a starved machine
        # (a smoke run beside other work) may have accepted fewer.
        spare = iter(tokens[slices["answer"][0] - 1 + slices["answer"][1] - connections :])
        while len(answered) < connections:
            token = next(spare)
            if token not in answered:
                status, _, body = call(stack.base, "PUT", f"/api/v1/dilemmas/{dilemma}/answer", {"option": "A"}, token)
                if status != 200:
                    raise SystemExit(f"PUT answer answered {status}: {body}")
                answered.append(token)
        answered_file = stack.folder / "answered.txt"
        answered_file.write_text("\n".join(answered) + "\n")
        results_run = measured("results", "results", 1, len(answered), tokens_file=answered_file)
        flow_run = measured("flow", "flow", *slices["flow"])
        # Latency at half of the flow's own capacity, measured in this run:
        # paced open loop, each request due at a fixed moment and its
        # latency counted from then (wrk2's way), so a queue cannot hide.
        half = flow_run.total.rate / 2
        paced_ceiling = measured("/healthz paced", "healthz", rate=half)
        paced = measured("flow paced", "flow", *slices["paced"], rate=half)
        # The same flow with psycopg's prepared statements (its default),
        # without them, and through pgbouncer in transaction mode (which
        # needs them off), in turns, so that the other work on this shared
        # machine weighs on each alike.
        variants: dict[str, list[loadgen.Run]] = {name: [] for name in VARIANTS}
        for turn in range(1 if smoke() else VARIANT_TURNS):
            for name, (prepare, pgbouncer) in VARIANTS.items():
                if smoke() and name == "prepared":
                    # The server runs with prepared statements already; a
                    # smoke run saves the restart (and judges no figure).
                    variants[name].append(measured(f"flow, {name}", "flow", *slices[f"{name} {turn + 1}"]))
                    continue
                say(f"burst: restarting the server: {name} (turn {turn + 1})")
                stack.serve(prepare=prepare, pgbouncer=pgbouncer)
                if not smoke():
                    warm_up()
                variants[name].append(measured(f"flow, {name}", "flow", *slices[f"{name} {turn + 1}"]))
        # Counter contention: answers to the one dilemma from many more
        # concurrent transactions than the default workers make.
        # A smoke run takes the same path with fewer workers: starting twelve
        # is most of its time on two busy cores.
        stack.workers = contended_workers = 4 if smoke() else CONTENDED_WORKERS
        say(f"burst: restarting the server with {contended_workers} workers (answers to one dilemma at once)")
        stack.serve()
        if not smoke():
            warm_up()
        contended, _, contended_waits = answers_watched(f"answer, {contended_workers} workers", "contended")
        sizes = WriteCounter(stack.database_url)
        try:
            stored = sizes.sizes()
        finally:
            sizes.close()
        full = None
        if args.full:
            full = loadgen.run(
                stack,
                "full burst",
                "flow",
                3600,
                first=args.installations + 1,
                count=BURST // 3 + 1,
                once=True,
                **common,
            )
            say(full.line())

    top = ceiling.total.rate
    ceiling_text = f"/healthz {top:,.0f}/s"
    rows = [
        Row("burst", "/healthz (ceiling)", top, "/s", "-", None, "-", None),
        Row(
            "burst",
            "GET current",
            current_run.total.rate,
            "/s",
            ceiling_text,
            _ratio(current_run.total.rate, top),
            ">= 0.70",
            _ratio(current_run.total.rate, top) >= 0.70,
        ),
        Row(
            "burst",
            "PUT answer",
            answer_run.total.rate,
            "/s",
            ceiling_text,
            _ratio(answer_run.total.rate, top),
            ">= 0.35",
            _ratio(answer_run.total.rate, top) >= 0.35,
        ),
        Row(
            "burst",
            "GET results",
            results_run.total.rate,
            "/s",
            ceiling_text,
            _ratio(results_run.total.rate, top),
            "-",
            None,
        ),
        Row(
            "burst",
            "flow (3 requests)",
            flow_run.total.rate,
            "/s",
            ceiling_text,
            _ratio(flow_run.total.rate, top),
            "-",
            None,
        ),
    ]
    for name, run in (("current", current_run), ("answer", answer_run), ("results", results_run)):
        figures = run.endpoints[name]
        rows.append(
            Row(
                "burst",
                f"{name} p99 (closed loop)",
                figures.p99_ms,
                "ms",
                f"/healthz p99 {ceiling.total.p99_ms:.1f} ms",
                _ratio(figures.p99_ms, ceiling.total.p99_ms),
                "-",
                None,
            )
        )
    rows.append(
        Row(
            "burst",
            f"flow p99 at {half:,.0f}/s (half its capacity)",
            paced.total.p99_ms,
            "ms",
            f"/healthz p99 {paced_ceiling.total.p99_ms:.1f} ms",
            _ratio(paced.total.p99_ms, paced_ceiling.total.p99_ms),
            "< 100 ms",
            paced.total.p99_ms < 100,
        )
    )
    rows.append(
        Row(
            "burst",
            f"flow rate achieved at {half:,.0f}/s",
            paced.total.rate,
            "/s",
            f"asked {half:,.0f}/s",
            _ratio(paced.total.rate, half),
            "-",
            None,
        )
    )
    rows += cost_rows(ceiling, current_run, answer_run, results_run, flow_run, written, stored)
    rows += variant_rows(variants)
    workers = args.workers or (os.cpu_count() or 1) + 1
    rows += contention_rows(answer_run, waits, contended, contended_waits, workers, contended_workers)
    runs = [
        ceiling,
        current_run,
        answer_run,
        results_run,
        flow_run,
        paced_ceiling,
        paced,
        contended,
        *(run for runs in variants.values() for run in runs),
    ]
    runs += [full] if full else []
    errors = sum(r.total.errors for r in runs[1:] if r is not paced_ceiling)
    rows.append(
        Row("burst", "errors (all runs)", errors, "errors", f"/healthz {ceiling.total.errors}", None, "0", errors == 0)
    )
    if full is not None:
        took, how = full.seconds, f"ran {full.total.requests:,}"
    else:
        took, how = BURST / flow_run.total.rate, f"projected from the flow's {flow_run.total.rate:,.0f}/s"
    rows.append(
        Row(
            "burst",
            f"100,000 requests ({how})",
            took,
            "s",
            f"/healthz {BURST / top:,.0f} s",
            _ratio(took, BURST / top),
            f"<= {BURST_WINDOW} s",
            took <= BURST_WINDOW,
        )
    )
    generator = max(r.cpu["wrk"] for r in runs)
    spent = time.monotonic() - started
    say(f"burst: wrk used at most {generator:.2f} of a core in any run; the whole bench took {spent:.0f} s")
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
