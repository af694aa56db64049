"""Keeping the index in step with the database (the truth).

The index carries its own record of what it has absorbed, in a meta document written in the same
commit as the postings (so index and record can never disagree, even after a crash):

    watermark          microseconds since the epoch: every job change older than
                       `watermark - OVERLAP` is in the index
    recent             {job id: updated_at in µs} of the rows absorbed inside the overlap window
    recent_companies   the same for companies (a renamed company re-indexes its jobs)

A catch-up reads `(id, updated_at)` of the rows changed since `watermark - OVERLAP` (an indexed
range scan that is empty or tiny on a quiet board) and compares them with `recent`:
- a row that is new or has another updated_at is re-indexed (old version deleted, new one added, if open;
  a delete otherwise). Updates are idempotent by id, so reading a row twice is harmless.
- the overlap window is what makes equal timestamps, transactions that commit after a later one,
  and a few minutes of clock skew between processes harmless: such rows are still in the window.
- a row listed in `recent` but no longer in the window was deleted (or the table was restored or
  truncated): the catch-up then reconciles the full id sets of index and database.
When nothing changed, no writer is opened. The watermark never moves past this process's clock, so
a row stamped in the future by a skewed clock cannot hide later rows.

Writers: Whoosh allows one writer per index across processes (a file lock). We ask with a timeout
and retry once; a catch-up that cannot get the lock is skipped (another process is writing and the
next catch-up will see what is left).

Merging: a catch-up commits with `merge=False` (one new small segment, 20-40 ms). Whoosh's default
policy would merge small segments inside that commit, and each such merge rewrites every term of
the merged segments (measured: 350-1000 ms at 10k postings, on whichever request was unlucky).
Instead, after a commit, a background thread merges segments of similar size once there are
MERGE_FANOUT of them (tiers of 1-9, 10-99, 100-999 ... documents), so each document is rewritten
about log10(N) times in total and never on a request; it waits for a pause in writes so that it
does not hold the write lock when the next catch-up comes. When deleted documents (replaced versions)
exceed a third of the index, a background rebuild writes a compact new index and switches to it.
Nothing ever calls `commit(optimize=True)` (over 5 minutes at 100k postings).

Whoosh does not fsync. If the machine dies mid-commit the index either still shows the previous
generation (whose watermark makes the next catch-up redo the work) or cannot be opened (and is
rebuilt in the background from the database).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session
from whoosh import index as windex
from whoosh.index import LockError
from whoosh.reading import SegmentReader

from ..extensions import db
from ..models import Company, Job
from . import whoosh_codec as codec
from .backend import SyncReport
from .index import IndexUnavailable, RebuildLock, get_index
from .schema import META_ID, SCHEMA_VERSION, build_schema, job_document

log = logging.getLogger(__name__)

OVERLAP_US = 10 * 60 * 1_000_000  # rows changed in the last 10 minutes are always re-checked
BATCH = 500
MAX_INLINE_CHANGES = 2_000  # more than this in a request: catch up in the background
RECONCILE_EVERY = 300  # seconds: a cheap count comparison at most this often
AUTO_REBUILD_EVERY = 300  # seconds between automatic rebuild attempts per process


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
            return ix.writer(timeout=timeout, delay=0.05)
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


def _plan(meta: dict, jobs: dict[str, int], companies: dict[str, int]) -> tuple[set[int], set[int], bool]:
    recent, recent_companies = meta.get("recent", {}), meta.get("recent_companies", {})
    changed = {int(i) for i, v in jobs.items() if recent.get(i) != v}
    changed_companies = {int(i) for i, v in companies.items() if recent_companies.get(i) != v}
    vanished = bool(set(recent) - set(jobs)) or bool(set(recent_companies) - set(companies))
    return changed, changed_companies, vanished


def _open_counts(session: Session, snapshot, now: datetime) -> tuple[int, int]:
    """(open jobs in the database, open jobs in the index) at `now`."""
    in_db = session.scalar(select(func.count()).select_from(Job).where(Job.open_clause(now))) or 0
    return in_db, snapshot.open_count(int(now.timestamp()))


def catch_up(app, *, lock_timeout: float = 2.0, reconcile: bool = False, max_inline: int | None = None) -> SyncReport:
    """Bring the index up to date with the database. Never raises for a busy index (the report
    says it skipped); raises IndexUnavailable when there is no readable index."""
    started = time.perf_counter()
    idx = get_index(app)
    report = SyncReport()
    with idx.sync_lock:
        snapshot = idx.snapshot()
        meta = idx.meta()
        with _session() as session:
            jobs, companies = _window(session, meta.get("watermark", 0) - OVERLAP_US)
            changed, changed_companies, vanished = _plan(meta, jobs, companies)
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
                report.seconds = time.perf_counter() - started
                return report
            if max_inline is not None and len(changed) > max_inline:
                start_background_catch_up(app)
                report.skipped = "deferred"
                return report
        try:
            writer = open_writer(idx.index(), lock_timeout)
        except LockError:
            report.skipped = "locked"
            report.seconds = time.perf_counter() - started
            return report
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
    report.seconds = time.perf_counter() - started
    if report.updated or report.deleted:
        log.info(
            "search index: %d updated, %d deleted%s in %.0f ms",
            report.updated,
            report.deleted,
            " (reconciled)" if report.reconciled else "",
            report.seconds * 1000,
        )
    if report.wrote:
        maintain(app)
    return report


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
        jobs, companies = _window(session, meta.get("watermark", 0) - OVERLAP_US)
        changed, changed_companies, vanished = _plan(meta, jobs, companies)
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


# ---------------------------------------------------------------------------------------------
# Merging and compaction (background only)

MERGE_FANOUT = 8  # this many segments of one size tier are merged into one
MERGE_IDLE = 0.5  # seconds without a commit before merging
MERGE_NOW = 16  # ...unless this many segments have piled up
MERGE_POLL = 0.05  # how often the merge thread looks
COMPACT_DELETED_RATIO = 0.33  # rebuild when a third of the stored documents are old versions
COMPACT_MIN_DOCS = 2_000


def _tier(segment) -> int:
    live = segment.doc_count_all() - segment.deleted_count()
    return len(str(max(1, live))) - 1  # 1-9: 0, 10-99: 1, 100-999: 2 ...


def plan_merge(segments) -> list:
    """The segments to merge now: MERGE_FANOUT segments of the smallest size tier that has that
    many (its smallest ones). Never more: a merge holds the write lock, and a catch-up waiting
    behind it waits for the whole merge (32 small segments took ~190 ms, 8 take a quarter)."""
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(_tier(segment), []).append(segment)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_FANOUT:
            return sorted(tiers[tier], key=lambda s: s.doc_count_all())[:MERGE_FANOUT]
    return []


def _tiered_merge(writer, segments):
    """A Whoosh merge policy (the documented `mergetype` hook): merge the segments plan_merge
    picks, keep the others."""
    chosen = plan_merge(segments)
    if len(chosen) < 2:
        return segments
    chosen_ids = {id(segment) for segment in chosen}
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)  # copies live documents only: deletions are reclaimed
        reader.close()
    return [segment for segment in segments if id(segment) not in chosen_ids]


def merge_segments(app, timeout: float = 10.0) -> int:
    """Merge one tier of small segments (see plan_merge). Returns how many were merged."""
    idx = get_index(app)
    if not plan_merge(idx.segments()):
        return 0
    writer = open_writer(idx.index(), timeout)
    try:
        # The writer's own view of the segments: another process may have merged meanwhile.
        merged = len(plan_merge(idx.segments()))
        writer.commit(mergetype=_tiered_merge)
    except BaseException:
        writer.cancel()
        raise
    log.info("search index: merged %d small segments", merged)
    return merged


def maintain(app) -> None:
    """After a commit: schedule a background merge or compaction when one is due."""
    idx = get_index(app)
    try:
        segments = idx.segments()
    except IndexUnavailable:
        return
    total = sum(s.doc_count_all() for s in segments)
    deleted = sum(s.deleted_count() for s in segments)
    if total >= COMPACT_MIN_DOCS and deleted > COMPACT_DELETED_RATIO * total:
        start_background_rebuild(app, force=True)
    elif plan_merge(segments):
        with idx.lock:
            if idx.merge_thread is None or not idx.merge_thread.is_alive():
                idx.merge_thread = _run_in_app(app, lambda: _merge_when_quiet(app), "merge")


def _merge_when_quiet(app) -> None:
    """Merge once writes pause for MERGE_IDLE seconds (a merge holds the write lock for a few
    hundred milliseconds; a catch-up arriving meanwhile would wait for it), or at once when
    MERGE_NOW segments have piled up during a burst of writes."""
    idx = get_index(app)
    idle = float(app.config.get("SEARCH_MERGE_IDLE_SECONDS", MERGE_IDLE))
    # Look often, so a burst is merged when MERGE_NOW segments exist, not after a whole idle
    # period of back-to-back commits has piled up many more.
    step = min(idle, MERGE_POLL)
    generation, changed_at = None, time.monotonic()
    while True:
        time.sleep(step)
        ix = idx.index()
        if ix.latest_generation() != generation:
            generation, changed_at = ix.latest_generation(), time.monotonic()
        segments = idx.segments()
        if not plan_merge(segments):
            return
        if time.monotonic() - changed_at < idle and len(segments) < MERGE_NOW:
            continue  # still busy: wait for a quiet moment
        merge_segments(app)


# ---------------------------------------------------------------------------------------------
# Full rebuild


def rebuild(app, progress=None, wait: bool = True) -> SyncReport | None:
    """Build a new index from the database in a fresh directory, switch to it, then catch up
    with what changed meanwhile. Returns None if another process is already building and
    `wait` is False. `progress(done, total)` is called every 1,000 jobs and at the end."""
    idx = get_index(app)
    report = SyncReport()
    started = time.perf_counter()
    lock = RebuildLock(idx.root)
    if not lock.acquire(wait=wait):
        return None
    try:
        idx.remove_stale_dirs()
        name, path = idx.new_build_dir()
        ix = windex.create_in(path, build_schema())
        # Changes committed after this instant are absorbed by the catch-up below.
        watermark = now_us()
        now = datetime.now(UTC)
        writer = ix.writer(limitmb=256)
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
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        idx.set_current(name)
        report.updated = done
        if progress is not None and done == 0:
            progress(0, 0)
    finally:
        lock.release()
    idx.needs_reconcile = True
    follow = catch_up(app, lock_timeout=10.0)
    report.details["catch_up"] = follow
    report.seconds = time.perf_counter() - started
    log.info("search index rebuilt: %d jobs in %.1f s", report.updated, report.seconds)
    return report


def _run_in_app(app, target, name: str) -> threading.Thread:
    def run():
        with app.app_context():
            try:
                target()
            except Exception:
                log.exception("search: %s failed", name)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"search-{name}", daemon=True)
    thread.start()
    return thread


def start_background_rebuild(app, force: bool = False) -> bool:
    """Rebuild in a thread of this process unless one is running here or in another process."""
    idx = get_index(app)
    with idx.lock:
        if idx.rebuild_thread is not None and idx.rebuild_thread.is_alive():
            return True
        last = idx.last_auto_rebuild
        if not force and time.monotonic() - last < AUTO_REBUILD_EVERY and last:
            return False
        if RebuildLock.held(idx.root):
            return True  # another process is building; we will open its result
        idx.last_auto_rebuild = time.monotonic()
        idx.rebuild_thread = _run_in_app(app, lambda: rebuild(app, wait=False), "rebuild")
        return True


def start_background_catch_up(app) -> None:
    idx = get_index(app)
    with idx.lock:
        if idx.catch_up_thread is not None and idx.catch_up_thread.is_alive():
            return
        idx.catch_up_thread = _run_in_app(app, lambda: catch_up(app, lock_timeout=10.0), "catch-up")


def rebuilding(app) -> bool:
    idx = get_index(app)
    thread = idx.rebuild_thread
    return (thread is not None and thread.is_alive()) or RebuildLock.held(idx.root)


def safe_catch_up(app, **kwargs) -> SyncReport | None:
    """catch_up for hooks: a missing index starts a background rebuild, nothing is raised."""
    try:
        return catch_up(app, **kwargs)
    except IndexUnavailable:
        start_background_rebuild(app)
    except Exception:
        log.exception("search: catch-up failed (the next search retries)")
    return None
