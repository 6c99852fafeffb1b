"""The capacity model of docs/capacity.md, computed from a bench run's
measured costs: 1,000,000 public employees, the Monday-morning push.

    python -m bench.capacity [ROWS.jsonl ...]

``python -m bench`` saves its rows to ``.bench/last-run.jsonl`` and prints
this model after its table, so that re-running the bench (for instance
after the anonymity edition seals answers) re-measures every cost the
model stands on. The assumptions are the constants below; every other
number comes from the rows.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.table import Row, read
from dilemmas.counters import SHARDS

SAVED = Path(__file__).resolve().parent.parent / ".bench" / "last-run.jsonl"

# -- assumptions (docs/capacity.md says why) ---------------------------------
EMPLOYEES = 1_000_000  # Rijk, municipalities, police, defence: every one installed
OPEN_WITHIN_15_MIN = 0.20  # share of them opening the app within 15 minutes of the push
PEAK_FACTOR = 2.0  # the busiest minute against the 15-minute average
REQUESTS_PER_OPEN = 3  # current, answer, results: the flow the bench measures
ANSWERING_PER_WEEK = 0.50  # share of employees answering in a week (rows per year)
WEEKS = 52
TARGET_UTILISATION = 0.5  # the bench's latency target holds at half of capacity
CORES_PER_APP_SERVER = 4
ORGANISATIONS = 1_500  # organisations with their own counters
TALLY_SHARDS = SHARDS  # sealed counter rows per edition (dilemmas.counters)
FCM_QUOTA_PER_MINUTE = 600_000  # FCM's messages a minute per project
COMMIT_SECONDS = (0.001, 0.010)  # a durable commit: local NVMe, network-attached storage
MEETING_ROOMS = 2_000  # rooms in a live meeting at once (a busy Monday afternoon)
POLLS_PER_ROOM_MINUTE = 90  # 10 phones every 10 s + a screen every 2 s


@dataclass(frozen=True)
class Costs:
    app_ms: dict[str, float]
    db_ms: dict[str, float]
    poll_app_ms: float
    poll_db_ms: float
    wal_per_answer: float
    rows_per_answer: float
    bytes_per_stored_answer: float
    push_cpu_ms: float
    flow_rate: float
    predicted_ratio: float
    lock_wait_shares: list[tuple[str, float]]

    @classmethod
    def of(cls, rows: list[Row]) -> Costs:
        found = {(r.bench, r.figure): r for r in rows}

        def value(bench: str, figure: str) -> float:
            row = found.get((bench, figure))
            if row is None:
                raise SystemExit(f"the rows have no {bench!r} figure {figure!r}: run `make bench` first")
            return row.value

        def starting(bench: str, prefix: str) -> Row:
            for (b, figure), row in found.items():
                if b == bench and figure.startswith(prefix):
                    return row
            raise SystemExit(f"the rows have no {bench!r} figure starting {prefix!r}: run `make bench` first")

        kinds = ("current", "answer", "results")
        return cls(
            app_ms={k: value("burst", f"app CPU per {k}") for k in kinds},
            db_ms={k: value("burst", f"PostgreSQL CPU per {k}") for k in kinds},
            poll_app_ms=value("meeting", "server CPU per poll (conditional)"),
            poll_db_ms=value("meeting", "PostgreSQL CPU per poll (conditional)"),
            wal_per_answer=value("burst", "per answer: WAL bytes"),
            rows_per_answer=value("burst", "per answer: rows inserted"),
            bytes_per_stored_answer=value("burst", "answers table: bytes per stored answer"),
            push_cpu_ms=starting("fanout", "fcm transport CPU per message").value,
            flow_rate=value("burst", "flow (3 requests)"),
            predicted_ratio=starting("burst", "model: flow rate predicted").ratio or math.nan,
            lock_wait_shares=[
                (r.figure.rsplit(", ", 1)[-1], r.value)
                for (b, figure), r in found.items()
                if b == "burst" and figure.startswith("answers: samples with a lock wait")
            ],
        )


def model(costs: Costs) -> list[tuple[str, str]]:
    """(figure, value with its derivation) for the Monday morning."""
    lines = []

    def say(figure: str, text: str) -> None:
        lines.append((figure, text))

    opens = EMPLOYEES * OPEN_WITHIN_15_MIN
    openers = opens / 900 * PEAK_FACTOR
    requests = openers * REQUESTS_PER_OPEN
    say("peak openers", f"{openers:,.0f}/s ({EMPLOYEES:,} x {OPEN_WITHIN_15_MIN:.0%} in 900 s x {PEAK_FACTOR:g})")
    say("peak requests", f"{requests:,.0f}/s ({REQUESTS_PER_OPEN} per opener)")
    app = sum(costs.app_ms.values()) / len(costs.app_ms)
    db = sum(costs.db_ms.values()) / len(costs.db_ms)
    app_cores = requests * app / 1000
    db_cores = requests * db / 1000
    servers = math.ceil(app_cores / TARGET_UTILISATION / CORES_PER_APP_SERVER)
    say(
        "app CPU per flow request", f"{app:.2f} ms (" + ", ".join(f"{k} {v:.2f}" for k, v in costs.app_ms.items()) + ")"
    )
    say(
        "PostgreSQL CPU per flow request",
        f"{db:.2f} ms (" + ", ".join(f"{k} {v:.2f}" for k, v in costs.db_ms.items()) + ")",
    )
    say("app cores busy at the peak", f"{app_cores:,.1f}")
    say(
        "app servers needed",
        f"{servers} of {CORES_PER_APP_SERVER} cores "
        f"(at {TARGET_UTILISATION:.0%} utilisation, where p99 < 100 ms was measured)",
    )
    say("app servers with one to spare", f"{servers + 1} (a server lost on a Monday morning leaves enough)")
    say(
        "PostgreSQL cores busy at the peak",
        f"{db_cores:,.1f} (plan {db_cores / TARGET_UTILISATION:,.1f} at {TARGET_UTILISATION:.0%})",
    )
    answers_per_second = openers  # every opener answers in the flow
    say(
        "WAL at the peak",
        f"{answers_per_second * costs.wal_per_answer / 1e6:,.1f} MB/s ({costs.wal_per_answer:,.0f} B per answer); "
        f"{answers_per_second * costs.rows_per_answer:,.0f} rows inserted/s",
    )
    yearly = EMPLOYEES * ANSWERING_PER_WEEK * WEEKS
    say(
        "answers per year",
        f"{yearly / 1e6:,.1f} million rows, {yearly * costs.bytes_per_stored_answer / 1e9:,.1f} GB with indexes "
        f"({costs.bytes_per_stored_answer:,.0f} B per answer; {ANSWERING_PER_WEEK:.0%} answer weekly)",
    )
    counter_rows = (1 + ORGANISATIONS) * TALLY_SHARDS * WEEKS
    say(
        "counter rows per year (at most)",
        f"{counter_rows:,.0f} (one sealed vector per shard of each edition; every organisation its own dilemma)",
    )
    for seconds in COMMIT_SECONDS:
        per_shard = answers_per_second / TALLY_SHARDS
        busy = per_shard * seconds
        limit = TALLY_SHARDS / seconds
        say(
            f"counter contention, {1000 * seconds:g} ms commits",
            f"each 'all' shard row locked {busy:.0%} of the time at the peak; saturates at {limit:,.0f} answers/s",
        )
    for workers, share in costs.lock_wait_shares:
        say(f"measured: samples with a lock wait, {workers}", f"{share:.1f}%")
    quota = FCM_QUOTA_PER_MINUTE / 60
    fanout_seconds = EMPLOYEES / quota
    cores = quota * costs.push_cpu_ms / 1000
    say(
        "push fan-out",
        f"{fanout_seconds:,.0f} s at FCM's quota ({quota:,.0f}/s); needs {cores:.1f} cores of our transport "
        f"({costs.push_cpu_ms:.3f} ms CPU per message); one core alone: {EMPLOYEES * costs.push_cpu_ms / 1000:,.0f} s",
    )
    polls = MEETING_ROOMS * POLLS_PER_ROOM_MINUTE / 60
    say(
        "live meetings",
        f"{polls:,.0f} polls/s from {MEETING_ROOMS:,} rooms: {polls * costs.poll_app_ms / 1000:,.1f} app cores, "
        f"{polls * costs.poll_db_ms / 1000:,.1f} PostgreSQL cores",
    )
    say(
        "validation on this machine",
        f"the flow predicted from CPU per request / measured = {costs.predicted_ratio:.2f} (target 0.8-1.2; "
        f"measured {costs.flow_rate:,.0f}/s)",
    )
    return lines


def render(costs: Costs) -> str:
    lines = model(costs)
    width = max(len(figure) for figure, _ in lines)
    head = f"Capacity model: {EMPLOYEES:,} employees, Monday-morning push (docs/capacity.md)"
    return "\n".join([head, *(f"  {figure.ljust(width)}  {text}" for figure, text in lines)])


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)] or [SAVED]
    rows = [row for path in paths for row in read(str(path))]
    print(render(Costs.of(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
