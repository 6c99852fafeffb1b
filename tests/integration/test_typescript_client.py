"""The contract as a TypeScript developer meets it: openapi-typescript
(from npm, pinned, in .tools/typescript) generates the types from the
server's own document, ``tsc --strict`` type-checks tests/typescript/week.mts
(the employee's week through openapi-fetch), and node runs it against a
real `kompas serve`. The program's annotations compile only while the
document declares enums, null and headers as the server sends them."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_NOW, SECRET
from tests.servers import Server

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools" / "typescript" / "node_modules"
PROGRAM = ROOT / "tests" / "typescript" / "week.mts"
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "lib": ["es2022", "dom"],
        "outDir": "out",
        "noEmitOnError": True,
    },
    "files": ["week.mts"],
}


def tool(name: str) -> str:
    path = TOOLS / ".bin" / name
    if not path.exists():
        pytest.fail(f"{name} is not installed at {path}: run `make test-tools` (it needs npm)")
    return str(path)


def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def server(database_url, tmp_path):
    env = {
        "DATABASE_URL": database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": DEFAULT_NOW,
        "RATELIMIT_ENABLED": "false",
    }
    (tmp_path / "server").mkdir()
    running = Server(env, tmp_path / "server", workers=2).start()
    yield running
    running.stop()


def test_the_employees_week_in_strict_typescript(server, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: apt-get install nodejs npm (Debian)")
    work = tmp_path / "app"
    work.mkdir()
    (work / "node_modules").symlink_to(TOOLS, target_is_directory=True)
    (work / "package.json").write_text('{"private": true, "type": "module"}')
    (work / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    shutil.copy(PROGRAM, work / "week.mts")
    with urllib.request.urlopen(f"{server.base}/openapi.json") as response:
        (work / "openapi.json").write_bytes(response.read())
    run([tool("openapi-typescript"), "openapi.json", "--output", "schema.d.ts"], work)
    run([tool("tsc"), "--project", "tsconfig.json"], work)
    outcome = json.loads(run([node, "out/week.mjs", server.base], work).strip().splitlines()[-1])
    assert outcome["ok"] is True and outcome["responses"] >= 15
