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

Catching up before searches: a search checks for changes at most every SEARCH_CATCH_UP_MS per
process (the check costs a round trip), and never waits for a catch-up another thread of this
process is running (it searches the index as it is meanwhile). So a change committed by another
process (the worker, a CLI, another web process) is searchable here at most SEARCH_CATCH_UP_MS plus
one catch-up's duration after it committed, unless another process holds the index's writer at that
moment (then the next check, one interval later, absorbs it). A change committed by this process
is absorbed by the request that made it, and otherwise by its next search: each commit touching
jobs or companies counts in `SearchIndex.local_changes`, and a search finding one not yet absorbed
catches up first, waiting if needed.

The modules:
    catchup.py   the catch-up itself (the watermark, the window, applying the differences)
    merging.py   the merge policy and background merges
    building.py  a whole new index in a fresh directory
    sync.py      this module: what runs when (before a search, after a commit, in the background),
                 and where a rebuild may run (never in a web process that serves requests, unless
                 SEARCH_REBUILD_IN_WEB: the embedded mode, where no other process would build it)
"""

from __future__ import annotations

import logging
import threading
import time

from flask import has_request_context

from ..extensions import db
from . import building, catchup, merging
from .backend import SyncReport
from .catchup import MAX_INLINE_CHANGES, OVERLAP_US, from_us, now_us, to_us
from .index import IndexUnavailable, RebuildLock, get_index
from .merging import COMPACT_DELETED_RATIO, COMPACT_MIN_DOCS, MERGE_FANOUT, merge_segments, plan_merge

log = logging.getLogger(__name__)

__all__ = [
    "MAX_INLINE_CHANGES",
    "MERGE_FANOUT",
    "OVERLAP_US",
    "catch_up",
    "catch_up_before_search",
    "from_us",
    "maintain",
    "merge_segments",
    "now_us",
    "plan_merge",
    "rebuild",
    "to_us",
]

AUTO_REBUILD_EVERY = 300  # seconds between automatic rebuild attempts per process
clock = time.monotonic  # the catch-up interval's clock (a test moves it instead of sleeping)


def catch_up(app, **kwargs) -> SyncReport:
    """catchup.catch_up, then what its outcome calls for: a deferred backlog in the background, a
    background merge or compaction after a write."""
    report = catchup.catch_up(app, **kwargs)
    if report.skipped == "deferred":
        start_background_catch_up(app)
    if report.wrote:
        maintain(app)
    return report


def catch_up_before_search(app, interval_ms: int, lock_timeout: float) -> SyncReport | None:
    """The catch-up a search runs first, if due (see the module docstring for the bound). Returns
    None when none was due or another thread of this process is catching up."""
    idx = get_index(app)
    pending = idx.local_changes > idx.absorbed_changes
    now = clock()
    last = idx.last_search_check
    if not pending and last is not None and now - last < interval_ms / 1000:
        return None
    idx.last_search_check = now
    # Our own change must be visible: wait for the catch-up in progress. Otherwise do not queue
    # behind it: the index it is bringing up to date is good enough for this search.
    report = catch_up(app, lock_timeout=lock_timeout, max_inline=MAX_INLINE_CHANGES, wait=pending)
    return None if report.skipped == "busy" else report


def note_local_change(app) -> None:
    """A commit of this process touched jobs or companies: its next search catches up first."""
    idx = get_index(app)
    with idx.counter_lock:
        idx.local_changes += 1


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
                idx.merge_thread = _run_in_app(app, lambda: merging.merge_when_quiet(app), "merge")


def rebuild(app, progress=None, wait: bool = True) -> SyncReport | None:
    """Build a new index from the database in a fresh directory, switch to it, then catch up
    with what changed meanwhile. Returns None if another process is already building and
    `wait` is False. `progress(done, total)` is called every 1,000 jobs and at the end."""
    started = time.perf_counter()
    report = building.build(app, progress=progress, wait=wait)
    if report is None:
        return None
    idx = get_index(app)
    idx.needs_reconcile = True
    report.details["catch_up"] = catch_up(app, lock_timeout=10.0)
    report.seconds = time.perf_counter() - started
    log.info("search index rebuilt: %d jobs in %.1f s", report.updated, report.seconds)
    return report


def may_rebuild_here(app) -> bool:
    """A web process that serves requests never builds an index (it would hold hundreds of MB
    and a core for minutes): the worker's periodic search.ensure_index or `flask search reindex`
    does, and the web process opens the result. In the embedded mode (no Redis, so no worker)
    SEARCH_REBUILD_IN_WEB lets it build in a background thread, as nothing else would."""
    return not has_request_context() or bool(app.config.get("SEARCH_REBUILD_IN_WEB", True))


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
    """Rebuild in a thread of this process unless one is running here or in another process, or
    this is a web process that must leave it to the worker (may_rebuild_here). True when a
    rebuild is under way."""
    idx = get_index(app)
    if not may_rebuild_here(app):
        return RebuildLock.held(idx.root)
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


def ensure_index(app) -> SyncReport | None:
    """Outside the web processes (the worker's periodic search.ensure_index, a release step): build
    the index when it is missing or unreadable, or when replaced versions fill a third of it. The
    web processes open the result on their next search. None when nothing was due (or another
    process is building)."""
    idx = get_index(app)
    try:
        segments = idx.segments()
        idx.snapshot()
    except IndexUnavailable as error:
        log.info("search index %s: building it", error.state)
        return rebuild(app, wait=False)
    total = sum(s.doc_count_all() for s in segments)
    deleted = sum(s.deleted_count() for s in segments)
    if total >= COMPACT_MIN_DOCS and deleted > COMPACT_DELETED_RATIO * total:
        return rebuild(app, wait=False)
    return None
