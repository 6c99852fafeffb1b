"""Configuration refuses what it cannot honour, and says which setting."""

import pytest

from api.platform.settings import ConfigError, Settings

BASE = {"KOMPAS_SECRET_KEY": "k" * 40}


def config(tmp_path, **environ):
    return Settings.load({**BASE, **environ}, overrides={"INSTANCE_PATH": str(tmp_path)})


def test_defaults(tmp_path):
    values = config(tmp_path)
    assert values.thresholds.min_group == 5
    assert values.database_url == "sqlite:///instance/kompas.db"
    assert values.max_content_length == 65536 and values.limits_enabled is True
    assert values.frozen_now is None


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"ANONYMITY_MIN_GROUP": "2"}, "ANONYMITY_MIN_GROUP"),
        ({"ANONYMITY_MIN_GROUP": "five"}, "ANONYMITY_MIN_GROUP"),
        ({"KOMPAS_TIMEZONE": "Mars/Olympus"}, "KOMPAS_TIMEZONE"),
        ({"KOMPAS_WEEKLY_PUSH": "monday 9"}, "KOMPAS_WEEKLY_PUSH"),
        ({"PUSH_TRANSPORT": "pigeon"}, "PUSH_TRANSPORT"),
        ({"RATELIMIT_ENABLED": "sometimes"}, "RATELIMIT_ENABLED"),
        ({"KOMPAS_NOW": "next monday"}, "KOMPAS_NOW"),
        ({"KOMPAS_NOW": "2026-12-07T09:00:00"}, "KOMPAS_NOW"),
        ({"KOMPAS_ENV": "production", "KOMPAS_NOW": "2026-12-07T09:00:00+01:00"}, "KOMPAS_NOW"),
        ({"KOMPAS_ENV": "production", "DATABASE_URL": "postgresql+psycopg://x/y", "KOMPAS_SECRET_KEY": ""}, "SECRET"),
        ({"KOMPAS_ENV": "production"}, "PostgreSQL"),
        ({"KOMPAS_SECRET_KEY": "short"}, "KOMPAS_SECRET_KEY"),
        ({"KOMPAS_NOW_FILE": "/nonexistent/kompas-now"}, "KOMPAS_NOW_FILE"),
    ],
)
def test_refusals_name_the_setting(tmp_path, environ, names):
    with pytest.raises(ConfigError, match=names):
        config(tmp_path, **environ)


def test_frozen_clock_and_generated_secret(tmp_path):
    values = Settings.load({"KOMPAS_NOW": "2026-12-07T09:01:00+01:00"}, overrides={"INSTANCE_PATH": str(tmp_path)})
    assert values.frozen_now.isoformat() == "2026-12-07T08:01:00+00:00" and values.now() == values.frozen_now
    secret = values.secret_key
    assert len(secret) >= 32 and (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings.load({}, overrides={"INSTANCE_PATH": str(tmp_path)}).secret_key == secret


def test_a_clock_file_moves_the_clock_of_a_running_app(tmp_path):
    """KOMPAS_NOW_FILE: the instant in the file, read again whenever the
    clock is asked, so that a test moves a server's clock without a restart."""
    path = tmp_path / "now"
    path.write_text("2026-12-07T09:01:00+01:00\n")
    values = config(tmp_path, KOMPAS_NOW_FILE=str(path))
    assert values.now().isoformat() == "2026-12-07T08:01:00+00:00"
    path.write_text("2026-12-14T09:01:00+01:00")
    assert values.now().isoformat() == "2026-12-14T08:01:00+00:00"
    path.write_text("next monday")
    with pytest.raises(ConfigError, match="KOMPAS_NOW_FILE"):
        values.now()


@pytest.mark.parametrize(
    "environ",
    [
        {"KOMPAS_ENV": "production", "DATABASE_URL": "postgresql+psycopg://x/y"},
        {"KOMPAS_NOW": "2026-12-07T09:01:00+01:00"},
    ],
)
def test_a_clock_file_is_refused_in_production_and_beside_a_frozen_clock(tmp_path, environ):
    path = tmp_path / "now"
    path.write_text("2026-12-07T09:01:00+01:00")
    with pytest.raises(ConfigError, match="KOMPAS_NOW_FILE"):
        config(tmp_path, KOMPAS_NOW_FILE=str(path), **environ)
