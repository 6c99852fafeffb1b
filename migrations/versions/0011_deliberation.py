"""deliberation: methods, the step a meeting is at, presenter screen codes,
and the team's outcome of a meeting (issue 19)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 23:44:30

Only new tables (push_campaign_teams: a look-back goes to one team). None of them holds an installation id or a voter key.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting_methods',
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_meeting_methods'))
    )
    op.create_table('meeting_deliberations',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('method_slug', sa.String(length=64), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('step_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('auto', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['method_slug'], ['meeting_methods.slug'], name=op.f('fk_meeting_deliberations_method_slug_meeting_methods')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_meeting_deliberations_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_meeting_deliberations'))
    )
    op.create_table('meeting_outcome_values',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.String(length=1), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_meeting_outcome_values_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'option', 'position', name=op.f('pk_meeting_outcome_values'))
    )
    op.create_table('meeting_outcomes',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('agreements', sa.JSON(), nullable=False),
    sa.Column('look_back_on', sa.Date(), nullable=True),
    sa.Column('reminded', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_meeting_outcomes_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_meeting_outcomes_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_meeting_outcomes'))
    )
    with op.batch_alter_table('meeting_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_outcomes_look_back_on'), ['look_back_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_outcomes_team_id'), ['team_id'], unique=False)

    op.create_table('meeting_screen_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_meeting_screen_codes_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_meeting_screen_codes'))
    )
    with op.batch_alter_table('meeting_screen_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_screen_codes_session_id'), ['session_id'], unique=False)



    op.create_table('push_campaign_teams',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['push_campaigns.id'], name=op.f('fk_push_campaign_teams_campaign_id_push_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_push_campaign_teams_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_push_campaign_teams'))
    )
    with op.batch_alter_table('push_campaign_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_campaign_teams_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('push_campaign_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_campaign_teams_team_id'))

    op.drop_table('push_campaign_teams')
    with op.batch_alter_table('meeting_screen_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_screen_codes_session_id'))

    op.drop_table('meeting_screen_codes')
    with op.batch_alter_table('meeting_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_outcomes_team_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_outcomes_look_back_on'))

    op.drop_table('meeting_outcomes')
    op.drop_table('meeting_outcome_values')
    op.drop_table('meeting_deliberations')
    op.drop_table('meeting_methods')
