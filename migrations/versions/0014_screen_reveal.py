"""the presenter screen's reveal: the step a round was revealed in

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:30:00

``meeting_deliberations.revealed_step`` (nullable): with a method running,
the screen shows the whole result after a reveal and the method's step
only once the meeting moves on from the step the reveal happened in. A
step number of the lead's, no time and nobody's action.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_deliberations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revealed_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_deliberations", schema=None) as batch_op:
        batch_op.drop_column("revealed_step")
