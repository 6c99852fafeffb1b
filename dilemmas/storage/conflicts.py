"""What a write does when it meets a UNIQUE constraint, on the two databases
Kompas runs on: ignore the row, or retry with a new value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def insert_for(session_or_dialect: Session | str, table):
    """The INSERT construct (with ON CONFLICT) of the session's database."""
    dialect = session_or_dialect if isinstance(session_or_dialect, str) else session_or_dialect.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database: {dialect}")


def insert_ignoring_conflicts(session: Session, model, values: dict[str, Any]) -> int | None:
    """Insert a row unless it breaks a UNIQUE constraint; the new id or None."""
    statement = insert_for(session, model.__table__).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(model.__table__.c.id)).scalar()


def retry_on_conflict(session: Session, write: Callable[[], T], attempts: int = 5) -> T:
    """Run ``write`` (which flushes) in a savepoint, and again when it breaks
    a UNIQUE constraint: for random codes that must be unique. The last
    attempt's error is raised when every attempt clashed."""
    for _ in range(attempts - 1):
        try:
            with session.begin_nested():
                return write()
        except IntegrityError:
            continue
    with session.begin_nested():
        return write()
