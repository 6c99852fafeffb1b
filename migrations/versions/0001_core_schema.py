"""core schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 10:45:32.699845
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['organisations.id'], name=op.f('fk_organisations_parent_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('code_chapters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_code_chapters_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_chapters')),
    sa.UniqueConstraint('organisation_id', 'number', name=op.f('uq_code_chapters_organisation_id_number'))
    )
    op.create_table('dilemmas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('bank_position', sa.Integer(), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_dilemmas_category_id_categories')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_dilemmas_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dilemmas')),
    sa.UniqueConstraint('slug', name=op.f('uq_dilemmas_slug'))
    )
    with op.batch_alter_table('dilemmas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dilemmas_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dilemmas_status'), ['status'], unique=False)

    op.create_table('enrolment_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_enrolment_codes_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_enrolment_codes_code'))
    )
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_codes_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('installations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('respondent_seed', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('notify_weekly', sa.Boolean(), nullable=False),
    sa.Column('notify_reminders', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_installations_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_installations_token_hash'))
    )
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_installations_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('code_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chapter_id'], ['code_chapters.id'], name=op.f('fk_code_sections_chapter_id_code_chapters')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_code_sections_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_sections')),
    sa.UniqueConstraint('ref', name=op.f('uq_code_sections_ref'))
    )
    with op.batch_alter_table('code_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_sections_chapter_id'), ['chapter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_sections_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('push_tokens',
    sa.Column('installation_id', sa.String(length=32), nullable=False),
    sa.Column('token', sa.String(length=4096), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], name=op.f('fk_push_tokens_installation_id_installations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('installation_id', name=op.f('pk_push_tokens'))
    )
    with op.batch_alter_table('push_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_tokens_refreshed_at'), ['refreshed_at'], unique=False)

    op.create_table('revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_revisions_dilemma_id_dilemmas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions')),
    sa.UniqueConstraint('dilemma_id', 'number', name=op.f('uq_revisions_dilemma_id_number'))
    )
    op.create_table('schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_schedule_dilemma_id_dilemmas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_schedule_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule')),
    sa.UniqueConstraint('dilemma_id', name=op.f('uq_schedule_dilemma_id')),
    sa.UniqueConstraint('organisation_id', 'week', name=op.f('uq_schedule_organisation_id_week'))
    )
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_week'), ['week'], unique=False)

    op.create_table('tallies',
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('option', sa.String(length=1), nullable=False),
    sa.Column('shard', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_tallies_dilemma_id_dilemmas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dilemma_id', 'scope', 'scope_id', 'mode', 'late', 'option', 'shard', name=op.f('pk_tallies'))
    )
    op.create_table('answers',
    sa.Column('dilemma_id', sa.Integer(), nullable=False),
    sa.Column('respondent_key', sa.String(length=64), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.String(length=1), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['dilemma_id'], ['dilemmas.id'], name=op.f('fk_answers_dilemma_id_dilemmas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_answers_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_answers_revision_id_revisions')),
    sa.PrimaryKeyConstraint('dilemma_id', 'respondent_key', name=op.f('pk_answers'))
    )
    op.create_table('options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=1), nullable=False),
    sa.Column('text', sa.String(length=160), nullable=False),
    sa.Column('alignment', sa.String(length=16), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_options_revision_id_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_options')),
    sa.UniqueConstraint('revision_id', 'key', name=op.f('uq_options_revision_id_key'))
    )
    op.create_table('revision_sections',
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_revision_sections_revision_id_revisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['code_sections.id'], name=op.f('fk_revision_sections_section_id_code_sections')),
    sa.PrimaryKeyConstraint('revision_id', 'section_id', name=op.f('pk_revision_sections'))
    )
    with op.batch_alter_table('revision_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_sections_section_id'), ['section_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('revision_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_sections_section_id'))

    op.drop_table('revision_sections')
    op.drop_table('options')
    op.drop_table('answers')
    op.drop_table('tallies')
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_week'))

    op.drop_table('schedule')
    op.drop_table('revisions')
    with op.batch_alter_table('push_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_tokens_refreshed_at'))

    op.drop_table('push_tokens')
    with op.batch_alter_table('code_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_sections_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_code_sections_chapter_id'))

    op.drop_table('code_sections')
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installations_organisation_id'))

    op.drop_table('installations')
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_codes_organisation_id'))

    op.drop_table('enrolment_codes')
    with op.batch_alter_table('dilemmas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dilemmas_status'))
        batch_op.drop_index(batch_op.f('ix_dilemmas_organisation_id'))

    op.drop_table('dilemmas')
    op.drop_table('code_chapters')
    op.drop_table('organisations')
    op.drop_table('categories')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')

