"""editions of a dilemma: a run again is a new dilemma row linked to the
edition before it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00

A new edition is its own dilemma (its own respondent keys, counters,
privacy budget and week, docs/anonymity.md); ``previous_edition_id`` says
which edition it repeats, for the shift between editions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dilemmas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_edition_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dilemmas_previous_edition_id"), ["previous_edition_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_dilemmas_previous_edition_id_dilemmas"),
            "dilemmas",
            ["previous_edition_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("dilemmas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_dilemmas_previous_edition_id_dilemmas"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_dilemmas_previous_edition_id"))
        batch_op.drop_column("previous_edition_id")
