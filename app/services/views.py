"""Job views, counted without writing to the database on the request path.

A view is an increment in Redis (HINCRBY on one hash, shared by every web process) or, without
Redis, in this process's memory; `flush_views` adds the counts to jobs.view_count in one UPDATE per
job, every VIEW_FLUSH_SECONDS (the periodic job "jobs.flush_views", or a thread of each web process
without Redis). The UPDATE goes through the jobs table directly, not the ORM, and leaves updated_at
alone: a view is never a search-index change. A crash loses at most the views since the last
flush; a Redis outage falls back to counting in memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import bindparam

from ..extensions import db
from ..models import Job
from ..tasks.runtime import redis_connection

log = logging.getLogger(__name__)
REDIS_KEY = "jobifies:job-views"
_pending: Counter[int] = Counter()
_pending_lock = threading.Lock()
_flusher_started: set[int] = set()  # ids of the apps whose flush thread runs in this process


def record_view(job_id: int) -> None:
    """Count one view of a job. Never touches the database; never raises."""
    app = current_app._get_current_object()
    connection = redis_connection(app)
    if connection is not None:
        try:
            connection.hincrby(REDIS_KEY, str(job_id), 1)
            return
        except RedisError as error:
            log.warning("Counting a job view in memory, Redis is unavailable: %s", error)
    with _pending_lock:
        _pending[job_id] += 1
    _start_flusher(app)


def forget_pending() -> None:
    """For tests: drop what this process counted and has not flushed."""
    _take_local()


def _take_local() -> Counter[int]:
    with _pending_lock:
        taken = Counter(_pending)
        _pending.clear()
    return taken


def _take_redis(app: Flask) -> Counter[int]:
    """Move the shared counts out of Redis atomically (RENAME), so none is counted twice or lost."""
    connection = redis_connection(app)
    if connection is None:
        return Counter()
    holding = f"{REDIS_KEY}:flushing"
    try:
        # A holding key left by a flush that died midway is added first.
        if not connection.exists(holding):
            try:
                connection.rename(REDIS_KEY, holding)
            except RedisError as error:
                if "no such key" in str(error).lower():
                    return Counter()
                raise
        counts = Counter({int(job_id): int(n) for job_id, n in connection.hgetall(holding).items()})
        connection.delete(holding)
        return counts
    except RedisError as error:
        log.warning("Job views stay in Redis until the next flush: %s", error)
        return Counter()


def flush_views() -> int:
    """Add the counted views to jobs.view_count. Flushes (the caller commits). Returns how many."""
    app = current_app._get_current_object()
    counts = _take_local() + _take_redis(app)
    if not counts:
        return 0
    table = Job.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("job_id"))
        # updated_at given explicitly, or its onupdate default would make it a search change
        .values(view_count=table.c.view_count + bindparam("views"), updated_at=table.c.updated_at)
    )
    db.session.execute(statement, [{"job_id": job_id, "views": n} for job_id, n in counts.items()])
    return sum(counts.values())


def _start_flusher(app: Flask) -> None:
    """Without Redis there is no shared counter and no scheduler process: each web process flushes
    its own counts every VIEW_FLUSH_SECONDS on a daemon thread."""
    if id(app) in _flusher_started:
        return
    with _pending_lock:
        if id(app) in _flusher_started:
            return
        _flusher_started.add(id(app))
    threading.Thread(target=_flush_loop, args=(app,), name="jobifies-view-flusher", daemon=True).start()


def _flush_loop(app: Flask) -> None:
    while True:
        time.sleep(app.config["VIEW_FLUSH_SECONDS"])
        with app.app_context():
            try:
                flush_views()
                db.session.commit()
            except Exception:  # keep counting; the next round retries what is left in memory
                log.exception("Flushing job views failed")
                db.session.rollback()
            finally:
                db.session.remove()
