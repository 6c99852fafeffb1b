"""What a run costs PostgreSQL beyond CPU, read from PostgreSQL itself:
rows and bytes written (``pg_stat_user_tables``, relation sizes, WAL) and
lock waits (``pg_stat_activity`` sampled while the run lasts). For the
capacity model (docs/capacity.md); the anonymity edition's sealed answers
are re-measured by running the bench again."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import text

from dilemmas.model.answers import Answer, AnswerCounts
from dilemmas.storage.database import make_engine

# The tables an answer writes (employee.answers.submit), named by the
# models so that a table the domain renames or drops fails here by name.
ANSWER_TABLES = (Answer.__tablename__, AnswerCounts.__tablename__)

_SNAPSHOT = text(
    """
    SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del,
           pg_relation_size(relid), pg_indexes_size(relid), pg_total_relation_size(relid),
           n_live_tup
    FROM pg_stat_user_tables WHERE relname = ANY(:tables)
    """
)


@dataclass(frozen=True)
class Writes:
    """Deltas between two snapshots, per table and in all."""

    inserted: dict[str, int]
    updated: dict[str, int]
    hot_updated: dict[str, int]
    table_bytes: dict[str, int]
    index_bytes: dict[str, int]
    wal_bytes: int
    commits: int

    def per(self, count: int) -> dict[str, float]:
        count = max(count, 1)
        return {
            "rows inserted": sum(self.inserted.values()) / count,
            "rows updated": sum(self.updated.values()) / count,
            "of which HOT": sum(self.hot_updated.values()) / count,
            "table bytes": sum(self.table_bytes.values()) / count,
            "index bytes": sum(self.index_bytes.values()) / count,
            "WAL bytes": self.wal_bytes / count,
            "commits": self.commits / count,
        }


class WriteCounter:
    """Snapshots of what PostgreSQL wrote to the answer tables."""

    def __init__(self, url: str, tables: tuple[str, ...] = ANSWER_TABLES) -> None:
        self.engine = make_engine(url, isolation_level="AUTOCOMMIT")
        self.tables = list(tables)

    def snapshot(self, settle: dict | None = None) -> dict:
        """The counters now. ``settle``: an earlier snapshot; then wait (up
        to 15 s) until the statistics show every answer row written since
        it: a backend that goes idle reports its statistics only after a
        while (up to 10 s in PostgreSQL 15)."""
        deadline = time.monotonic() + 15
        with self.engine.connect() as connection:
            while True:
                rows = {r[0]: r[1:] for r in connection.execute(_SNAPSHOT, {"tables": self.tables})}
                stored = connection.scalar(text(f"SELECT count(*) FROM {self.tables[0]}"))
                if settle is None:
                    break
                counted = rows[self.tables[0]][0] - settle["rows"][self.tables[0]][0]
                if counted >= stored - settle["stored"] or time.monotonic() > deadline:
                    break
                time.sleep(0.25)
            wal = connection.scalar(text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"))
            commits = connection.scalar(
                text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            )
        return {"rows": rows, "wal": int(wal), "commits": int(commits), "stored": stored}

    @staticmethod
    def between(before: dict, after: dict) -> Writes:
        def delta(index: int) -> dict[str, int]:
            return {name: after["rows"][name][index] - before["rows"].get(name, (0,) * 8)[index]
                    for name in after["rows"]}  # fmt: skip

        return Writes(
            inserted=delta(0),
            updated=delta(1),
            hot_updated=delta(2),
            table_bytes=delta(4),
            index_bytes=delta(5),
            wal_bytes=after["wal"] - before["wal"],
            commits=after["commits"] - before["commits"],
        )

    def sizes(self) -> dict[str, tuple[int, int, int]]:
        """Per table: live rows, heap bytes, index bytes (after ANALYZE)."""
        with self.engine.connect() as connection:
            connection.execute(text(f"ANALYZE {', '.join(self.tables)}"))
            time.sleep(1.2)
            rows = connection.execute(_SNAPSHOT, {"tables": self.tables}).all()
        return {r[0]: (r[8], r[5], r[6]) for r in rows}

    def close(self) -> None:
        self.engine.dispose()


@dataclass
class LockWaits:
    samples: int = 0
    waiting_samples: int = 0  # samples in which a backend waited for a lock
    waiting_backends: int = 0  # summed over samples
    active_backends: int = 0  # summed over samples
    events: Counter = field(default_factory=Counter)  # wait_event_type:wait_event of every active backend

    @property
    def share_waiting(self) -> float:
        return self.waiting_samples / self.samples if self.samples else 0.0

    @property
    def mean_waiting(self) -> float:
        return self.waiting_backends / self.samples if self.samples else 0.0

    @property
    def mean_active(self) -> float:
        return self.active_backends / self.samples if self.samples else 0.0

    def line(self) -> str:
        top = ", ".join(f"{name} {n / max(self.samples, 1):.2f}" for name, n in self.events.most_common(5))
        return (
            f"lock waits: {self.samples} samples, {100 * self.share_waiting:.1f}% with a backend waiting for a lock, "
            f"{self.mean_waiting:.2f} waiting of {self.mean_active:.2f} active on average; per sample: {top}"
        )


_ACTIVITY = text(
    """
    SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-')
    FROM pg_stat_activity
    WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
      AND datname = current_database()
    """
)


class LockSampler:
    """Samples ``pg_stat_activity`` every ``interval`` seconds in a thread:
    how often, and how many, backends wait for a heavyweight lock (a row's
    transaction, a tuple), and what the others wait for."""

    def __init__(self, url: str, interval: float = 0.02) -> None:
        self.engine = make_engine(url, isolation_level="AUTOCOMMIT")
        self.interval = interval
        self.waits = LockWaits()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.connection = self.engine.connect()
        self.pid = self.connection.scalar(text("SELECT pg_backend_pid()"))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            events = self.connection.execute(_ACTIVITY).scalars().all()
            waits = self.waits
            waits.samples += 1
            locked = sum(1 for e in events if e.startswith("Lock:"))
            waits.waiting_samples += locked > 0
            waits.waiting_backends += locked
            waits.active_backends += len(events)
            waits.events.update(events)

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.connection.close()
        self.engine.dispose()
