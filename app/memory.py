"""Handing freed memory back to the operating system in long-running web workers.

A search page allocates and frees a few megabytes (result rows, the rendered page, a word's postings
read for the first time). glibc keeps what Python frees in its heaps for reuse, and with 8 request
threads there are several heaps, so a worker's RSS creeps towards its busiest moment and stays there
(issue 9: one worker with the 100k index after 1,000 mixed searches). `malloc_trim(0)` returns the
free pages of every heap. It walks the heaps under their locks, so it runs at most every
`MALLOC_TRIM_SECONDS` per process, after a response has been sent (`call_on_close`), never on a
request's critical path; elsewhere than glibc (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import threading
import time


def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


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
    trimmer = Trimmer(app.config["MALLOC_TRIM_SECONDS"])
    app.extensions["memory_trimmer"] = trimmer
    if trimmer.trim is not None:

        @app.after_request
        def _trim_after_sending(response):
            response.call_on_close(trimmer.maybe_trim)
            return response

    return trimmer
