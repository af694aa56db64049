"""Periodic upkeep."""

from ..extensions import db
from ..services import jobs, views
from .runtime import task


@task("jobs.expire", queue="low", timeout=300, retries=())
def expire_jobs() -> int:
    """Mark published jobs past their expiry as expired (they already stopped accepting applications)."""
    count = jobs.expire_due_jobs()
    db.session.commit()
    return count


@task("jobs.flush_views", queue="low", timeout=120, retries=())
def flush_views() -> int:
    """Add the job views counted since the last run to jobs.view_count."""
    count = views.flush_views()
    db.session.commit()
    return count
