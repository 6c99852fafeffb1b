"""One SQLAlchemy session per request, closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from dilemmas.database import make_engine, make_sessionmaker
from dilemmas.memo import Memo
from dilemmas.schedule import WeekKeeper


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["kompas.engine"] = engine
    app.extensions["kompas.sessions"] = make_sessionmaker(engine)
    app.extensions["kompas.weeks"] = WeekKeeper()
    app.extensions["kompas.memo"] = Memo()
    app.teardown_appcontext(_close_session)


def db_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["kompas.sessions"]()
    return g.db_session


def memo() -> Memo:
    """This process's memory of the content tables (``dilemmas.memo``)."""
    return current_app.extensions["kompas.memo"]


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def begin_week() -> None:
    """Make sure this week has begun: scheduled dilemmas published and an
    empty week filled from the bank (once per process per week)."""
    from api.config import clock

    current_app.extensions["kompas.weeks"].ensure(db_session(), clock(current_app.config))
