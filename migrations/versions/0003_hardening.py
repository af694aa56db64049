"""hardening: session versions, one alert per search, parse attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:38:40.496996

"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _query_key(query) -> str:
    # Frozen copy of app.services.alerts.query_key as of this revision (migrations never import the app).
    query = query if isinstance(query, dict) else json.loads(query or "{}")
    canonical = {key: sorted({str(v).strip().casefold() for v in values}) for key, values in query.items() if values}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def upgrade():
    with op.batch_alter_table('candidate_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parse_attempts', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('job_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('query_key', sa.String(length=64), nullable=True))

    # Existing alerts get their key; where a user saved the same search twice, the oldest alert
    # stays (active if any copy was) and the others go.
    bind = op.get_bind()
    alerts = sa.table('job_alerts', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                      sa.column('query', sa.JSON), sa.column('active', sa.Boolean),
                      sa.column('query_key', sa.String))
    keep: dict = {}
    for row in bind.execute(sa.select(alerts.c.id, alerts.c.user_id, alerts.c.query, alerts.c.active)
                            .order_by(alerts.c.id)):
        key = _query_key(row.query)
        first = keep.get((row.user_id, key))
        if first is None:
            keep[(row.user_id, key)] = row.id
            bind.execute(alerts.update().where(alerts.c.id == row.id).values(query_key=key))
        else:
            if row.active:
                bind.execute(alerts.update().where(alerts.c.id == first).values(active=True))
            bind.execute(alerts.delete().where(alerts.c.id == row.id))

    with op.batch_alter_table('job_alerts', schema=None) as batch_op:
        batch_op.alter_column('query_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_job_alerts_user_id_query_key'), ['user_id', 'query_key'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with op.batch_alter_table('job_alerts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_job_alerts_user_id_query_key'), type_='unique')
        batch_op.drop_column('query_key')

    with op.batch_alter_table('candidate_profiles', schema=None) as batch_op:
        batch_op.drop_column('parse_attempts')
