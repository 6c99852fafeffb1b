"""content generation: one number that every change to content moves

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 13:10:00

Triggers on every table whose rows a server process may keep in memory
(organisations, categories, dilemmas and their revisions, options and code
references, code sections, the schedule) add one to
``content_generation.value`` in the same transaction as the change, so a
process that reads the number knows whether what it remembers still holds.
On PostgreSQL the trigger runs once per statement, before it touches a row:
the generation row's lock is always the first lock such a transaction
takes. SQLite has only row triggers.
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WATCHED = (
    "organisations",
    "categories",
    "dilemmas",
    "revisions",
    "options",
    "revision_sections",
    "code_sections",
    "schedule",
)
BUMP = "UPDATE content_generation SET value = value + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "content_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_generation")),
    )
    op.execute("INSERT INTO content_generation (id, value) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_content_generation() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER bump_content_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_content_generation()"
            )
    else:
        for table in WATCHED:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER bump_content_generation_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {BUMP}; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER bump_content_generation ON {table}")
        op.execute("DROP FUNCTION bump_content_generation()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER bump_content_generation_{table}_{event}")
    op.drop_table("content_generation")
