"""Periodic upkeep."""

from ..extensions import db
from ..services import jobs
from .runtime import task


@task("jobs.expire", queue="low", timeout=300, retries=())
def expire_jobs() -> int:
    """Mark published jobs past their expiry as expired (they already stopped accepting applications)."""
    count = jobs.expire_due_jobs()
    db.session.commit()
    return count
