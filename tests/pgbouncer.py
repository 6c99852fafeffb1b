"""A throwaway pgbouncer in front of a PostgreSQL server, for the tests and
the benchmarks: Debian's ``pgbouncer`` binary, its own folder and a free port
on 127.0.0.1, one pool per database, removed on stop.

pgbouncer refuses to run as root; as root it runs as the ``postgres`` user,
like the throwaway cluster."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

BINARY = "/usr/sbin/pgbouncer"


class PgbouncerUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pgbouncer:
    """pgbouncer for the server and database of ``server_url`` (trust
    authentication, as the throwaway cluster has)."""

    def __init__(self, server_url: str, pool_mode: str = "transaction", pool_size: int = 20) -> None:
        self.binary = shutil.which("pgbouncer") or BINARY
        if not os.path.exists(self.binary):
            raise PgbouncerUnavailable(
                "pgbouncer not found: install Debian's 'pgbouncer' package (.ci/run does this as root)"
            )
        self.server = make_url(server_url)
        self.pool_mode = pool_mode
        self.pool_size = pool_size
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="kompas-pgbouncer-"))
        self.as_root = os.geteuid() == 0
        self.process: subprocess.Popen | None = None

    def url(self, **query: str) -> str:
        """The server's URL with pgbouncer's port in place of the server's."""
        url = self.server.set(host="127.0.0.1", port=self.port).update_query_dict(query)
        return url.render_as_string(hide_password=False)

    def start(self) -> Pgbouncer:
        user = self.server.username or "postgres"
        database = self.server.database
        (self.folder / "users.txt").write_text(f'"{user}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{database} = host={self.server.host or '127.0.0.1'} port={self.server.port or 5432} dbname={database}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            f"unix_socket_dir = {self.folder}\n"
            "auth_type = trust\n"
            f"auth_file = {self.folder / 'users.txt'}\n"
            f"pool_mode = {self.pool_mode}\n"
            f"default_pool_size = {self.pool_size}\n"
            "max_client_conn = 1000\n"
            # The app's engine does not send it; psycopg sets no such option.
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.folder / 'pgbouncer.log'}\n"
        )
        command = [self.binary, str(self.folder / "pgbouncer.ini")]
        if self.as_root:
            shutil.chown(self.folder, "postgres")
            for path in self.folder.iterdir():
                shutil.chown(path, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PgbouncerUnavailable(f"pgbouncer stopped: {self.process.stderr.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise PgbouncerUnavailable("pgbouncer did not start listening")

    def pids(self) -> list[int]:
        """pgbouncer's process (for CPU accounting); under runuser its child."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        found = children.read_text().split() if children.exists() else []
        return [self.process.pid, *map(int, found)]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Pgbouncer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
