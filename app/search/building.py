"""Building a whole new index from the database into a fresh directory, then switching CURRENT to
it (index.py). Whoever runs this (the worker, `flask search reindex`, a release step, or a web
process only in the embedded mode) writes files the web processes merely open."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import func, select

from ..models import Job
from .backend import SyncReport
from .catchup import _clean, _session, now_us, write_meta
from .index import RebuildLock, create_index, get_index
from .schema import SCHEMA_VERSION, build_schema, job_document

log = logging.getLogger(__name__)

# Segments stay separate files (no compound file): a reader opens each one memory-mapped instead of
# copying a whole compound file into its heap (index.py, create_index).
BUILD_LIMIT_MB = 256


def build(app, progress=None, wait: bool = True) -> SyncReport | None:
    """Build a new index and make it current. Returns None if another process is already building
    and `wait` is False. `progress(done, total)` is called every 1,000 jobs and at the end. The
    changes committed while it ran are left to the next catch-up (sync.rebuild runs one)."""
    idx = get_index(app)
    report = SyncReport()
    lock = RebuildLock(idx.root)
    if not lock.acquire(wait=wait):
        return None
    try:
        idx.remove_stale_dirs()
        name, path = idx.new_build_dir()
        ix = create_index(path, build_schema())
        # Changes committed after this instant are absorbed by the catch-up that follows.
        watermark = now_us()
        now = datetime.now(UTC)
        writer = ix.writer(limitmb=BUILD_LIMIT_MB, compound=False)
        try:
            with _session() as session:
                total = session.scalar(select(func.count()).select_from(Job).where(Job.open_clause(now))) or 0
                last, done = 0, 0
                while True:
                    batch = session.scalars(
                        select(Job).where(Job.open_clause(now), Job.id > last).order_by(Job.id).limit(1000)
                    ).all()
                    if not batch:
                        break
                    for job in batch:
                        writer.add_document(**_clean(job_document(job)))
                    done += len(batch)
                    last = batch[-1].id
                    session.expunge_all()
                    if progress is not None:
                        progress(done, total)
            write_meta(
                writer,
                {
                    "schema": SCHEMA_VERSION,
                    "watermark": watermark,
                    "recent": {},
                    "recent_companies": {},
                    "built_at": now.isoformat(timespec="seconds"),
                },
            )
            writer.commit()  # the writer's compound=False applies to its segments
        except BaseException:
            writer.cancel()
            raise
        idx.set_current(name)
        report.updated = done
        if progress is not None and done == 0:
            progress(0, 0)
    finally:
        lock.release()
    return report
