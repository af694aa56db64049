"""Search upkeep that must not run in a web process."""

from flask import current_app

from .. import search
from .runtime import task


@task("search.ensure_index", queue="low", timeout=3600, retries=())
def ensure_index() -> int:
    """Build the Whoosh index here (the worker) when it is missing, unreadable or bloated, so a web
    worker never holds a build's memory and CPU while serving (sync.may_rebuild_here). The web
    processes open the new directory on their next search. Returns the jobs indexed (0: none due)."""
    report = search.ensure_index(current_app._get_current_object())
    return report.updated if report is not None else 0
