"""Every documented rate limit holds to the request with three gunicorn
workers on one server, with the embedded default storage (database://),
and still holds after the server restarts."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from api.cli import main
from tests.conftest import SECRET, parse_now
from tests.factories import admin_token
from tests.servers import Server, call

pytestmark = pytest.mark.slow

SUGGESTION = {"text": "Een leverancier biedt mij kaartjes aan voor een wedstrijd van vanavond."}


def at_once(requests, threads=8):
    """Statuses of requests sent eight at a time: the workers race."""
    with ThreadPoolExecutor(threads) as pool:
        return sorted(status for status, _, _ in pool.map(lambda request: request(), requests))


@pytest.fixture
def env(database_url):
    env = {
        "DATABASE_URL": database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": "2026-12-09T12:00:00+01:00",
        "RATELIMIT_ENABLED": "true",
    }
    env["ADMIN_TOKEN"] = admin_token(database_url, "admin", "rijk", "Limits", parse_now(env["KOMPAS_NOW"]))
    return env


def test_every_limit_holds_exactly_across_three_workers_and_a_restart(env, tmp_path):
    server = Server(env, tmp_path, workers=3).start()
    base, admin = server.base, env["ADMIN_TOKEN"]
    try:
        # Registering: 30 an hour per address, 40 sent eight at a time.
        registered = []

        def register():
            status, headers, body = call(base, "POST", "/api/v1/installations", {"platform": "android"})
            if status == 201:
                registered.append(body["token"])
            return status, headers, body

        assert at_once([register] * 40) == [201] * 30 + [429] * 10
        phones = list(registered)

        # Answers: 60 a minute per installation.
        phone = phones[0]
        dilemma = call(base, "GET", "/api/v1/dilemmas/current", token=phone)[2]["id"]
        answer = ("PUT", f"/api/v1/dilemmas/{dilemma}/answer", {"option": "B"})
        statuses = at_once([lambda: call(base, *answer, token=phone)] * 70)
        assert statuses == [200] * 60 + [429] * 10
        assert call(base, *answer, token=phones[1])[0] == 200  # another installation, its own minute

        # Suggestions: 10 an hour per installation, whatever the header's spelling.
        suggest = ("POST", "/api/v1/suggestions", SUGGESTION)
        assert at_once([lambda: call(base, *suggest, token=phone)] * 12) == [201] * 10 + [429] * 2

        # Admin: 600 a minute per token.
        assert at_once([lambda: call(base, "GET", "/api/v1/admin/me", token=admin)] * 610) == [200] * 600 + [429] * 10

        # Wrong invite codes: 10 a minute per installation, one after another;
        # another phone behind the same address has its own count (launch
        # day: tests/api/test_launch_day.py, with the address's backstop).
        join = ("POST", "/api/v1/teams/join", {"invite_code": "AAAA-BBBB-CCCC"})
        wrong = [call(base, *join, token=phones[5])[0] for _ in range(11)]
        assert wrong == [404] * 10 + [429]
        assert call(base, *join, token=phones[6])[0] == 404
        # Wrong session codes: the installation's growing wait, kept in the
        # database, comes first (three free failures).
        session_join = ("POST", "/api/v1/sessions/join", {"join_code": "000000"})
        wrong = [call(base, *session_join, token=phones[10])[0] for _ in range(4)]
        assert wrong == [404] * 3 + [429]

        # A restart forgets nothing.
        server.stop()
        server = Server(env, tmp_path, workers=3).start()
        base = server.base
        assert call(base, "POST", "/api/v1/installations", {"platform": "android"})[0] == 429
        assert call(base, *answer, token=phone)[0] == 429
        assert call(base, *suggest, token=phone)[0] == 429
        assert call(base, "GET", "/api/v1/admin/me", token=admin)[0] == 429
        assert call(base, *join, token=phones[5])[0] == 429
        assert call(base, *session_join, token=phones[10])[0] == 429
        # Those who have not used their allowance still have it.
        assert call(base, *answer, token=phones[2])[0] == 200
        assert call(base, *suggest, token=phones[2])[0] == 201
    finally:
        server.close()


def test_serve_refuses_per_process_counts_with_several_workers(monkeypatch, tmp_path, empty_database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("KOMPAS_SECRET_KEY", SECRET)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    result = CliRunner().invoke(main, ["serve", "--workers", "3"])
    assert result.exit_code == 2 and "memory://" in result.output
