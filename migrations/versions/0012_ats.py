"""ats: connections (encrypted credentials), sync runs, applications sent to the ATS

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02 10:39:09.910504

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ats_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=30), nullable=False),
    sa.Column('credentials', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('sync_jobs', sa.Boolean(), nullable=False),
    sa.Column('sync_applications', sa.Boolean(), nullable=False),
    sa.Column('sync_candidates', sa.Boolean(), nullable=False),
    sa.Column('interval_minutes', sa.Integer(), nullable=False),
    sa.Column('stage_map', sa.JSON(), nullable=False),
    sa.Column('unmapped_stages', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sync_lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("provider IN ('greenhouse', 'greenhouse_board', 'lever', 'bamboohr', 'workday')", name=op.f('ck_ats_connections_provider')),
    sa.CheckConstraint("status IN ('connected', 'syncing', 'synced', 'error')", name=op.f('ck_ats_connections_status')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_ats_connections_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ats_connections_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ats_connections')),
    sa.UniqueConstraint('company_id', name=op.f('uq_ats_connections_company_id'))
    )
    with op.batch_alter_table('ats_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ats_connections_updated_at'), ['updated_at'], unique=False)

    op.create_table('ats_sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('jobs_seen', sa.Integer(), nullable=False),
    sa.Column('jobs_created', sa.Integer(), nullable=False),
    sa.Column('jobs_updated', sa.Integer(), nullable=False),
    sa.Column('jobs_closed', sa.Integer(), nullable=False),
    sa.Column('applications_sent', sa.Integer(), nullable=False),
    sa.Column('stages_read', sa.Integer(), nullable=False),
    sa.Column('stages_moved', sa.Integer(), nullable=False),
    sa.Column('requests_made', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')", name=op.f('ck_ats_sync_runs_status')),
    sa.ForeignKeyConstraint(['connection_id'], ['ats_connections.id'], name=op.f('fk_ats_sync_runs_connection_id_ats_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ats_sync_runs'))
    )
    with op.batch_alter_table('ats_sync_runs', schema=None) as batch_op:
        batch_op.create_index('ix_ats_sync_runs_connection_id_id', ['connection_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ats_sync_runs_status'), ['status'], unique=False)

    op.create_table('ats_application_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=120), nullable=True),
    sa.Column('external_candidate_id', sa.String(length=120), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_stage', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stage_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_ats_application_links_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_ats_application_links_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['connection_id'], ['ats_connections.id'], name=op.f('fk_ats_application_links_connection_id_ats_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ats_application_links')),
    sa.UniqueConstraint('application_id', name=op.f('uq_ats_application_links_application_id'))
    )
    with op.batch_alter_table('ats_application_links', schema=None) as batch_op:
        batch_op.create_index('ix_ats_application_links_connection_id_external_id', ['connection_id', 'external_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ats_application_links', schema=None) as batch_op:
        batch_op.drop_index('ix_ats_application_links_connection_id_external_id')

    op.drop_table('ats_application_links')
    with op.batch_alter_table('ats_sync_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ats_sync_runs_status'))
        batch_op.drop_index('ix_ats_sync_runs_connection_id_id')

    op.drop_table('ats_sync_runs')
    with op.batch_alter_table('ats_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ats_connections_updated_at'))

    op.drop_table('ats_connections')

