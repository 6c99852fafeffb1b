"""Migration 0004 creates exactly what push's models describe, and can be
undone, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from dilemmas.model import metadata
from dilemmas.storage import migrate
from dilemmas.storage.database import make_engine

PUSH_TABLES = {"push_campaigns", "push_batches", "push_log", "push_topic_members"}


def test_the_push_migration_matches_the_models_and_goes_both_ways(empty_database_url):
    engine = make_engine(empty_database_url, immediate=False)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            assert set(inspect(connection).get_table_names()) >= PUSH_TABLES
        before_push = ScriptDirectory.from_config(migrate.alembic_config(empty_database_url)).get_revision("0004")
        migrate.downgrade(empty_database_url, before_push.down_revision)
        with engine.connect() as connection:
            assert not PUSH_TABLES & set(inspect(connection).get_table_names())
            assert "installations" in inspect(connection).get_table_names()
        migrate.upgrade(empty_database_url)
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= PUSH_TABLES
            assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()
