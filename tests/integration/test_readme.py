"""The README's walkthrough, run as written: every ``sh`` block marked
``<!-- walkthrough -->`` is taken from README.md, in order, and run in one
bash against a real `kompas serve` (with its rate limits and the real
clock, as `make run` has them), with curl failing on any error status. An
example that drifts from the product fails here."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SECRET
from tests.servers import KOMPAS, Server

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"<!-- walkthrough -->\n```sh\n(.*?)```", re.DOTALL)
# What a newcomer could not find in the README before (issue 17): each must
# be shown with its body in a block that runs.
MUST_SHOW = (
    "-X POST localhost:8000/api/v1/teams ",
    "/api/v1/teams/join",
    "/api/v1/sessions/join",
    "/vote",
    "-X POST localhost:8000/api/v1/admin/dilemmas ",
    "-X POST localhost:8000/api/v1/admin/tokens",
    "kompas admin create-token",
)
PREAMBLE = """set -euo pipefail
# A 4xx or 5xx ends the walkthrough, with the problem it printed.
curl() { command curl --fail-with-body --show-error "$@"; echo; }
"""


def walkthrough() -> str:
    blocks = BLOCK.findall(README.read_text())
    assert len(blocks) >= 5, "the README's walkthrough blocks are gone"
    return "\n".join(blocks)


def test_the_walkthrough_shows_every_request_with_its_body():
    script = walkthrough()
    for needed in MUST_SHOW:
        assert needed in script, needed


def test_the_readme_walkthrough_runs_against_a_server(database_url, tmp_path):
    for tool in ("curl", "jq", "bash"):
        if shutil.which(tool) is None:
            pytest.fail(f"the README's walkthrough needs {tool} (Debian: apt-get install {tool}; .ci/run does)")
    env = {"DATABASE_URL": database_url, "KOMPAS_SECRET_KEY": SECRET}
    server = Server(env, tmp_path, workers=2).start()
    try:
        script = walkthrough().replace("localhost:8000", f"127.0.0.1:{server.port}")
        script = script.replace(".venv/bin/kompas", KOMPAS)
        result = subprocess.run(
            ["bash", "-c", PREAMBLE + script],
            env={**os.environ, **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.close()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert re.search(r"^kompas_answers_total 1\.0$", output, re.MULTILINE), output[-3000:]
    assert '"status":"scheduled"' in output.replace(" ", ""), output[-3000:]
