"""The README's flow against a real server process (gunicorn), over HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SECRET

KOMPAS = str(Path(sys.executable).parent / "kompas")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(f"{base}{path}", method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read())


@pytest.fixture
def server(empty_database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": empty_database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": "2026-12-07T09:01:00+01:00",
        "KOMPAS_PORT": str(free_port()),
    }
    subprocess.run([KOMPAS, "init"], env=env, cwd=tmp_path, check=True, capture_output=True)
    process = subprocess.Popen(
        [KOMPAS, "serve", "--workers", "2"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{env['KOMPAS_PORT']}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if call(base, "GET", "/readyz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"server did not become ready: {process.stdout.read().decode()[-2000:]}")
    yield base
    process.terminate()
    process.wait(timeout=30)
    process.stdout.close()


def test_register_fetch_answer_and_compare_over_http(server):
    status, _, registration = call(server, "POST", "/api/v1/installations", {"platform": "android"})
    assert status == 201
    token = registration["token"]
    status, _, dilemma = call(server, "GET", "/api/v1/dilemmas/current", token=token)
    assert status == 200 and dilemma["week"] == "2026-W50" and len(dilemma["options"]) == 4
    status, _, results = call(server, "PUT", f"/api/v1/dilemmas/{dilemma['id']}/answer", {"option": "B"}, token)
    assert status == 200 and results["my_answer"] == "B"
    assert results["code"][0]["text"] and results["scopes"][0]["reason"] == "too_few_answers"
    # Four more colleagues answer in other worker processes; a closed week then shows the spread.
    for option in "ABCD":
        other = call(server, "POST", "/api/v1/installations", {"platform": "ios"})[2]["token"]
        call(server, "PUT", f"/api/v1/dilemmas/{dilemma['id']}/answer", {"option": option}, other)
    status, headers, problem = call(server, "PUT", f"/api/v1/dilemmas/{dilemma['id']}/answer", {"option": "Z"}, token)
    assert status == 422 and headers["Content-Type"] == "application/problem+json"
    assert "option" in problem["errors"]
