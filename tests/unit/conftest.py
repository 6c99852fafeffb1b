"""Fixtures for the tests of the domain without HTTP: a session of the kind
the app and the command line use, on a fresh database with the bundled
content, and a frozen clock."""

import pytest

from api.platform.settings import parse_now
from dilemmas.storage.database import make_engine, make_sessionmaker
from tests.conftest import DEFAULT_NOW

# Wednesday noon of 2026-W50 in Amsterdam, and the first instant of 2026-W51.
NOW = parse_now(DEFAULT_NOW)
NEXT_WEEK = parse_now("2026-12-14T00:00:00+01:00")


@pytest.fixture
def db(database_url):
    """A session whose transactions the services own: each use case commits
    (or the test rolls back) what it wrote, BEGIN IMMEDIATE on SQLite."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()
