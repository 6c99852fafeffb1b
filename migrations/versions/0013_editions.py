"""editions of a dilemma: a run again is a new dilemma row linked to the
edition before it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00

A new edition is its own dilemma (its own respondent keys, counters,
privacy budget and week, docs/anonymity.md); ``previous_edition_id`` says
which edition it repeats, for the shift between editions. Unique: editions
form one line.

On SQLite a new foreign key takes a batch "move and copy" of the table,
which drops the table's content-generation triggers (migration 0007): they
are put back after it, both ways.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_dilemmas_previous_edition_id_dilemmas"
INDEX = "ix_dilemmas_previous_edition_id"
BUMP = "UPDATE content_generation SET value = value + 1 WHERE id = 1"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _triggers_back() -> None:
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS bump_content_generation_dilemmas_{event.lower()} AFTER {event} ON dilemmas "
            f"BEGIN {BUMP}; END"
        )


def upgrade() -> None:
    with op.batch_alter_table("dilemmas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_edition_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FOREIGN_KEY, "dilemmas", ["previous_edition_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index(INDEX, ["previous_edition_id"], unique=True)
    if _sqlite():
        _triggers_back()


def downgrade() -> None:
    with op.batch_alter_table("dilemmas", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch_op.drop_column("previous_edition_id")
    if _sqlite():
        _triggers_back()
