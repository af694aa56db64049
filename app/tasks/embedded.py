"""The embedded scheduler: without Redis there is no worker or scheduler process, so the web
process runs the periodic jobs itself (sweepers, expiry, alert digests) on a background thread.

Started by the first request a process serves, so CLI commands and tests never start it.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from .runtime import run_inline
from .schedule import SCHEDULE

log = logging.getLogger(__name__)
_started = threading.Event()


def init_embedded_scheduler(app: Flask) -> None:
    if app.config.get("REDIS_URL") or not app.config.get("EMBEDDED_SCHEDULER"):
        return

    @app.before_request
    def _start_once():
        if not _started.is_set():
            _started.set()
            threading.Thread(target=_loop, args=(app,), name="jobifies-embedded-scheduler", daemon=True).start()


def run_due(app: Flask, last_run: dict, now: float) -> list[str]:
    """Run every scheduled task whose interval has passed; returns the names that ran."""
    ran = []
    for task, _queue, interval in SCHEDULE:
        if now - last_run.get(task.name, 0) >= interval:
            last_run[task.name] = now
            run_inline(app, task, ())
            ran.append(task.name)
    return ran


def _loop(app: Flask) -> None:
    last_run: dict[str, float] = {}
    time.sleep(5)
    while True:
        try:
            run_due(app, last_run, time.monotonic())
        except Exception:  # keep ticking; each task logs its own failures
            log.exception("Embedded scheduler tick failed")
        time.sleep(30)
