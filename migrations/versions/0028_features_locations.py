"""jobs: city, country, remote region and the location facet key, read from the location text

Revision ID: 0028
Revises: 0021
Create Date: 2026-12-07 05:40:00

The backfill reads every distinct location once with app/places.py, the same normaliser that sets
these columns whenever a job's location changes (models/jobs.py), and updates the jobs that share
it. Only these columns change: updated_at stays, so no job looks edited (the search index rebuilds
from its schema version, 3).
"""
import sqlalchemy as sa
from alembic import op

from app import places

revision = '0028'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.add_column(sa.Column('city', sa.String(length=160), server_default='', nullable=False))
        batch_op.add_column(sa.Column('country', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('remote_region', sa.String(length=160), server_default='', nullable=False))
        batch_op.add_column(sa.Column('location_key', sa.String(length=255), server_default='', nullable=False))
    connection = op.get_bind()
    jobs = sa.table(
        'jobs',
        sa.column('location', sa.String),
        sa.column('city', sa.String),
        sa.column('country', sa.String),
        sa.column('remote_region', sa.String),
        sa.column('location_key', sa.String),
    )
    locations = connection.execute(sa.select(jobs.c.location).distinct()).scalars().all()
    for location in locations:
        place = places.normalize(location or '')
        connection.execute(
            jobs.update()
            .where(jobs.c.location == location)
            .values(
                city=place.city,
                country=place.country,
                remote_region=place.remote_region if place.remote else '',
                location_key=place.key,
            )
        )


def downgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_column('location_key')
        batch_op.drop_column('remote_region')
        batch_op.drop_column('country')
        batch_op.drop_column('city')
