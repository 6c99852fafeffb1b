"""Fixtures: every test gets a fresh database, on SQLite by default and on
PostgreSQL with ``--postgres`` (a throwaway cluster, or the server named by
KOMPAS_TEST_DATABASE_URL). Fresh databases are copies of templates made once
per run: an empty schema, and one with the bundled content loaded."""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.platform.settings import parse_now
from content import loader
from dilemmas.storage import migrate
from dilemmas.storage.database import make_engine, make_sessionmaker
from tests.fakefcm import FakeFcm
from tests.pgcluster import PostgresUnavailable, ThrowawayCluster
from tests.sitecustom.sitecustomize import install as install_network_guard

DEFAULT_NOW = "2026-12-09T12:00:00+01:00"  # Wednesday of 2026-W50
SECRET = "test-secret-key-that-is-long-enough-0123456789"


# Connections the guard refused in this process during the current test.
BLOCKED: list[str] = []
# On the PYTHONPATH of every process a test starts: it loads the same guard.
GUARD_PATH = Path(__file__).resolve().parent / "sitecustom"


def pytest_configure(config):
    install_network_guard(BLOCKED.append)


def pytest_addoption(parser):
    parser.addoption("--postgres", action="store_true", help="run every test on PostgreSQL instead of SQLite")


def pytest_collection_modifyitems(config, items):
    """Each test runs where it can tell something, and at least once: tests
    about PostgreSQL itself run in the PostgreSQL half only; tests that use
    no database (no ``templates`` among their fixtures, however indirectly)
    and tests of what a page looks like (``sqlite_only``) run in the SQLite
    half only, since the other half would repeat them unchanged. Deselected,
    never skipped."""
    if config.getoption("--postgres"):
        once = [item for item in items if "sqlite_only" in item.keywords or "templates" not in item.fixturenames]
    else:
        once = [item for item in items if "postgres_only" in item.keywords]
    if once:
        config.hook.pytest_deselected(items=once)
        leaving = set(once)
        items[:] = [item for item in items if item not in leaving]


@pytest.fixture
def pg_cluster(templates):
    """The throwaway cluster, for tests that stop and start the database."""
    if getattr(templates, "cluster", None) is None:
        pytest.fail(
            "this test needs the throwaway PostgreSQL cluster (run with --postgres, without KOMPAS_TEST_DATABASE_URL)"
        )
    return templates.cluster


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if config.getoption('--postgres') else 'SQLite'}"


class SQLiteTemplates:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def prepare(self, name: str, with_content: bool) -> None:
        path = self.folder / f"{name}.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        if with_content:
            _load_bundled(url)

    def fresh(self, name: str, target: Path) -> str:
        path = target / f"kompas-{name}.db"
        shutil.copyfile(self.folder / f"{name}.db", path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        pass


class PostgresTemplates:
    counter = itertools.count()

    def __init__(self, server_url: str, throwaway: bool = False) -> None:
        self.server_url = server_url
        # Pinged on every use: the fault tests restart the server under it.
        self.admin = make_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=None, pool_pre_ping=True)
        with self.admin.connect() as connection:
            version = connection.dialect.server_version_info
        # A copy of the template's files is four times faster than writing
        # them through the WAL (the default from PostgreSQL 15 on); its
        # checkpoints cost nothing on the throwaway cluster, without fsync.
        self.strategy = " STRATEGY FILE_COPY" if throwaway and version >= (15,) else ""

    def _url(self, database: str) -> str:
        return make_url(self.server_url).set(database=database).render_as_string(hide_password=False)

    def _create(self, database: str, template: str | None = None) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            suffix = f' TEMPLATE "{template}"{self.strategy}' if template else ""
            connection.execute(text(f'CREATE DATABASE "{database}"{suffix}'))

    def prepare(self, name: str, with_content: bool) -> None:
        database = f"kompas_tpl_{name}_{os.getpid()}"
        self._create(database)
        url = self._url(database)
        migrate.upgrade(url)
        if with_content:
            _load_bundled(url)

    def fresh(self, name: str, target: Path) -> str:
        database = f"kompas_test_{os.getpid()}_{next(self.counter)}"
        self._create(database, f"kompas_tpl_{name}_{os.getpid()}")
        return self._url(database)

    def drop(self, url: str) -> None:
        database = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def _load_bundled(url: str) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        loader.load(session, loader.read(), parse_now("2026-11-02T08:00:00+01:00"))
    engine.dispose()


@pytest.fixture(scope="session")
def templates(request, tmp_path_factory):
    if request.config.getoption("--postgres"):
        cluster = None
        server_url = os.environ.get("KOMPAS_TEST_DATABASE_URL")
        if not server_url:
            try:
                cluster = ThrowawayCluster().start()
            except PostgresUnavailable as error:
                pytest.exit(f"--postgres: {error}", returncode=3)
            server_url = cluster.url()
        made = PostgresTemplates(server_url, throwaway=cluster is not None)
    else:
        cluster, made = None, SQLiteTemplates(tmp_path_factory.mktemp("templates"))
    made.cluster = cluster
    made.prepare("empty", with_content=False)
    made.prepare("bundled", with_content=True)
    yield made
    if cluster is not None:
        made.admin.dispose()
        cluster.stop()


@pytest.fixture
def database_url(templates, tmp_path):
    """A fresh database with the bundled content loaded."""
    url = templates.fresh("bundled", tmp_path)
    yield url
    templates.drop(url)


@pytest.fixture
def empty_database_url(templates, tmp_path):
    """A fresh database with the schema and nothing in it."""
    url = templates.fresh("empty", tmp_path)
    yield url
    templates.drop(url)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on the test's database; keyword arguments override config."""
    apps = []

    def build(**overrides):
        config = {
            "DATABASE_URL": database_url,
            "KOMPAS_ENV": "test",
            "KOMPAS_SECRET_KEY": SECRET,
            "KOMPAS_NOW": DEFAULT_NOW,
            "RATELIMIT_ENABLED": "false",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "TESTING": True,
        }
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["kompas.engine"].dispose()
        if "kompas.limits_engine" in app.extensions:
            app.extensions["kompas.limits_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextmanager
def watching(url: str):
    """A session for arranging and checking: every statement commits by
    itself, so it holds no locks and always reads what others committed."""
    # Pinged on every use: the fault tests restart the server under it.
    engine = make_engine(url, immediate=False, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


@pytest.fixture
def session(database_url):
    """A watching session on the test's database (with the bundled content)."""
    with watching(database_url) as session:
        yield session


def set_now(app, moment: str | datetime) -> None:
    """Move the app's frozen clock."""
    instant = parse_now(moment) if isinstance(moment, str) else moment
    app.extensions["kompas.settings"] = dataclasses.replace(app.extensions["kompas.settings"], frozen_now=instant)


@pytest.fixture(autouse=True)
def no_network(tmp_path, monkeypatch):
    """Fail the test when it, or a process it started, tried to connect to
    anything but this machine."""
    report = tmp_path / "network-guard.log"
    monkeypatch.setenv("KOMPAS_NETGUARD_LOG", str(report))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(GUARD_PATH), os.environ.get("PYTHONPATH")])))
    BLOCKED.clear()
    yield
    attempts = BLOCKED + (report.read_text().splitlines() if report.exists() else [])
    BLOCKED.clear()
    if attempts:
        pytest.fail("the test tried to reach the network: " + "; ".join(attempts), pytrace=False)


@pytest.fixture
def fcm(tmp_path):
    """A fake FCM server on 127.0.0.1 with a throwaway service-account key
    (``fcm.credentials``) that the real firebase-admin authenticates with."""
    with FakeFcm() as fake:
        fake.credentials = fake.service_account(tmp_path / "service-account.json")
        yield fake
