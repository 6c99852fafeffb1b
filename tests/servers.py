"""Real `kompas serve` processes for tests about the server, and a tiny
HTTP client that never raises on a status code."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

KOMPAS = str(Path(sys.executable).parent / "kompas")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body=None, token: str | None = None, timeout: float = 15):
    """(status, headers, json body); status 0 when the connection failed."""
    request = urllib.request.Request(f"{base}{path}", method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            raw = error.read()
            return error.code, error.headers, json.loads(raw) if raw else None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, http.client.HTTPException):
        # HTTPException: a server killed while it sent the body (IncompleteRead)
        # acknowledged nothing, as a refused connection does.
        return 0, {}, None


class ClockFile:
    """A server's frozen clock that moves while it runs: the file that
    KOMPAS_NOW_FILE names, replaced whole on every move (a rename), so that
    no request reads half an instant."""

    def __init__(self, path: Path, moment: str) -> None:
        self.path = path
        self.set(moment)

    def set(self, moment: str) -> None:
        self.moment = moment
        fresh = self.path.with_name(self.path.name + ".new")
        fresh.write_text(moment)
        os.replace(fresh, self.path)

    @property
    def env(self) -> dict[str, str]:
        return {"KOMPAS_NOW_FILE": str(self.path)}


class Server:
    """One gunicorn server (master and workers) in its own process group."""

    def __init__(self, env: dict[str, str], cwd: Path, workers: int = 2, port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = {**os.environ, **env, "KOMPAS_PORT": str(self.port)}
        self.cwd = cwd
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        log = open(self.cwd / f"server-{self.port}.log", "ab")  # noqa: SIM115 - kept for the process's life
        self.process = subprocess.Popen(
            [KOMPAS, "serve", "--workers", str(self.workers)],
            env=self.env,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if call(self.base, "GET", "/healthz", timeout=2)[0] == 200:
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"server on {self.port} did not start: {self.log()[-3000:]}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return (self.cwd / f"server-{self.port}.log").read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole server: master and workers, no goodbye."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def close(self) -> None:
        """At a test's end: killed, since nothing is read from it any more
        (a graceful stop costs seconds, a wait on gunicorn and its workers)."""
        if self.running:
            self.kill()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
