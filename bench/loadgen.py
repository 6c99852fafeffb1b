"""Drive ``wrk`` (C, its own process) with ``load.lua`` and turn its
per-request lines into figures per endpoint."""

from __future__ import annotations

import math
import resource
import signal
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.stack import LUA, Stack, cpu_by_pid, cpu_spent, ensure_wrk, machine_busy_seconds


@dataclass(frozen=True)
class Figures:
    """One endpoint in one run."""

    endpoint: str
    requests: int
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: str = ""  # the statuses other than 200, e.g. "409x3"


@dataclass(frozen=True)
class Run:
    """One wrk run: figures per endpoint and for all requests together."""

    label: str
    seconds: float  # from the first request sent to the last response
    endpoints: dict[str, Figures]
    total: Figures
    socket_errors: int
    reused: int
    cpu: dict[str, float]  # share of one core used by wrk, gunicorn, PostgreSQL
    answered: list[str]  # answer mode: the tokens whose first answer was accepted

    def cpu_ms_per_request(self, part: str) -> float:
        """Milliseconds of CPU of one part (gunicorn, postgres, wrk,
        pgbouncer) per request of this run."""
        return 1000 * self.cpu.get(part, 0.0) * self.seconds / max(self.total.requests, 1)

    def line(self) -> str:
        parts = [f"{self.label}: {self.seconds:.1f}s, {self.total.requests} requests, {self.total.rate:.0f}/s"]
        for figures in self.endpoints.values():
            parts.append(
                f"  {figures.endpoint:8} {figures.rate:7.0f}/s  p50 {figures.p50_ms:6.1f} ms  "
                f"p95 {figures.p95_ms:6.1f} ms  p99 {figures.p99_ms:6.1f} ms  errors {figures.errors}"
                + (f" ({figures.statuses})" if figures.statuses else "")
            )
        parts.append(
            f"  socket errors {self.socket_errors}, reused tokens {self.reused}; CPU (cores): "
            + ", ".join(f"{name} {share:.2f}" for name, share in self.cpu.items())
        )
        return "\n".join(parts)


def percentile(ordered: list[int], share: float) -> float:
    """Nearest-rank percentile of sorted microseconds, in milliseconds."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1] / 1000


def _figures(endpoint: str, samples: list[tuple[int, int]], seconds: float, errors_extra: int = 0) -> Figures:
    latencies = sorted(us for _, us in samples)
    wrong = Counter(status for status, _ in samples if status != 200)
    errors = sum(wrong.values()) + errors_extra
    return Figures(
        endpoint,
        len(samples),
        len(samples) / seconds if seconds else 0.0,
        percentile(latencies, 0.50),
        percentile(latencies, 0.95),
        percentile(latencies, 0.99),
        errors,
        " ".join(f"{status}x{n}" for status, n in sorted(wrong.items())),
    )


def run(
    stack: Stack,
    label: str,
    mode: str,
    seconds: float,
    connections: int = 16,
    tokens_file: Path | None = None,
    first: int = 1,
    count: int = 0,
    dilemma_id: int = 0,
    rate: float = 0,
    once: bool = False,
    exclude_pids: tuple[int, ...] = (),
) -> Run:
    """Run wrk for ``seconds`` against the stack with one connection per
    thread; ``rate`` > 0 paces the requests (total per second). ``once``:
    each token of the slice is used once, and the run ends when all are (or
    after ``seconds``)."""
    wrk = ensure_wrk()
    with tempfile.NamedTemporaryFile(prefix="kompas-wrk-", suffix=".txt", delete=False) as handle:
        out = Path(handle.name)
    command = [
        wrk,
        f"-t{connections}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        stack.base,
        "--",
        mode,
        str(tokens_file) if tokens_file else "-",
        str(dilemma_id),
        str(first),
        str(count),
        str(rate),
        str(out),
        str(connections),
        "once" if once else "all",
    ]
    pids = stack.server_pids()
    # Not the backends of the bench's own sampling (``exclude_pids``).
    database = [pid for pid in stack.cluster.pids() if pid not in exclude_pids]
    pooler = stack.pooler.pids() if stack.pooler else []
    before = (
        cpu_by_pid(pids),
        cpu_by_pid(database),
        resource.getrusage(resource.RUSAGE_CHILDREN),
        cpu_by_pid(pooler),
        machine_busy_seconds(),
    )
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        markers = [Path(f"{out}.done.{i}") for i in range(1, connections + 1)]
        while once and process.poll() is None:
            if all(marker.exists() for marker in markers):
                process.send_signal(signal.SIGINT)  # wrk then ends at once, calling done()
                break
            time.sleep(0.1)
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"wrk failed ({process.returncode}): {stderr.strip() or stdout.strip()}")
        after = (
            cpu_by_pid(pids),
            cpu_by_pid(database),
            resource.getrusage(resource.RUSAGE_CHILDREN),
            cpu_by_pid(pooler),
            machine_busy_seconds(),
        )
        lines = out.read_text().splitlines()
        answered = Path(f"{out}.answered").read_text().split()
    finally:
        for leftover in [out, *Path(out.parent).glob(f"{out.name}.*")]:
            leftover.unlink(missing_ok=True)
    summary = dict(item.split("=") for item in lines[-1].lstrip("# ").split())
    elapsed = int(summary["busy_us"]) / 1e6
    if elapsed <= 0:  # no response came back (a starved machine): wrk's own duration
        elapsed = int(summary["duration_us"]) / 1e6
    per_endpoint: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for line in lines[:-1]:
        endpoint, status, micros = line.split()
        per_endpoint[endpoint].append((int(status), int(micros)))
    socket_errors = sum(int(summary[k]) for k in ("connect", "read", "write", "timeout"))
    endpoints = {name: _figures(name, samples, elapsed) for name, samples in per_endpoint.items()}
    everything = [sample for samples in per_endpoint.values() for sample in samples]
    load_cpu = (after[2].ru_utime + after[2].ru_stime) - (before[2].ru_utime + before[2].ru_stime)
    cpu = {
        "wrk": load_cpu / elapsed,
        "gunicorn": cpu_spent(before[0], after[0]) / elapsed,
        "postgres": cpu_spent(before[1], after[1]) / elapsed,
    }
    if pooler:
        cpu["pgbouncer"] = cpu_spent(before[3], after[3]) / elapsed
    # Everything else on the machine (other people's work): what the stack
    # could not have.
    wall = max(elapsed, 1e-9)
    cpu["others"] = max(0.0, (after[4] - before[4]) / wall - sum(cpu.values()))
    return Run(
        label,
        elapsed,
        endpoints,
        _figures("all", everything, elapsed, socket_errors),
        socket_errors,
        int(summary["reused"]),
        cpu,
        answered,
    )
