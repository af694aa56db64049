"""Background work for trust and control: data exports, due account deletions, retention, and
expired exports."""

import logging

from ..extensions import db
from ..services import privacy, retention
from .runtime import task

log = logging.getLogger(__name__)


@task("privacy.build_export", queue="low", timeout=600, retries=())
def build_export(export_id: int):
    try:
        privacy.build_export(export_id, db.session.commit)
    except Exception as error:
        db.session.rollback()
        privacy.fail_export(export_id, f"{type(error).__name__}")
        db.session.commit()
        raise


@task("privacy.delete_due_accounts", queue="low", timeout=600, retries=())
def delete_due_accounts() -> int:
    """Erase every account whose grace period is over (each in its own transaction)."""
    done = 0
    for user_id in privacy.due_deletions():
        done += privacy.complete_deletion(user_id)
        db.session.commit()
    return done


@task("privacy.retention", queue="low", timeout=600, retries=())
def retention_sweep():
    result = retention.sweep()
    db.session.commit()
    return result


@task("privacy.expire_exports", queue="low", timeout=300, retries=())
def expire_exports() -> int:
    count = privacy.expire_exports()
    db.session.commit()
    return count
