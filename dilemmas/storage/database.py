"""Engines and sessions for SQLite and PostgreSQL, set up the same way for
the web app, the command line and the tests."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, immediate: bool = True, **options) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys, a busy timeout
    and (``immediate``) BEGIN IMMEDIATE: every transaction takes the write
    lock up front, so two writers queue instead of failing halfway with
    'database is locked'. Without ``immediate`` no BEGIN is issued at all and
    every statement commits by itself (for tests that watch the database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **options)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        if immediate:

            @event.listens_for(engine, "begin")
            def _on_begin(connection):
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    parsed, connect_args = _driver_settings(parsed)
    if connect_args:
        options["connect_args"] = {**options.get("connect_args", {}), **connect_args}
    engine = create_engine(parsed, **options)
    _ping_after_idleness(engine)
    return engine


# psycopg's own name for it; a query parameter of DATABASE_URL.
PREPARE_THRESHOLD = "prepare_threshold"


def _driver_settings(parsed: URL) -> tuple[URL, dict]:
    """Settings of psycopg that a URL can only carry as text, taken out of
    its query and given to psycopg as values.

    ``prepare_threshold``: psycopg prepares a statement on a connection's
    fifth run of it (by default). Behind a pooler in transaction mode
    (pgbouncer's ``pool_mode = transaction``) the next transaction may run on
    another server connection, where that prepared statement does not exist
    (or another one of the same name does), so such a DATABASE_URL says
    ``?prepare_threshold=none`` and nothing is prepared. A number sets
    psycopg's threshold."""
    if PREPARE_THRESHOLD not in parsed.query:
        return parsed, {}
    raw = parsed.query[PREPARE_THRESHOLD]
    raw = raw[-1] if isinstance(raw, tuple) else raw
    if raw.strip().lower() in ("none", "off", "never", ""):
        threshold = None
    else:
        try:
            threshold = int(raw)
        except ValueError:
            raise ValueError(f"DATABASE_URL: prepare_threshold must be a number or none, not {raw!r}") from None
        if threshold < 0:
            raise ValueError(f"DATABASE_URL: prepare_threshold must be a number >= 0 or none, not {raw!r}")
    return parsed.difference_update_query([PREPARE_THRESHOLD]), {PREPARE_THRESHOLD: threshold}


# A pooled connection that has waited this long is pinged before use.
IDLE_BEFORE_PING = 5.0


def _ping_after_idleness(engine: Engine) -> None:
    """Check a pooled connection before use only when it has been idle.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip
    per request, a fifth of an answer's time under load. What it guards
    against (a server restart, a firewall dropping an idle connection)
    happens to connections that have been idle; one that fails while busy
    makes SQLAlchemy discard the whole pool, so that request is a 503 and
    the next ones connect afresh."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool then replaces the connection and tries again.
            raise DisconnectionError(str(error)) from error


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # Objects stay readable after commit: a request commits once and then
    # builds its response from what it has, without reloading every row.
    return sessionmaker(engine, expire_on_commit=False)
