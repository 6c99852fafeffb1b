"""difficulty tallies

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 11:04:26.689435
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('difficulty_tallies',
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('shard', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_difficulty_tallies_dilemma_id_dilemmas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dilemma_id', 'scope', 'scope_id', 'value', 'shard', name=op.f('pk_difficulty_tallies'))
    )
    # Count the ratings already given (organisations are one level deep here).
    op.execute(
        "INSERT INTO difficulty_tallies (dilemma_id, scope, scope_id, value, shard, count) "
        "SELECT dilemma_id, 'all', 0, difficulty, 0, COUNT(*) FROM answers "
        "WHERE difficulty IS NOT NULL GROUP BY dilemma_id, difficulty"
    )
    op.execute(
        "INSERT INTO difficulty_tallies (dilemma_id, scope, scope_id, value, shard, count) "
        "SELECT a.dilemma_id, 'organisation', a.organisation_id, a.difficulty, 0, COUNT(*) FROM answers a "
        "JOIN organisations o ON o.id = a.organisation_id "
        "WHERE a.difficulty IS NOT NULL AND o.parent_id IS NOT NULL "
        "GROUP BY a.dilemma_id, a.organisation_id, a.difficulty"
    )



def downgrade() -> None:

    op.drop_table('difficulty_tallies')

