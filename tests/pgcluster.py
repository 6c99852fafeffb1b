"""A throwaway PostgreSQL cluster for the tests and benchmarks.

Uses the server binaries of Debian's ``postgresql`` package. As root,
``initdb`` and the server run as the ``postgres`` user, as PostgreSQL
refuses to run as root. The cluster lives in a temporary folder, listens on
127.0.0.1 at a free port and is removed on stop.

Tests run it without durability (no fsync, asynchronous commit): they check
behaviour, not speed. Benchmarks ask for ``durable=True``: PostgreSQL's own
defaults, so an acknowledged commit has reached the disk as in production.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if out:
            candidates.append(out)
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found. Install Debian's 'postgresql' package "
        "(.ci/run does this as root) or set KOMPAS_TEST_DATABASE_URL to a server you provide."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayCluster:
    def __init__(self, durable: bool = False) -> None:
        self.durable = durable
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="kompas-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def start(self, copy_of: Path | None = None) -> ThrowawayCluster:
        """Start a new cluster; ``copy_of``: the data folder of a stopped
        cluster to start a copy of instead of an empty one (quicker than
        initdb and a migration when many clusters need the same start)."""
        self.socket_dir.mkdir(parents=True)
        if self.as_root:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.socket_dir, "postgres")
            os.chmod(self.root, 0o700)
        if copy_of is not None:
            shutil.copytree(copy_of, self.data, symlinks=True)
            for path in (self.data, *self.data.rglob("*")) if self.as_root else ():
                shutil.chown(path, "postgres", "postgres")
            # A copy of a cleanly stopped cluster: nothing of the original's
            # server (its pid file, its socket) comes along.
            (self.data / "postmaster.pid").unlink(missing_ok=True)
        else:
            self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._options = options
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise PostgresUnavailable("the throwaway PostgreSQL did not start listening")

    def pause(self) -> None:
        """Stop the server (fast shutdown); ``resume`` starts it again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        options = self._options
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def pids(self) -> list[int]:
        """The postmaster and its backends (for CPU accounting)."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
            children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        except (OSError, ValueError, IndexError):
            return []
        return [postmaster, *map(int, children)]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        with contextlib.suppress(PostgresUnavailable):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
