"""The command line works from the settings and the database alone: every
command but ``serve`` builds no Flask app and imports no web framework, so
cron's ``kompas push tick`` starts in a fraction of the app's time."""

import subprocess
import sys

from tests.pushkit import kompas_env

WEB_STACK = ("flask", "flask_smorest", "apispec", "marshmallow", "webargs", "flask_limiter")

# Runs the commands in one process, then names every web package it loaded.
SCRIPT = f"WEB_STACK = {WEB_STACK!r}\n" + """
import sys
from api.cli import main
for args in sys.argv[1:]:
    try:
        main(args.split(), standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            raise
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(WEB_STACK))
print("web stack:", ",".join(loaded) or "none")
"""


def test_push_tick_and_the_database_commands_import_no_web_stack(database_url, tmp_path):
    commands = ["push tick", "org enrolment-code douane", "db current", "content load", "init"]
    commands.append("admin create-token --name Ada --role admin --org rijk --days 1")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *commands],
        env=kompas_env(database_url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Content loaded" in result.stdout and "head:" in result.stdout
    assert result.stdout.strip().endswith("web stack: none"), result.stdout[-400:]


def test_a_setting_it_refuses_is_named_without_a_traceback(database_url, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "push", "tick"],
        env=kompas_env(database_url, KOMPAS_WEEKLY_PUSH="monday 9"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "configuration: KOMPAS_WEEKLY_PUSH must look like 'MON 09:00'" in result.stderr
    assert "Traceback" not in result.stderr
