"""recruiter dashboard: when each member last opened it ("new since your last visit"); job alerts can be paused

Revision ID: 0025
Revises: 0026
Create Date: 2026-12-07 02:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_alerts') as batch_op:
        batch_op.add_column(sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('memberships') as batch_op:
        batch_op.add_column(sa.Column('dashboard_seen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dashboard_since', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('memberships') as batch_op:
        batch_op.drop_column('dashboard_since')
        batch_op.drop_column('dashboard_seen_at')
    with op.batch_alter_table('job_alerts') as batch_op:
        batch_op.drop_column('paused')
