"""Catch-up: bring this process's index up to date with the database (see sync.py for the whole
picture: the meta document, the watermark and its overlap window, writer locking)."""

from __future__ import annotations

import json
import logging
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session
from whoosh.index import LockError

from ..extensions import db
from ..models import Company, Job
from . import whoosh_codec as codec
from .backend import SyncReport
from .index import get_index
from .schema import META_ID, SCHEMA_VERSION, job_document

log = logging.getLogger(__name__)

OVERLAP_US = 10 * 60 * 1_000_000  # rows changed in the last 10 minutes are always re-checked
BATCH = 500
MAX_INLINE_CHANGES = 2_000  # more than this in a request: catch up in the background
RECONCILE_EVERY = 300  # seconds: a cheap count comparison at most this often


def to_us(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1_000_000)


def from_us(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)


def now_us() -> int:
    return int(time.time() * 1_000_000)


def _session() -> Session:
    # Our own session on the app's engine: a catch-up may run inside another session's
    # after_commit hook, and must never flush or expire the caller's objects.
    return Session(db.engine, expire_on_commit=False, autoflush=False)


def open_writer(ix, timeout: float, attempts: int = 2):
    """Whoosh's single writer, waiting up to `timeout` per attempt; LockError after the last."""
    for attempt in range(attempts):
        try:
            # compound=False: every segment file stays separate, so readers map it (index.py).
            return ix.writer(timeout=timeout, delay=0.05, compound=False)
        except LockError:
            if attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0.02, 0.1))  # let the holder finish; spread competing retries
    raise LockError("no attempts")  # attempts < 1


def _window(session: Session, since: int) -> tuple[dict[str, int], dict[str, int]]:
    """(job id -> updated_at, company id -> updated_at) in µs for rows changed since `since`:
    one round trip (this runs before every search), two indexed range scans."""
    when = from_us(since)
    rows = session.execute(
        select(literal("j"), Job.id, Job.updated_at)
        .where(Job.updated_at >= when)
        .union_all(select(literal("c"), Company.id, Company.updated_at).where(Company.updated_at >= when))
    )
    jobs: dict[str, int] = {}
    companies: dict[str, int] = {}
    for kind, row_id, updated in rows:
        (jobs if kind == "j" else companies)[str(row_id)] = to_us(updated)
    return jobs, companies


def _since(idx, meta: dict) -> int:
    """Where the window starts: OVERLAP_US before the newest change the index has absorbed, or
    before this process's last complete check of this index, whichever is later. A row that
    commits after a check was written (updated_at) at most OVERLAP_US before it, however late its
    transaction commits. Without the second bound a board that imported many jobs at once and then
    stayed quiet would re-read all of them before every search (100k rows: 300 ms a second of
    Python under the GIL, issue 9's p99 at 100k)."""
    checked = idx.window_checked_us if idx.window_checked_index == idx.current_name() else 0
    return max(meta.get("watermark", 0), checked) - OVERLAP_US


def _plan(meta: dict, jobs: dict[str, int], companies: dict[str, int], since: int) -> tuple[set[int], set[int], bool]:
    recent, recent_companies = meta.get("recent", {}), meta.get("recent_companies", {})
    changed = {int(i) for i, v in jobs.items() if recent.get(i) != v}
    changed_companies = {int(i) for i, v in companies.items() if recent_companies.get(i) != v}
    # A recorded row still inside the window must still be there (else it was deleted, or its
    # updated_at went back); one older than the window's start is simply outside it now.
    vanished = any(i not in jobs for i, v in recent.items() if v >= since) or any(
        i not in companies for i, v in recent_companies.items() if v >= since
    )
    return changed, changed_companies, vanished


def _open_counts(session: Session, snapshot, now: datetime) -> tuple[int, int]:
    """(open jobs in the database, open jobs in the index) at `now`."""
    in_db = session.scalar(select(func.count()).select_from(Job).where(Job.open_clause(now))) or 0
    return in_db, snapshot.open_count(int(now.timestamp()))


def catch_up(
    app, *, lock_timeout: float = 2.0, reconcile: bool = False, max_inline: int | None = None, wait: bool = True
) -> SyncReport:
    """Bring the index up to date with the database. Never raises for a busy index (the report
    says it skipped: "busy" when `wait` is False and another thread of this process is catching up,
    "locked" when another process holds the writer, "deferred" when more than `max_inline` jobs
    changed and the caller should catch up in the background); raises IndexUnavailable when there
    is no readable index. Merges are the caller's (sync.catch_up)."""
    started = time.perf_counter()
    idx = get_index(app)
    report = SyncReport()
    if not idx.sync_lock.acquire(blocking=wait):
        report.skipped = "busy"
        return report
    try:
        # Every local commit counted before the window is read is absorbed by this catch-up.
        seen = idx.local_changes
        _catch_up_locked(idx, report, lock_timeout, reconcile, max_inline)
        if not report.skipped:
            idx.absorbed_changes = max(idx.absorbed_changes, seen)
    finally:
        idx.sync_lock.release()
    report.seconds = time.perf_counter() - started
    if report.updated or report.deleted:
        log.info(
            "search index: %d updated, %d deleted%s in %.0f ms",
            report.updated,
            report.deleted,
            " (reconciled)" if report.reconciled else "",
            report.seconds * 1000,
        )
    return report


def _catch_up_locked(idx, report: SyncReport, lock_timeout: float, reconcile: bool, max_inline: int | None) -> None:
    snapshot = idx.snapshot()
    meta = idx.meta()
    checked_at, checked_index = now_us(), idx.current_name()
    with _session() as session:
        since = _since(idx, meta)
        jobs, companies = _window(session, since)
        changed, changed_companies, vanished = _plan(meta, jobs, companies, since)
        due = idx.needs_reconcile or time.monotonic() - idx.last_reconcile > RECONCILE_EVERY
        if not (changed or changed_companies or vanished or reconcile) and due:
            # Rows deleted outright (a company removed, a restored backup) leave no trace in
            # the window: compare the counts of open jobs now and then (one COUNT query).
            idx.last_reconcile = time.monotonic()
            idx.needs_reconcile = False
            with idx.lock:  # the snapshot's readers and caches are shared with searches
                in_db, in_index = _open_counts(session, snapshot, datetime.now(UTC))
            reconcile = in_db != in_index
        if not (changed or changed_companies or vanished or reconcile):
            idx.window_checked_us, idx.window_checked_index = checked_at, checked_index
            return
        if max_inline is not None and len(changed) > max_inline:
            report.skipped = "deferred"
            return
    try:
        writer = open_writer(idx.index(), lock_timeout)
    except LockError:
        report.skipped = "locked"
        return
    try:
        # Under the process's search lock: _apply reads through the shared searcher (Whoosh
        # readers seek shared files). Other processes' searches are never blocked; a search in
        # another thread of this process waits for this commit (tens of milliseconds).
        with idx.lock:
            _apply(idx, writer, report, reconcile or vanished)
    except BaseException:
        writer.cancel()
        raise
    if report.reconciled:
        idx.needs_reconcile = False
        idx.last_reconcile = time.monotonic()
    idx.window_checked_us, idx.window_checked_index = checked_at, checked_index


def _apply(idx, writer, report: SyncReport, reconcile: bool) -> None:
    """With the write lock held: re-read the index's record and the database (another process
    may have written since we looked), apply the differences, record them, commit."""
    snapshot = idx.snapshot()
    meta = idx.meta()
    now = datetime.now(UTC)
    # Deleting the old version of a document needs a searcher over the writer's segments. Ours is
    # current (we hold the lock) and already open; Whoosh would open a new reader of every segment.
    searcher = snapshot.searcher if codec.writer_segment_ids(writer) == snapshot.segment_ids else None

    def replace(doc: dict) -> None:
        writer.delete_by_term("id", doc["id"], searcher=searcher)
        writer.add_document(**doc)

    with _session() as session:
        since = _since(idx, meta)
        jobs, companies = _window(session, since)
        changed, changed_companies, vanished = _plan(meta, jobs, companies, since)
        to_delete: set[int] = set()
        if changed_companies:
            changed |= set(
                session.scalars(select(Job.id).where(Job.company_id.in_(changed_companies), Job.open_clause(now)))
            )
        if reconcile or vanished:
            in_db = set(session.scalars(select(Job.id).where(Job.open_clause(now))))
            in_index = snapshot.job_ids()
            to_delete |= in_index - in_db
            changed |= in_db - in_index
            report.reconciled = True
        changed -= to_delete
        ordered = sorted(changed)
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            found = {job.id: job for job in session.scalars(select(Job).where(Job.id.in_(batch)))}
            for job_id in batch:
                job = found.get(job_id)
                if job is not None and job.is_open_at(now):
                    replace(_clean(job_document(job)))
                    report.updated += 1
                else:
                    writer.delete_by_term("id", str(job_id), searcher=searcher)
                    report.deleted += 1
            session.expunge_all()
        for job_id in to_delete:
            writer.delete_by_term("id", str(job_id), searcher=searcher)
            report.deleted += 1
        clock = now_us()
        watermark = max(meta.get("watermark", 0), min(max([*jobs.values(), *companies.values(), 0]), clock))
        floor = watermark - OVERLAP_US
        meta.update(
            schema=SCHEMA_VERSION,
            watermark=watermark,
            recent={i: v for i, v in jobs.items() if v >= floor},
            recent_companies={i: v for i, v in companies.items() if v >= floor},
            synced_at=now.isoformat(timespec="seconds"),
        )
        replace({"id": META_ID, "meta": json.dumps(meta, separators=(",", ":"))})
        report.details["meta"] = True
    writer.commit(merge=False)  # merges happen in the background (maintain); never optimize


def _clean(doc: dict) -> dict:
    # Whoosh indexes an empty ID value as an empty term; leave the field out instead.
    return {k: v for k, v in doc.items() if v != ""}


def write_meta(writer, meta: dict) -> None:
    """The meta document of a new index (catch-ups replace it in _apply)."""
    writer.add_document(id=META_ID, meta=json.dumps(meta, separators=(",", ":")))
