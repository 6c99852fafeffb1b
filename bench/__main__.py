"""``python -m bench`` (``make bench``): every benchmark, one table.

Runs bench.burst and bench.reads (and bench.fanout when it exists), each in
its own process, and prints the rows they report as one table: figure,
baseline, ratio, target, met. A benchmark that fails is reported as such;
the others still run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import read, render

HERE = Path(__file__).resolve().parent
BENCHES = ("burst", "reads", "fanout", "meeting")


def main() -> int:
    started = time.monotonic()
    failed = []
    with tempfile.TemporaryDirectory(prefix="kompas-bench-rows-") as folder:
        rows_file = os.path.join(folder, "rows.jsonl")
        env = {**os.environ, "KOMPAS_BENCH_ROWS": rows_file}
        for name in BENCHES:
            if not (HERE / f"{name}.py").exists():
                print(f"== bench.{name}: not here (skipped)", flush=True)
                continue
            print(f"== bench.{name}", flush=True)
            begun = time.monotonic()
            done = subprocess.run([sys.executable, "-m", f"bench.{name}"], env=env, cwd=HERE.parent)
            print(f"== bench.{name}: {time.monotonic() - begun:.0f} s, exit {done.returncode}", flush=True)
            if done.returncode != 0:
                failed.append(name)
        rows = read(rows_file) if os.path.exists(rows_file) else []
    print()
    print(
        f"Kompas benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{time.monotonic() - started:.0f} s in all"
    )
    print(render(rows))
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
