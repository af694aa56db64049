"""listing index: (status, published_at, id) so newest-first listings read rows in index order

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_status_published_at')
        batch_op.create_index('ix_jobs_status_published_at_id', ['status', 'published_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_status_published_at_id')
        batch_op.create_index('ix_jobs_status_published_at', ['status', 'published_at'], unique=False)
