"""ats sync: how many listed jobs a run held back (a moderator's take-down outranks the ATS) and why

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-07 06:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ats_sync_runs') as batch_op:
        batch_op.add_column(sa.Column('jobs_held', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('held_note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('ats_sync_runs') as batch_op:
        batch_op.drop_column('held_note')
        batch_op.drop_column('jobs_held')
