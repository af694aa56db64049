"""profile links: the candidate's profile and portfolio URLs, shown to recruiters with the profile

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidate_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('links', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('candidate_profiles', schema=None) as batch_op:
        batch_op.drop_column('links')
