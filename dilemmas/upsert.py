"""INSERT ... ON CONFLICT for the two databases Kompas runs on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def insert_for(session: Session, table):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database: {dialect}")


def insert_ignoring_conflicts(session: Session, model, values: dict[str, Any]) -> int | None:
    """Insert a row unless it breaks a UNIQUE constraint; the new id or None."""
    statement = insert_for(session, model.__table__).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(model.__table__.c.id)).scalar()


def add_to_counter(session: Session, model, key: dict[str, Any], column: str, delta: int) -> None:
    """Atomically add ``delta`` to ``column`` of the row with ``key``, creating
    it at ``delta`` when it does not exist yet."""
    table = model.__table__
    statement = insert_for(session, table).values(**key, **{column: delta})
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: table.c[column] + statement.excluded[column]},
    )
    session.execute(statement)


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
    table = model.__table__
    statement = insert_for(session, table).values([{**key, column: delta} for key in keys])
    statement = statement.on_conflict_do_update(
        index_elements=list(keys[0]),
        set_={column: table.c[column] + statement.excluded[column]},
    )
    session.execute(statement)
