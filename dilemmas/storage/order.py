"""Storage order that says nothing of time.

PostgreSQL keeps a table's rows in the order they were written, and a dump
(``pg_dump``) keeps that order: rows written by people one after the other
would say who came first. SQLite tables of such rows are WITHOUT ROWID,
stored in key order. On PostgreSQL ``rewrite_in_key_order`` writes a set of
rows again, in key order, in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import Table, text
from sqlalchemy.orm import Session


def rewrite_in_key_order(session: Session, table: Table, column: str, value: int) -> None:
    """Write the rows of ``table`` whose ``column`` is ``value`` again, in
    primary-key order (PostgreSQL; SQLite keeps them so anyway). The rows are
    locked first, so that no change slips between the copy and the delete,
    and only the copied rows are deleted, so that a row inserted meanwhile
    stays as it is."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = ", ".join(c.name for c in table.primary_key.columns)
    connection = session.connection()
    parameters = {"value": value}
    name = table.name
    connection.execute(text(f"SELECT 1 FROM {name} WHERE {column} = :value FOR UPDATE"), parameters)
    connection.execute(
        text(f"CREATE TEMPORARY TABLE rewritten ON COMMIT DROP AS SELECT * FROM {name} WHERE {column} = :value"),
        parameters,
    )
    connection.execute(text(f"DELETE FROM {name} WHERE ({keys}) IN (SELECT {keys} FROM rewritten)"))
    connection.execute(text(f"INSERT INTO {name} SELECT * FROM rewritten ORDER BY {keys}"))
    connection.execute(text("DROP TABLE rewritten"))
