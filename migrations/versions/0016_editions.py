"""editions of a dilemma: a run again is a new dilemma row linked to the
edition before it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00

A new edition is its own dilemma (its own respondent keys, counters,
privacy budget and week, docs/anonymity.md); ``previous_edition_id`` says
which edition it repeats, for the shift between editions. Unique: editions
form one line.

On SQLite the column is added and dropped in place, never by a batch "move
and copy": dropping the old ``dilemmas`` table with foreign keys on would
delete every revision, schedule entry and answer by cascade, and would
drop the table's content-generation triggers (migration 0007).
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_dilemmas_previous_edition_id_dilemmas"
INDEX = "ix_dilemmas_previous_edition_id"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        op.execute(
            f"ALTER TABLE dilemmas ADD COLUMN previous_edition_id INTEGER CONSTRAINT {FOREIGN_KEY} REFERENCES dilemmas (id)"
        )
    else:
        op.add_column("dilemmas", sa.Column("previous_edition_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "dilemmas", "dilemmas", ["previous_edition_id"], ["id"])
    op.create_index(INDEX, "dilemmas", ["previous_edition_id"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="dilemmas")
    if _sqlite():
        op.execute("ALTER TABLE dilemmas DROP COLUMN previous_edition_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "dilemmas", type_="foreignkey")
        op.drop_column("dilemmas", "previous_edition_id")
