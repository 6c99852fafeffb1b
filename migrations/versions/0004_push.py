"""push campaigns, batches, log and topic members

Only the push tables, and an index on installations (organisation, id)
that reads one batch's range.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:40:30.268742
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('dilemma_id', sa.Integer(), nullable=True),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('strategy', sa.String(length=16), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('planned', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_push_campaigns_dilemma_id_dilemmas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_push_campaigns_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_campaigns'))
    )
    with op.batch_alter_table('push_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_campaigns_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_campaigns_finished_at'), ['finished_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_campaigns_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('uq_push_campaigns_once', ['organisation_id', 'dilemma_id', 'kind'], unique=True, sqlite_where=sa.text("kind != 'adhoc'"), postgresql_where=sa.text("kind != 'adhoc'"))

    op.create_table('push_topic_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('installation_id', sa.String(length=32), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('token', sa.String(length=4096), nullable=False),
    sa.Column('subscribed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], name=op.f('fk_push_topic_members_installation_id_installations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_topic_members')),
    sa.UniqueConstraint('installation_id', name=op.f('uq_push_topic_members_installation_id'))
    )
    with op.batch_alter_table('push_topic_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_topic_members_topic'), ['topic'], unique=False)

    op.create_table('push_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('after_key', sa.String(length=32), nullable=True),
    sa.Column('upto_key', sa.String(length=32), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('targeted', sa.Integer(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Integer(), nullable=False),
    sa.Column('failed', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['push_campaigns.id'], name=op.f('fk_push_batches_campaign_id_push_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_batches')),
    sa.UniqueConstraint('campaign_id', 'number', name=op.f('uq_push_batches_campaign_id_number'))
    )
    with op.batch_alter_table('push_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_batches_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('push_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.String(length=1000), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('collapse_key', sa.String(length=64), nullable=False),
    sa.Column('ttl_seconds', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['push_campaigns.id'], name=op.f('fk_push_log_campaign_id_push_campaigns'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_log'))
    )
    with op.batch_alter_table('push_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_log_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_log_logged_at'), ['logged_at'], unique=False)

    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.create_index('ix_installations_organisation_id_id', ['organisation_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.drop_index('ix_installations_organisation_id_id')

    with op.batch_alter_table('push_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_log_logged_at'))
        batch_op.drop_index(batch_op.f('ix_push_log_campaign_id'))

    op.drop_table('push_log')
    with op.batch_alter_table('push_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_batches_campaign_id'))

    op.drop_table('push_batches')
    with op.batch_alter_table('push_topic_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_topic_members_topic'))

    op.drop_table('push_topic_members')
    with op.batch_alter_table('push_campaigns', schema=None) as batch_op:
        batch_op.drop_index('uq_push_campaigns_once', sqlite_where=sa.text("kind != 'adhoc'"), postgresql_where=sa.text("kind != 'adhoc'"))
        batch_op.drop_index(batch_op.f('ix_push_campaigns_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_push_campaigns_finished_at'))
        batch_op.drop_index(batch_op.f('ix_push_campaigns_due_at'))

    op.drop_table('push_campaigns')
