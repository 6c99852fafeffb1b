"""One SQLAlchemy session per request, closed when the request ends.

The app's busiest requests only read (``read_only`` views). On PostgreSQL
their session runs without a transaction (autocommit): every statement
sees what was committed when it ran, and the request saves the BEGIN and
ROLLBACK round trips. SQLite keeps one transaction per request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from api.platform.context import request_time
from dilemmas.office.calendar import WeekKeeper
from dilemmas.reads.memo import Memo
from dilemmas.storage.database import make_engine, make_sessionmaker


def init_app(app: Flask) -> None:
    engine = make_engine(app.extensions["kompas.settings"].database_url)
    app.extensions["kompas.engine"] = engine
    app.extensions["kompas.sessions"] = make_sessionmaker(engine)
    app.extensions["kompas.reading_sessions"] = (
        make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
        if engine.dialect.name == "postgresql"
        else app.extensions["kompas.sessions"]
    )
    app.extensions["kompas.weeks"] = WeekKeeper()
    app.extensions["kompas.memo"] = Memo()
    app.teardown_appcontext(_close_session)


def db_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[_SESSIONS[g.get("read_only", False)]]()
    return g.db_session


_SESSIONS = {False: "kompas.sessions", True: "kompas.reading_sessions"}


def read_only(view: Callable) -> Callable:
    """Mark a view that never writes: its session needs no transaction."""

    @functools.wraps(view)
    def reading(*args, **kwargs):
        g.read_only = True
        return view(*args, **kwargs)

    reading.read_only = True  # seen by auth.authenticate_first, which opens the session
    return reading


def memo() -> Memo:
    """This process's memory of the content tables (``dilemmas.reads.memo``)."""
    return current_app.extensions["kompas.memo"]


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def ensure_week_begun() -> None:
    """Begin this week if this process has not yet: scheduled dilemmas
    published and an empty week filled from the bank (``WeekKeeper``: one
    check without a query after the first request of the week). Runs
    before the app's dilemma requests, in a transaction of its own, so
    that the views themselves only read."""
    keeper, now = current_app.extensions["kompas.weeks"], request_time()
    if not keeper.has_begun(now):
        with current_app.extensions["kompas.sessions"]() as session:
            keeper.ensure(session, now)
