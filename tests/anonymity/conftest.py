"""A real Kompas server for the attack tests: `kompas serve` (gunicorn) on
a fresh database with the bundled content, with a frozen clock that the
attacker moves while it runs (KOMPAS_NOW_FILE), enrolment codes and office
tokens made as the `kompas` command makes them, the `kompas` command for the
operator's other steps, and SQL on the database itself for the thief."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess

import pytest
from sqlalchemy import text

from api.platform.settings import parse_now
from dilemmas.storage.database import make_engine
from tests.conftest import SECRET
from tests.factories import admin_token, server_enrolment_code
from tests.servers import KOMPAS, ClockFile, Server, call

# 2026-W50 is open on Monday, closed from the next Monday on.
MONDAY = "2026-12-07T09:01:00+01:00"
WEDNESDAY = "2026-12-09T12:00:00+01:00"
THURSDAY_NOON = "2026-12-10T12:00:00+01:00"
NEXT_MONDAY = "2026-12-14T09:01:00+01:00"
NEXT_TUESDAY = "2026-12-15T10:00:00+01:00"


def phone_key(token: str, purpose: str) -> str:
    """The key of a phone's row, as only a request with its token can
    derive it (``dilemmas.employee.keys``): the test's ground truth."""
    base = hmac.new(SECRET.encode(), b"kompas pseudonyms\x00" + token.encode(), hashlib.sha256).digest()
    return hmac.new(base, purpose.encode(), hashlib.sha256).hexdigest()


class World:
    """The server and everything around it, as an attacker meets them."""

    def __init__(self, database_url: str, folder) -> None:
        self.database_url = database_url
        self.folder = folder
        self.server: Server | None = None
        self.clock = ClockFile(folder / "now", MONDAY)
        self.env = {"DATABASE_URL": database_url, "KOMPAS_SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "false"}

    def kompas(self, *args: str, at: str = MONDAY) -> str:
        """The `kompas` command, with its clock frozen at ``at``."""
        done = subprocess.run(
            [KOMPAS, *args],
            env={**os.environ, **self.env, "KOMPAS_NOW": at},
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def at(self, moment: str) -> World:
        """The server's clock moved to ``moment``, as time passes for a
        running server; the server started first if it is not running."""
        self.clock.set(moment)
        if self.server is None or not self.server.running:
            port = self.server.port if self.server is not None else None
            self.server = Server({**self.env, **self.clock.env}, self.folder, workers=2, port=port).start()
        return self

    def call(self, method: str, path: str, body=None, token: str | None = None):
        return call(self.server.base, method, path, body, token)

    def register(self, organisation: str = "rijk") -> str:
        body = {"platform": "android"}
        if organisation != "rijk":
            body["enrolment_code"] = server_enrolment_code(self.database_url, organisation, self.now)
        status, _, data = self.call("POST", "/api/v1/installations", body)
        assert status == 201, data
        return data["token"]

    @property
    def now(self):
        return parse_now(self.clock.moment)

    def admin(self, role: str, organisation: str = "rijk") -> str:
        return admin_token(self.database_url, role, organisation, f"{role} {organisation}", self.now)

    def current(self, token: str) -> dict:
        status, _, dilemma = self.call("GET", "/api/v1/dilemmas/current", token=token)
        assert status == 200, dilemma
        return dilemma

    def answer(self, token: str, dilemma_id: int, option: str, **extra) -> dict:
        status, _, body = self.call("PUT", f"/api/v1/dilemmas/{dilemma_id}/answer", {"option": option, **extra}, token)
        assert status == 200, body
        return body

    def sql(self, statement: str, **parameters) -> list[tuple]:
        """What a thief with a copy of the database reads."""
        engine = make_engine(self.database_url, immediate=False)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(statement), parameters)]
        finally:
            engine.dispose()

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


@pytest.fixture
def world(database_url, tmp_path):
    running = World(database_url, tmp_path)
    yield running
    running.close()
