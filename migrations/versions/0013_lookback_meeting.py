"""look-back pushes name their meeting: push_campaign_teams.meeting_id

Revision ID: 0013_lookback_meeting
Revises: 0012
Create Date: 2026-12-07 09:30:00

A look-back's data message carries the meeting's id and nothing of what
the team said (docs/push.md); the app reads the outcome with its own token
(``GET /sessions/{id}/outcome``). Look-backs planned before this revision
keep NULL: they were sent without one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("push_campaign_teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_push_campaign_teams_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_push_campaign_teams_meeting_id_live_sessions"),
            "live_sessions",
            ["meeting_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("push_campaign_teams", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_push_campaign_teams_meeting_id_live_sessions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_push_campaign_teams_meeting_id"))
        batch_op.drop_column("meeting_id")
