"""The kompas command line, run as an operator would."""

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from api.cli import main
from dilemmas.model.content import Dilemma
from dilemmas.model.schedule import ScheduledWeek
from tests.conftest import SECRET, watching


@pytest.fixture
def kompas(empty_database_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("KOMPAS_SECRET_KEY", SECRET)
    monkeypatch.setenv("KOMPAS_NOW", "2026-12-07T09:01:00+01:00")

    def run(*args, ok=True):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


@pytest.fixture
def session(empty_database_url):
    """The commands work on the empty database; watch that one."""
    with watching(empty_database_url) as session:
        yield session


def test_init_is_safe_to_run_twice(kompas, session):
    first = kompas("init")
    assert "new" in first.output
    dilemmas = session.scalar(select(func.count()).select_from(Dilemma))
    assert dilemmas >= 12
    second = kompas("init")
    assert "0 new, 0 revised" in second.output
    assert session.scalar(select(func.count()).select_from(Dilemma)) == dilemmas


def test_db_current_names_the_head(kompas):
    kompas("db", "upgrade")
    output = kompas("db", "current").output
    current, head = (line.split()[-1] for line in output.strip().splitlines()[-2:])
    assert current == head


def test_content_check_passes_on_the_bundled_bank_and_fails_on_a_broken_one(kompas, tmp_path):
    assert "No problems found" in kompas("content", "check").output
    broken = tmp_path / "broken"
    (broken / "dilemmas" / "rijk").mkdir(parents=True)
    (broken / "dilemmas" / "rijk" / "x.yaml").write_text("slug: x\n", encoding="utf-8")
    result = kompas("content", "check", str(broken), ok=False)
    assert "organisations.yaml" in result.output and "dilemmas/rijk/x.yaml: title" in result.output


def test_enrolment_code_is_stable_and_works(kompas):
    kompas("init")
    code = kompas("org", "enrolment-code", "douane").output.strip().splitlines()[-1]
    assert kompas("org", "enrolment-code", "douane").output.strip().splitlines()[-1] == code
    assert kompas("org", "enrolment-code", "nope", ok=False).exit_code == 1
    # A phone can use the printed code, with or without dashes and case.
    from api.app import create_app

    app = create_app({"RATELIMIT_ENABLED": "false"})
    response = app.test_client().post("/api/v1/installations", json={"platform": "ios", "enrolment_code": code.lower()})
    app.extensions["kompas.engine"].dispose()
    assert response.get_json()["organisation"]["slug"] == "douane"


def test_push_tick_begins_the_week_once(kompas, session):
    kompas("init")
    first = kompas("push", "tick").output
    assert "scheduled dilemma" in first and "2026-W50" in first
    assert kompas("push", "tick").output.strip() == ""
    assert session.scalar(select(func.count()).select_from(ScheduledWeek)) == 1


def test_production_refuses_a_frozen_clock(kompas, monkeypatch):
    monkeypatch.setenv("KOMPAS_ENV", "production")
    result = kompas("db", "current", ok=False)
    assert "KOMPAS_NOW" in result.output


def test_content_check_lists_what_is_past_review_and_fails_on_it_only_when_strict(kompas, monkeypatch):
    # A year on, many items are past their review_by date.
    monkeypatch.setenv("KOMPAS_NOW", "2027-12-10T09:00:00+01:00")
    lenient = kompas("content", "check", ok=False).output  # a topical dilemma has expired by then
    strict = kompas("content", "check", "--strict", ok=False).output
    overdue = [line for line in lenient.splitlines() if line.startswith("review by") and ".yaml" in line]
    assert overdue, "the table lists what is past its review date"
    assert "has passed: review it" not in lenient
    assert strict.count("has passed: review it") == len(overdue)
