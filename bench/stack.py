"""The stack a benchmark measures: a throwaway PostgreSQL cluster, the
database migrated with the bundled content (``kompas init``), and
``kompas serve`` (gunicorn) with the production settings, on this machine.

Also the pieces every benchmark shares: plain HTTP calls, bulk
pre-registration of installations and the ``wrk`` load generator.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from dilemmas.model.installations import Installation
from dilemmas.model.organisations import Organisation
from dilemmas.storage.database import make_engine
from dilemmas.tokens import hash_token
from tests.pgbouncer import Pgbouncer
from tests.pgcluster import ThrowawayCluster

ROOT = Path(__file__).resolve().parent.parent
KOMPAS = str(Path(sys.executable).parent / "kompas")
LUA = Path(__file__).resolve().parent / "load.lua"


def say(*parts: object) -> None:
    print(*parts, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None, headers=None):
    """One HTTP request; returns (status, headers, parsed JSON or None)."""
    request = urllib.request.Request(f"{base}{path}", method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, response.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        with error:
            raw = error.read()
            return error.code, error.headers, json.loads(raw) if raw else None


def ensure_wrk() -> str:
    """The path of ``wrk``; installs Debian's package when it is missing (as
    root), saying so."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: install it with `apt-get install wrk` (Debian) and run again")
    say("wrk is missing: installing Debian's package (apt-get update && apt-get install -y wrk) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "/usr/bin/wrk"


# The data folder of a stopped cluster on which ``kompas init`` has run
# (``initialised_cluster``): each Stack then starts a copy of it.
TEMPLATE = "KOMPAS_BENCH_TEMPLATE"
# Set by ``python -m bench --smoke``: tiny sizes, no durability.
SMOKE = "KOMPAS_BENCH_SMOKE"


def smoke() -> bool:
    return bool(os.environ.get(SMOKE))


@contextlib.contextmanager
def initialised_cluster(durable: bool):
    """A stopped cluster with the database initialised (``kompas init``),
    for Stacks to start copies of (see TEMPLATE); removed afterwards."""
    cluster = ThrowawayCluster(durable=durable).start()
    try:
        env = {**os.environ, "DATABASE_URL": cluster.url(), "KOMPAS_SECRET_KEY": secrets.token_urlsafe(48)}
        env["KOMPAS_ENV"] = "production"
        subprocess.run([KOMPAS, "init"], env=env, check=True, capture_output=True)
        cluster.pause()
        yield cluster.data
    finally:
        cluster.stop()


@dataclass
class Stack:
    """A running server on a throwaway cluster; stop() removes everything."""

    workers: int | None = None
    durable: bool = field(default_factory=lambda: not smoke())
    cluster: ThrowawayCluster | None = None
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kompas-bench-")))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    port: int = field(default_factory=free_port)
    server: subprocess.Popen | None = None
    # What the server's DATABASE_URL is, when not the cluster itself (serve()).
    served_url: str | None = None
    pooler: Pgbouncer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return self.cluster.url()

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.served_url or self.database_url,
            "KOMPAS_ENV": "production",
            "KOMPAS_SECRET_KEY": self.secret,
            "RATELIMIT_ENABLED": "false",
            "KOMPAS_PORT": str(self.port),
            "KOMPAS_HOST": "127.0.0.1",
        }

    def start(self) -> Stack:
        template = os.environ.get(TEMPLATE)
        self.cluster = ThrowawayCluster(durable=self.durable).start(copy_of=Path(template) if template else None)
        if not template:
            subprocess.run([KOMPAS, "init"], env=self.env(), cwd=self.folder, check=True, capture_output=True)
        return self._serve()

    def serve(self, prepare: bool = True, pgbouncer: bool = False) -> Stack:
        """Restart the server: straight to PostgreSQL, with psycopg's
        prepared statements (its default) or without them, or through a
        pgbouncer in transaction mode (which needs them off)."""
        self._stop_server()
        if self.pooler is not None:
            self.pooler.stop()
            self.pooler = None
        url = self.database_url
        if pgbouncer:
            # As many server connections as the workers can use at once.
            self.pooler = Pgbouncer(url, pool_mode="transaction", pool_size=(self.workers or os.cpu_count() + 1) + 2)
            url = self.pooler.start().url()
        self.served_url = url if prepare else f"{url}?prepare_threshold=none"
        return self._serve()

    def _serve(self) -> Stack:
        command = [KOMPAS, "serve"]
        if self.workers:
            command += ["--workers", str(self.workers)]
        self.log = open(self.folder / "server.log", "ab")  # noqa: SIM115 (closed in stop)
        self.server = subprocess.Popen(
            command, env=self.env(), cwd=self.folder, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if call(self.base, "GET", "/readyz")[0] == 200:
                    return self
            if self.server.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"the server did not become ready:\n{self.server_log()[-3000:]}")

    def server_log(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")

    def server_pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        if self.server is None:
            return []
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        found = children.read_text().split() if children.exists() else []
        return [self.server.pid, *map(int, found)]

    def database_pids(self) -> list[int]:
        """PostgreSQL's processes, and pgbouncer's when the server uses it."""
        return self.cluster.pids() + (self.pooler.pids() if self.pooler else [])

    def _stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.log.close()
        self.server = None

    def stop(self) -> None:
        self._stop_server()
        if self.pooler is not None:
            self.pooler.stop()
        if self.cluster is not None:
            self.cluster.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_exc) -> None:
        self.stop()

    def kompas(self, *args: str) -> str:
        """Run a ``kompas`` command against the stack's database; its output."""
        done = subprocess.run([KOMPAS, *args], env=self.env(), cwd=self.folder, check=True, capture_output=True)
        return done.stdout.decode()

    def preregister(self, count: int, child_share: float = 0.2) -> list[str]:
        """``count`` installations, as ``installations.register`` makes them
        (random token stored as an HMAC, random respondent seed), inserted in
        bulk; a ``child_share`` of them belong to the child organisation
        (Douane), the rest to the root (Rijk). Returns the tokens."""
        engine = make_engine(self.database_url)
        tokens = []
        try:
            with engine.begin() as connection:
                orgs = connection.execute(select(Organisation.id, Organisation.parent_id).order_by(Organisation.id))
                orgs = list(orgs)
                root = next(o for o, parent in orgs if parent is None)
                child = next((o for o, parent in orgs if parent is not None), root)
                now = datetime.now(UTC)
                rows = []
                every = round(1 / child_share) if child_share else 0
                for i in range(count):
                    token = secrets.token_urlsafe(32)
                    tokens.append(token)
                    rows.append(
                        dict(
                            id=secrets.token_hex(16),
                            token_hash=hash_token(token, self.secret.encode()),
                            organisation_id=child if every and i % every == every - 1 else root,
                            platform="android" if i % 2 else "ios",
                            locale="nl",
                            notify_weekly=True,
                            notify_reminders=False,
                            created_at=now,
                        )
                    )
                    if len(rows) == 5000:
                        connection.execute(insert(Installation), rows)
                        rows = []
                if rows:
                    connection.execute(insert(Installation), rows)
        finally:
            engine.dispose()
        return tokens


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each running process (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of running processes (from /proc)."""
    return sum(cpu_by_pid(pids).values())


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two ``cpu_by_pid`` readings by the processes
    in both (one that ended in between takes its time with it)."""
    return sum(max(0.0, after[pid] - spent) for pid, spent in before.items() if pid in after)


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent busy since boot (/proc/stat:
    user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
