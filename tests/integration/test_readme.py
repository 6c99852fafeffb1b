"""The walkthrough, run as written: every ``sh`` block marked
``<!-- walkthrough -->`` is taken from the README and then from the
documents in ``WALKTHROUGH`` (in that order, each top to bottom) and run in
one bash against a real `kompas serve` (with its rate limits and the real
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

ROOT = Path(__file__).resolve().parents[2]
# The tour starts in the README and goes on in docs/; later blocks use the
# shell variables of earlier ones ($TOKEN, $ID, $ADMIN), so the order is
# part of the walkthrough.
WALKTHROUGH = ("README.md", "docs/api.md", "docs/office.md", "docs/meetings.md", "docs/operations.md")
MARK = "<!-- walkthrough -->"
# The mark on a line of its own; written inside a sentence it is prose.
MARKS = re.compile(r"^" + re.escape(MARK) + r"$", re.MULTILINE)
BLOCK = re.compile(r"^" + re.escape(MARK) + r"\n```sh\n(.*?)```", re.DOTALL | re.MULTILINE)
# What a newcomer could not find in the README before (issue 17): each must
# be shown with its body in a block that runs, in the README or in docs/.
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
    blocks = []
    for name in WALKTHROUGH:
        text = (ROOT / name).read_text()
        found = BLOCK.findall(text)
        # A mark whose block is not ```sh would be skipped silently.
        assert len(found) == len(MARKS.findall(text)), f"{name}: a {MARK} mark is not followed by a ```sh block"
        blocks += found
    assert BLOCK.findall((ROOT / "README.md").read_text()), "the README's tour is no longer a walkthrough block"
    assert len(blocks) >= 5, "the walkthrough blocks are gone"
    return "\n".join(blocks)


def test_every_walkthrough_block_is_in_a_document_the_test_runs():
    stray = [
        str(path.relative_to(ROOT))
        for path in sorted([ROOT / "README.md", *ROOT.glob("docs/*.md")])
        if MARKS.search(path.read_text()) and str(path.relative_to(ROOT)) not in WALKTHROUGH
    ]
    assert not stray, f"walkthrough blocks that no test runs (add the file to WALKTHROUGH): {stray}"


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
    assert re.search(r"^kompas_http_requests_total\{", output, re.MULTILINE), output[-3000:]
    assert "kompas_answers" not in output
    assert '"status":"scheduled"' in output.replace(" ", ""), output[-3000:]
    # Step 3: the answer with a prediction, and what comes back (issue 24).
    compact = output.replace(" ", "")
    assert '"prediction":{"A":30,"B":40,"C":20,"D":10}' in compact, output[-3000:]
    for member in ('"live_until":', '"margin":', '"opens_at":"', '"closes_at":"', '"results_at":"'):
        assert member in compact, member
