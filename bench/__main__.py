"""``python -m bench`` (``make bench``): every benchmark, one table.

Runs bench.burst, bench.reads, bench.fanout, bench.meeting and bench.answerpath, each in its
own process, and prints the rows they report as one table: figure,
baseline, ratio, target, met. A benchmark that fails is reported as such;
the others still run.

``python -m bench --smoke`` (``make bench-smoke``, part of ``make test``):
every benchmark for a second or two at tiny sizes, so that a change that
breaks a benchmark fails CI. It exits non-zero when a benchmark crashes or
any run saw an error (a status other than the expected, a lost message); it
never judges a time.

After the table: the capacity model (``bench.capacity``, docs/capacity.md)
computed from this run's figures; a full run saves its rows to
``.bench/last-run.jsonl``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import capacity
from bench.stack import SMOKE, TEMPLATE, initialised_cluster
from bench.table import read, render

HERE = Path(__file__).resolve().parent
BENCHES = ("burst", "reads", "fanout", "meeting", "answerpath")
# Tiny sizes: each bench's every code path, in seconds rather than minutes.
SMOKE_ARGS = {
    "burst": ["--seconds", "1", "--installations", "400", "--connections", "2"],
    "reads": ["--seconds", "1", "--answers", "1200", "--connections", "1"],
    "fanout": ["--tokens", "60"],
    "meeting": ["--rooms", "2", "--phones", "3", "--seconds", "2", "--every", "1", "--screen-every", "1"],
    "answerpath": ["--answers", "30", "--reads", "10"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="every bench briefly at tiny sizes; fail on any error")
    smoke = parser.parse_args(argv).smoke
    started = time.monotonic()
    failed = []
    rows = []
    with contextlib.ExitStack() as cleanup:
        folder = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="kompas-bench-rows-"))
        env = {**os.environ, SMOKE: "1" if smoke else ""}
        if smoke:
            # One `kompas init` for all: each bench starts a copy of it.
            env[TEMPLATE] = str(cleanup.enter_context(initialised_cluster(durable=False)))
        names = [name for name in BENCHES if (HERE / f"{name}.py").exists()]
        running = {}
        for name in names:
            command = [sys.executable, "-m", f"bench.{name}", *(SMOKE_ARGS[name] if smoke else [])]
            bench_env = {**env, "KOMPAS_BENCH_ROWS": os.path.join(folder, f"{name}.jsonl")}
            if smoke:
                # Side by side: a smoke run judges no time, and each bench
                # waits mostly on its own short runs.
                log = cleanup.enter_context(open(os.path.join(folder, f"{name}.log"), "w+"))
                process = subprocess.Popen(command, env=bench_env, cwd=HERE.parent, stdout=log,
                                           stderr=subprocess.STDOUT, text=True)  # fmt: skip
                running[name] = (process, log)
                continue
            print(f"== bench.{name}", flush=True)
            begun = time.monotonic()
            done = subprocess.run(command, env=bench_env, cwd=HERE.parent)
            print(f"== bench.{name}: {time.monotonic() - begun:.0f} s, exit {done.returncode}", flush=True)
            if done.returncode != 0:
                failed.append(name)
        # When each ended, to see which one a smoke run waits for.
        ended = {}
        while len(ended) < len(running):
            for name, (process, _) in running.items():
                if name not in ended and process.poll() is not None:
                    ended[name] = time.monotonic() - started
            time.sleep(0.1)
        for name, (process, log) in running.items():
            log.seek(0)
            print(f"== bench.{name}\n{log.read()}== bench.{name}: exit {process.returncode} after {ended[name]:.0f} s")
            if process.returncode != 0:
                failed.append(name)
        for name in names:
            path = os.path.join(folder, f"{name}.jsonl")
            rows += read(path) if os.path.exists(path) else []
    print()
    print(
        f"Kompas benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{time.monotonic() - started:.0f} s in all"
    )
    print(render(rows))
    if not smoke:
        capacity.SAVED.parent.mkdir(exist_ok=True)
        capacity.SAVED.write_text("".join(json.dumps(asdict(row)) + "\n" for row in rows))
        print(f"(rows saved to {capacity.SAVED.relative_to(HERE.parent)})")
    print()
    try:
        print(capacity.render(capacity.Costs.of(rows)))
    except SystemExit as missing:  # a bench that failed left its figures out
        print(f"capacity model: {missing}")
        failed.append("capacity model")
    if smoke:
        # Errors are facts, not timings: a smoke run fails on any.
        failed += [
            f"{row.bench} ({row.figure}: {row.value:,.0f})" for row in rows if row.unit == "errors" and row.met is False
        ]
        missing = [
            name for name in BENCHES if (HERE / f"{name}.py").exists() and not any(r.bench == name for r in rows)
        ]
        failed += [f"{name} (reported no figures)" for name in missing]
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
