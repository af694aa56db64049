"""Handing freed memory back to the operating system in long-running web workers.

A search page allocates and frees a few megabytes (result rows, the rendered page, a word's postings
read for the first time). glibc keeps what Python frees in its heaps for reuse, and with 8 request
threads there are several heaps, so a worker's RSS creeps towards its busiest moment and stays there
(issue 9: one worker with the 100k index after 1,000 mixed searches). `malloc_trim(0)` returns the
free pages of every heap. It walks the heaps under their locks, so it runs at most every
`MALLOC_TRIM_SECONDS` per process, after a response has been sent (`call_on_close`), never on a
request's critical path; elsewhere than glibc (musl, macOS) it does nothing.

The number of heaps is capped too (`MALLOC_ARENA_MAX`, 2 by default, glibc's own variable read as a
setting and applied with `mallopt` at start, before the request threads allocate): glibc's default,
8 per core, lets each of the 8 threads keep a heap of its own with its own free pages. Measured with
the 100k index (bench/pages.py --memory-only): 237 MB after 1,000 searches with 2 arenas against
255-260 MB with the default, at the same speed.
"""

from __future__ import annotations

import ctypes
import threading
import time

M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return None


def _malloc_trim():
    return getattr(_libc(), "malloc_trim", None)


def limit_arenas(limit: int, libc=None) -> bool:
    """Cap glibc's heaps at `limit` (0: leave glibc's default). True if it was applied."""
    libc = libc if libc is not None else _libc()
    mallopt = getattr(libc, "mallopt", None)
    if limit <= 0 or mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, limit))


class Trimmer:
    def __init__(self, interval: float, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self.trim = _malloc_trim() if interval > 0 else None
        self.last = clock()
        self.trims = 0
        self._lock = threading.Lock()

    def maybe_trim(self) -> bool:
        """Trim if the interval has passed and no other thread is trimming; True if it did."""
        if self.trim is None or self.clock() - self.last < self.interval:
            return False
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self.last = self.clock()
            self.trim(0)
            self.trims += 1
            return True
        finally:
            self._lock.release()


def init_memory_trim(app) -> Trimmer:
    limit_arenas(app.config["MALLOC_ARENA_MAX"])
    trimmer = Trimmer(app.config["MALLOC_TRIM_SECONDS"])
    app.extensions["memory_trimmer"] = trimmer
    if trimmer.trim is not None:

        @app.after_request
        def _trim_after_sending(response):
            response.call_on_close(trimmer.maybe_trim)
            return response

    return trimmer
