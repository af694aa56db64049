"""states: CHECK constraints for every status and role column

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 11:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None

# Frozen copies of app.models.states as of this revision (migrations never import the app).
CHECKS = {
    ("users", "role"): ("candidate", "recruiter", "admin"),
    ("memberships", "role"): ("owner", "recruiter"),
    ("jobs", "status"): ("draft", "published", "closed", "expired"),
    ("applications", "status"): ("applied", "screening", "interview", "offer", "hired", "rejected", "withdrawn"),
    ("email_messages", "status"): ("pending", "sending", "sent", "failed", "suppressed"),
    ("webhook_events", "status"): ("received", "queued", "processed", "failed", "ignored"),
    ("candidate_profiles", "parse_status"): ("none", "pending", "parsing", "done", "no_text", "failed"),
    ("job_alerts", "frequency"): ("daily", "weekly"),
}


def upgrade():
    for (table, column), values in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"),
                                             sa.text(f"{column} IN ({', '.join(repr(v) for v in values)})"))


def downgrade():
    for (table, column) in reversed(list(CHECKS)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
