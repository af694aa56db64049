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

revision = "0028"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("city", sa.String(length=160), server_default="", nullable=False))
        batch_op.add_column(sa.Column("country", sa.String(length=80), server_default="", nullable=False))
        batch_op.add_column(sa.Column("remote_region", sa.String(length=160), server_default="", nullable=False))
        batch_op.add_column(sa.Column("location_key", sa.String(length=255), server_default="", nullable=False))
    # One UPDATE joined to a table of each distinct location's place, not one UPDATE per location:
    # the jobs table is locked from the column changes until commit, and a board with thousands of
    # free-text locations would otherwise scan it once per location.
    connection = op.get_bind()
    locations = (
        connection.execute(sa.text("SELECT DISTINCT location FROM jobs WHERE location IS NOT NULL")).scalars().all()
    )
    if not locations:
        return
    places_table = sa.table(
        "location_places",
        sa.column("location", sa.String),
        sa.column("city", sa.String),
        sa.column("country", sa.String),
        sa.column("remote_region", sa.String),
        sa.column("location_key", sa.String),
    )
    connection.execute(
        sa.text(
            "CREATE TEMPORARY TABLE location_places (location TEXT PRIMARY KEY, city TEXT, country TEXT, "
            "remote_region TEXT, location_key TEXT)"
        )
    )
    rows = []
    for location in locations:
        place = places.normalize(location)
        rows.append(
            {
                "location": location,
                "city": place.city,
                "country": place.country,
                "remote_region": place.remote_region if place.remote else "",
                "location_key": place.key,
            }
        )
    connection.execute(places_table.insert(), rows)
    connection.execute(
        sa.text(
            "UPDATE jobs SET city = p.city, country = p.country, remote_region = p.remote_region, "
            "location_key = p.location_key FROM location_places AS p WHERE jobs.location = p.location"
        )
    )
    connection.execute(sa.text("DROP TABLE location_places"))


def downgrade():
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("location_key")
        batch_op.drop_column("remote_region")
        batch_op.drop_column("country")
        batch_op.drop_column("city")
