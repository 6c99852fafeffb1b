"""The README's flow against a real server process (gunicorn), over HTTP."""

import os
import subprocess

import pytest

from tests.conftest import SECRET
from tests.servers import KOMPAS, Server, call


@pytest.fixture
def server(empty_database_url, tmp_path):
    env = {
        "DATABASE_URL": empty_database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": "2026-12-07T09:01:00+01:00",
    }
    subprocess.run([KOMPAS, "init"], env={**os.environ, **env}, cwd=tmp_path, check=True, capture_output=True)
    running = Server(env, tmp_path).start()
    call(running.base, "GET", "/readyz")
    yield running.base
    running.close()


def test_register_fetch_answer_and_compare_over_http(server):
    status, _, registration = call(server, "POST", "/api/v1/installations", {"platform": "android"})
    assert status == 201
    token = registration["token"]
    status, _, dilemma = call(server, "GET", "/api/v1/dilemmas/current", token=token)
    assert status == 200 and dilemma["week"] == "2026-W50" and len(dilemma["options"]) == 4
    status, _, results = call(server, "PUT", f"/api/v1/dilemmas/{dilemma['id']}/answer", {"option": "B"}, token)
    assert status == 200 and results["my_answer"] == "B"
    # Nothing is shown while the week is open, whatever the number of answers.
    assert results["code"][0]["text"] and results["scopes"][0]["reason"] == "week_open"
    # Four more colleagues answer in other worker processes: still nothing until the week closed.
    for option in "ABCD":
        other = call(server, "POST", "/api/v1/installations", {"platform": "ios"})[2]["token"]
        status, _, theirs = call(server, "PUT", f"/api/v1/dilemmas/{dilemma['id']}/answer", {"option": option}, other)
        assert status == 200 and theirs["my_answer"] == option
        assert theirs["scopes"][0]["suppressed"] and theirs["scopes"][0]["reason"] == "week_open"
    status, _, mine = call(server, "GET", f"/api/v1/dilemmas/{dilemma['id']}/results", token=token)
    assert status == 200 and mine["my_answer"] == "B" and mine["scopes"][0]["total"] is None
    status, headers, problem = call(server, "PUT", f"/api/v1/dilemmas/{dilemma['id']}/answer", {"option": "Z"}, token)
    assert status == 422 and headers["Content-Type"] == "application/problem+json"
    assert "option" in problem["errors"]
