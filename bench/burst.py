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
import time

from bench import loadgen
from bench.stack import Stack, call, say
from bench.table import Row, report

BURST = 100_000
BURST_WINDOW = 300


def _ratio(value: float, baseline: float) -> float | None:
    return value / baseline if baseline else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--installations", type=int, default=40_000, help="pre-registered installations")
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
        quarter = args.installations // 4
        answer_slice, flow_slice, paced_slice = (1, quarter), (quarter + 1, quarter), (2 * quarter + 1, quarter)
        common = dict(tokens_file=tokens_file, dilemma_id=dilemma, connections=connections)

        def measured(label: str, mode: str, first: int = 1, count: int = 0, **extra) -> loadgen.Run:
            result = loadgen.run(stack, label, mode, seconds, first=first, count=count, **{**common, **extra})
            say(result.line())
            return result

        measured("warm-up", "current", 3 * quarter + 1, quarter)
        ceiling = measured("/healthz", "healthz")
        current_run = measured("current", "current", 3 * quarter + 1, quarter)
        answer_run = measured("answer", "answer", *answer_slice)
        # The results run reads as installations whose answer was accepted.
        answered_file = stack.folder / "answered.txt"
        answered_file.write_text("\n".join(answer_run.answered) + "\n")
        results_run = measured("results", "results", 1, len(answer_run.answered), tokens_file=answered_file)
        flow_run = measured("flow", "flow", *flow_slice)
        # Latency at half of the flow's own capacity, measured in this run:
        # paced open loop, each request due at a fixed moment and its
        # latency counted from then (wrk2's way), so a queue cannot hide.
        half = flow_run.total.rate / 2
        paced_ceiling = measured("/healthz paced", "healthz", rate=half)
        paced = measured("flow paced", "flow", *paced_slice, rate=half)
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
    runs = [ceiling, current_run, answer_run, results_run, flow_run, paced_ceiling, paced] + ([full] if full else [])
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
