"""teams and live sessions

Teams and memberships, the teams an answer counts for, live sessions with
their participants, votes and the teams' joint answers, and the join-code
throttle. Self-contained: only new tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:02:53.407622
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('invite_code', sa.String(length=32), nullable=False),
    sa.Column('next_handle', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_teams_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('invite_code', name=op.f('uq_teams_invite_code'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('join_throttles',
    sa.Column('installation_id', sa.String(length=32), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], name=op.f('fk_join_throttles_installation_id_installations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('installation_id', name=op.f('pk_join_throttles'))
    )
    op.create_table('live_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('revealed_round', sa.Integer(), nullable=False),
    sa.Column('join_code', sa.String(length=6), nullable=True),
    sa.Column('open_team_id', sa.Integer(), nullable=True),
    sa.Column('failed_joins', sa.Integer(), nullable=False),
    sa.Column('shift', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_live_sessions_dilemma_id_dilemmas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_live_sessions_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_live_sessions_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions')),
    sa.UniqueConstraint('join_code', name=op.f('uq_live_sessions_join_code')),
    sa.UniqueConstraint('open_team_id', name=op.f('uq_live_sessions_open_team_id'))
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_sessions_dilemma_id'), ['dilemma_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_sessions_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_sessions_team_id'), ['team_id'], unique=False)

    op.create_table('team_memberships',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('installation_id', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('handle', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], name=op.f('fk_team_memberships_installation_id_installations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'installation_id', name=op.f('pk_team_memberships')),
    sa.UniqueConstraint('team_id', 'handle', name=op.f('uq_team_memberships_team_id_handle'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_memberships_installation_id'), ['installation_id'], unique=False)

    op.create_table('session_participants',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_session_participants_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'voter_key', name=op.f('pk_session_participants'))
    )
    op.create_table('session_votes',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=64), nullable=False),
    sa.Column('option', sa.String(length=1), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_session_votes_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'round', 'voter_key', name=op.f('pk_session_votes'))
    )
    op.create_table('team_answers',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.String(length=1), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_team_answers_dilemma_id_dilemmas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_team_answers_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_answers_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'dilemma_id', name=op.f('pk_team_answers'))
    )
    with op.batch_alter_table('team_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_answers_session_id'), ['session_id'], unique=False)

    op.create_table('answer_teams',
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('respondent_key', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id', 'respondent_key'], ['answers.dilemma_id', 'answers.respondent_key'], name=op.f('fk_answer_teams_dilemma_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_answer_teams_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dilemma_id', 'respondent_key', 'team_id', name=op.f('pk_answer_teams'))
    )
    with op.batch_alter_table('answer_teams', schema=None) as batch_op:
        batch_op.create_index('ix_answer_teams_team_id_dilemma_id', ['team_id', 'dilemma_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('answer_teams', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_teams_team_id_dilemma_id')

    op.drop_table('answer_teams')
    with op.batch_alter_table('team_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_answers_session_id'))

    op.drop_table('team_answers')
    op.drop_table('session_votes')
    op.drop_table('session_participants')
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_memberships_installation_id'))

    op.drop_table('team_memberships')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_sessions_team_id'))
        batch_op.drop_index(batch_op.f('ix_live_sessions_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_live_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_live_sessions_dilemma_id'))

    op.drop_table('live_sessions')
    op.drop_table('join_throttles')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_organisation_id'))

    op.drop_table('teams')