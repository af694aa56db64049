"""The search index on disk and its per-process handle.

Layout of SEARCH_INDEX_DIR (default INSTANCE_DIR/search-index):

    CURRENT          one line: the name of the live index directory (replaced atomically)
    ix-<time>-<rand>/ a Whoosh index (its own write lock, TOC generations and segments)
    rebuild.lock     held (flock) by the one process building a new index

A rebuild writes a brand-new directory and then replaces CURRENT, so readers keep using the old
index until the new one is complete, a half-built index is never visible, and a corrupt index can
be replaced without anyone deleting files under a reader. Every process notices the switch on its
next search (it compares CURRENT with the directory it has open).

Per process (keyed by pid, so a forked gunicorn worker never reuses its parent's file handles) we
keep one `SearchIndex`: the open Whoosh index, the current searcher, the engine's per-segment
caches, and the process's background threads (rebuild, catch-up, merge). The searcher is reused
while `searcher.up_to_date()` is true; when it is false a new searcher over the latest generation
replaces it (whoosh_codec.open_searcher, which reuses the open readers of unchanged segments and
never calls `searcher.refresh()`). Old searchers are not closed while a search may still hold them;
files close with the last reference.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
import threading
import time

from whoosh.filedb.filestore import FileStorage

from . import whoosh_codec as codec
from .backend import SearchUnavailable
from .engine import SegmentData, Snapshot
from .schema import SCHEMA_VERSION, build_schema

log = logging.getLogger(__name__)

POINTER = "CURRENT"
REBUILD_LOCK = "rebuild.lock"
STALE_BUILD_SECONDS = 6 * 3600  # an abandoned half-built directory older than this is removed


class IndexUnavailable(SearchUnavailable):
    """The index is missing, being built, or unreadable: answer from the database instead."""


def index_root(app) -> str:
    return app.config.get("SEARCH_INDEX_DIR") or os.path.join(app.config["INSTANCE_DIR"], "search-index")


class SearchIndex:
    """One process's handle on the index under `root`."""

    def __init__(self, root: str, term_cache_bytes: int | None = None):
        self.root = root
        self.term_cache_bytes = term_cache_bytes  # None: the engine's default (snapshot.py)
        self.pid = os.getpid()
        # Serialises searches and searcher swaps in this process: Whoosh readers seek and read
        # shared file objects, and the engine's caches are plain dicts. Searches are short.
        self.lock = threading.RLock()
        # One catch-up at a time per process; across processes Whoosh's write lock decides. Searches
        # never wait for it unless this process has a change of its own to absorb (sync.py).
        self.sync_lock = threading.Lock()
        self.last_search_check: float | None = None  # sync.clock() of the last check before a search
        # Wall-clock µs at which this process last read the change window of the index named
        # window_checked_index and left nothing unabsorbed (catchup._since).
        self.window_checked_us = 0
        self.window_checked_index: str | None = None
        self.local_changes = 0  # commits of this process that touched jobs or companies
        self.absorbed_changes = 0  # how many of them a finished catch-up has absorbed
        self.counter_lock = threading.Lock()
        # Background work of this process on this index (sync.py starts them; one of each at a time).
        self.rebuild_thread: threading.Thread | None = None
        self.catch_up_thread: threading.Thread | None = None
        self.merge_thread: threading.Thread | None = None
        self.last_auto_rebuild = 0.0  # time.monotonic() of the last automatic rebuild attempt
        self.needs_reconcile = True  # the first catch-up of a process compares id sets
        self.last_reconcile = 0.0
        self._ix = None
        self._dirname: str | None = None
        self._searcher = None
        self._snapshot: Snapshot | None = None
        self._meta: dict | None = None
        self._segments: dict[str, SegmentData] = {}
        self._broken: str | None = None

    # -- where the live index is
    def current_name(self) -> str | None:
        try:
            with open(os.path.join(self.root, POINTER), encoding="utf-8") as fh:
                name = fh.read().strip()
        except FileNotFoundError:
            return None
        return name if name and "/" not in name and name not in (".", "..") else None

    def current_path(self) -> str | None:
        name = self.current_name()
        return os.path.join(self.root, name) if name else None

    def set_current(self, name: str) -> None:
        tmp = os.path.join(self.root, f".{POINTER}.{os.getpid()}.{secrets.token_hex(4)}")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
        os.replace(tmp, os.path.join(self.root, POINTER))

    def new_build_dir(self) -> tuple[str, str]:
        os.makedirs(self.root, exist_ok=True)
        name = f"ix-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        path = os.path.join(self.root, name)
        os.makedirs(path)
        return name, path

    def remove_stale_dirs(self) -> None:
        """Delete index directories that are neither live nor recent (a finished rebuild's old
        index, an abandoned build). Open files of a process still reading one stay valid (POSIX)."""
        current = self.current_name()
        try:
            entries = os.listdir(self.root)
        except FileNotFoundError:
            return
        for entry in entries:
            path = os.path.join(self.root, entry)
            if not entry.startswith("ix-") or entry == current or not os.path.isdir(path):
                continue
            age = time.time() - os.path.getmtime(path)
            # A directory replaced by a newer one can go soon; one that never became live may be a
            # build in progress in another process: wait much longer.
            replaced = current is not None and entry < current
            if age > (600 if replaced else STALE_BUILD_SECONDS):
                shutil.rmtree(path, ignore_errors=True)

    # -- opening
    def _open(self):
        path = self.current_path()
        if path is None or not os.path.isdir(path):
            raise IndexUnavailable("missing")
        try:
            ix = FileStorage(path).open_index()
            expected = set(build_schema().names())
            if set(ix.schema.names()) != expected:
                raise IndexUnavailable("broken", "schema differs from this version of the code")
        except IndexUnavailable:
            raise
        except Exception as error:  # EmptyIndexError, a truncated TOC, missing segment files...
            raise IndexUnavailable("broken", f"{type(error).__name__}: {error}") from error
        return ix, os.path.basename(path)

    def mark_broken(self, detail: str) -> None:
        with self.lock:
            self._broken = detail
            self._ix = self._searcher = self._snapshot = self._meta = None
            self._segments.clear()

    def index(self):
        """The open Whoosh index for the current directory (reopened after a rebuild's switch)."""
        with self.lock:
            name = self.current_name()
            if self._ix is None or name != self._dirname:
                if self._broken and name == self._dirname:
                    raise IndexUnavailable("broken", self._broken)
                ix, dirname = self._open()
                self._ix, self._dirname, self._broken = ix, dirname, None
                self._searcher = self._snapshot = self._meta = None
                self._segments.clear()
            return self._ix

    def snapshot(self) -> Snapshot:
        """The engine over the latest committed generation, reusing the searcher while current."""
        with self.lock:
            ix = self.index()
            searcher = self._searcher
            if searcher is None or not searcher.up_to_date():
                try:
                    searcher, current = codec.open_searcher(ix, self._searcher)
                    snapshot = Snapshot(searcher, self._segments, current, self.term_cache_bytes)
                    meta = read_meta(snapshot)
                except Exception as error:
                    self.mark_broken(f"{type(error).__name__}: {error}")
                    raise IndexUnavailable("broken", str(error)) from error
                if meta.get("schema") != SCHEMA_VERSION:
                    self.mark_broken("index written by another schema version")
                    raise IndexUnavailable("broken", "schema version")
                live = snapshot.segment_ids
                for segid in list(self._segments):
                    if segid not in live:
                        del self._segments[segid]  # merged away: its caches can go
                self._searcher, self._snapshot, self._meta = searcher, snapshot, meta
            return self._snapshot

    @property
    def searcher(self):
        """The searcher of the last snapshot (None before the first)."""
        return self._searcher

    def segments(self) -> list:
        """The latest generation's segments (for merge planning)."""
        return codec.list_segments(self.index())

    def meta(self) -> dict:
        with self.lock:
            self.snapshot()
            return dict(self._meta or {})

    def status(self) -> dict:
        info = {
            "root": self.root,
            "directory": self.current_name(),
            "state": "ready",
            "documents": None,
            "watermark": None,
            "segments": None,
        }
        if self.rebuild_thread is not None and self.rebuild_thread.is_alive():
            info["rebuilding"] = True
        try:
            snap = self.snapshot()
            meta = self.meta()
            info.update(
                documents=snap.doc_count,
                watermark=meta.get("watermark"),
                segments=len(snap.leaves),
                built_at=meta.get("built_at"),
            )
        except IndexUnavailable as error:
            info["state"] = error.state
            info["detail"] = str(error)
        return info


def create_index(path: str, schema):
    """A new, empty index in `path`.

    Segments are written non-compound (building.py, catchup.py) and read through plain file handles:
    Whoosh copies a *compound* file into a BytesIO per open file (a whole copy in each process's
    heap: the 570 MB workers of issue 9), but reads a separate segment file only as far as asked.
    Memory maps were tried and dropped: a map of a file that another process truncates or replaces
    in place ends the reading process with SIGBUS (seen in the test suite), where a file handle
    gets a clean error the catch-up survives.
    """
    return FileStorage(path).create_index(schema)


def read_meta(snapshot: Snapshot) -> dict:
    """The index's own record of what it has absorbed, stored in a document of its own so that
    it changes in the same commit as the postings it describes."""
    fields = snapshot.meta_fields()
    if not fields or "meta" not in fields:
        return {}
    try:
        return json.loads(fields["meta"])
    except (TypeError, ValueError):
        return {}


_registry: dict[tuple[int, str], SearchIndex] = {}
_registry_lock = threading.Lock()


def get_index(app) -> SearchIndex:
    root = index_root(app)
    key = (os.getpid(), root)
    with _registry_lock:
        handle = _registry.get(key)
        if handle is None:
            for old in [k for k in _registry if k[0] != key[0]]:
                del _registry[old]  # inherited from the parent before a fork
            megabytes = app.config.get("SEARCH_TERM_CACHE_MB")
            budget = None if megabytes is None else int(megabytes) * 1024 * 1024
            handle = _registry[key] = SearchIndex(root, budget)
        return handle


class RebuildLock:
    """An exclusive flock on root/rebuild.lock: one index build at a time across processes."""

    def __init__(self, root: str):
        os.makedirs(root, exist_ok=True)
        self.path = os.path.join(root, REBUILD_LOCK)
        self._fh = None

    def acquire(self, wait: bool) -> bool:
        self._fh = open(self.path, "a+")  # noqa: SIM115  (held open as long as the lock is held)
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            return True
        except BlockingIOError:
            self._fh.close()
            self._fh = None
            return False

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    @staticmethod
    def held(root: str) -> bool:
        lock = RebuildLock(root)
        if lock.acquire(wait=False):
            lock.release()
            return False
        return True
