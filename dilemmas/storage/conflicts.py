"""What a write does when it meets a UNIQUE constraint, on the two databases
Kompas runs on: ignore the row, add to a counter, or retry with a new value."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import TextClause, text
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


def add_to_counters(session: Session, model, keys: list[dict[str, Any]], column: str, delta: int) -> None:
    """``add_to_counter`` for several distinct rows in one statement (the
    rows are always written in the order given, so that two transactions
    cannot deadlock on them)."""
    if not keys:
        return
    names = tuple(keys[0])
    statement = _counters_statement(model.__table__.name, names, column, len(keys))
    parameters = {f"{name}_{i}": key[name] for i, key in enumerate(keys) for name in names}
    session.connection().execute(statement, {**parameters, "delta": delta})


@functools.cache
def _counters_statement(table: str, names: tuple[str, ...], column: str, rows: int) -> TextClause:
    # Text, built once per shape: SQLAlchemy cannot cache the compiled form
    # of an ON CONFLICT DO UPDATE construct, and compiling it cost more than
    # running it (an answer runs two). The syntax is the same on PostgreSQL
    # and SQLite; the names come from the models, never from a request.
    values = ", ".join("(" + ", ".join([*(f":{name}_{i}" for name in names), ":delta"]) + ")" for i in range(rows))
    return text(
        f"INSERT INTO {table} ({', '.join(names)}, {column}) VALUES {values} "
        f"ON CONFLICT ({', '.join(names)}) DO UPDATE SET {column} = {table}.{column} + excluded.{column}"
    )
