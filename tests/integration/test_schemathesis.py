"""Schemathesis, a tool we did not write, against our own OpenAPI document
and a real server process with a fresh database of the bundled content.
Valid installation and admin tokens are supplied so that it reaches past
401; every check runs on every operation (revoking admin tokens last, with
a token of its own), and the run must find nothing: no failure and no 5xx."""

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SECRET, parse_now
from tests.factories import admin_token
from tests.servers import Server, call

pytestmark = pytest.mark.postgres_only

ST = str(Path(sys.executable).parent / "st")
EXAMPLES = os.environ.get("KOMPAS_SCHEMATHESIS_EXAMPLES", "40")


@pytest.fixture
def server(database_url, tmp_path):
    env = {
        "DATABASE_URL": database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": "2026-12-09T12:00:00+01:00",
        "RATELIMIT_ENABLED": "false",
    }
    running = Server(env, tmp_path, workers=3).start()
    running.admin_token = admin_token(database_url, "admin", "rijk", "Schemathesis", parse_now(env["KOMPAS_NOW"]))
    yield running
    running.close()


def fresh_installation(base):
    status, _, body = call(base, "POST", "/api/v1/installations", {"platform": "android"})
    assert status == 201
    token = body["token"]
    assert call(base, "GET", "/api/v1/dilemmas/current", token=token)[0] == 200
    return token


def second_admin(server):
    status, _, body = call(
        server.base,
        "POST",
        "/api/v1/admin/tokens",
        {"name": "Schemathesis revoker", "role": "admin"},
        token=server.admin_token,
    )
    assert status == 201
    return body["token"]


def without_idempotency_keys(base: str, workdir: Path) -> Path:
    """The server's document less its Idempotency-Key parameters and the
    answer's `prediction`. Schemathesis would send one generated key with
    many bodies, which the server rightly refuses (422); a client that
    follows docs/clients.md never does. Keys are tested in
    tests/api/test_idempotency.py. A prediction's percentages must add up
    to 100, which JSON Schema cannot say, so schema-valid predictions are
    mostly refused (422); they are tested in tests/api/test_predictions.py."""
    with urllib.request.urlopen(f"{base}/openapi.json") as response:
        document = json.load(response)
    del document["components"]["schemas"]["AnswerIn"]["properties"]["prediction"]
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [p for p in operation["parameters"] if p.get("name") != "Idempotency-Key"]
    path = workdir / "openapi.json"
    path.write_text(json.dumps(document))
    return path


def schemathesis(base, token, workdir, *selection):
    command = [
        ST,
        "run",
        str(without_idempotency_keys(base, workdir)),
        "--url",
        base,
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        # One worker: hypothesis reads lambda sources in a way that races
        # between schemathesis's worker threads.
        "--workers",
        "1",
        "--seed",
        "20261209",
        "--header",
        f"Authorization: Bearer {token}",
        "--suppress-health-check",
        "all",
        *selection,
    ]
    # In the test's own folder: schemathesis keeps a cache where it runs.
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=workdir)
    output = result.stdout + result.stderr
    summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    print(summary)
    generated = re.search(r"(\d+) generated", output)
    return result.returncode, output, int(generated.group(1)) if generated else 0


def test_schemathesis_finds_nothing(server, tmp_path):
    runs = [
        # The app with an installation token; erasure runs last, on its own.
        (
            fresh_installation(server.base),
            [
                "--exclude-path-regex",
                "^/api/v1/admin",
                "--exclude-path",
                "/api/v1/installations/me",
                "--exclude-method",
                "DELETE",
            ],
        ),
        (
            fresh_installation(server.base),
            [
                "--exclude-path-regex",
                "^/api/v1/admin",
                "--exclude-path",
                "/api/v1/installations/me",
                "--include-method",
                "DELETE",
            ],
        ),
        (
            server.admin_token,
            ["--include-path-regex", "^/api/v1/admin", "--exclude-path", "/api/v1/admin/tokens/{token_id}"],
        ),
        (fresh_installation(server.base), ["--include-path", "/api/v1/installations/me"]),
        # Revoking tokens last, with a token of its own: it may revoke itself.
        (second_admin(server), ["--include-path", "/api/v1/admin/tokens/{token_id}"]),
    ]
    total = 0
    for token, selection in runs:
        code, output, generated = schemathesis(server.base, token, tmp_path, *selection)
        total += generated
        assert code == 0, output[-6000:]
    print(f"schemathesis: {total} test cases generated, 0 failures")
    assert total > 1000
