"""Heartbeats: each worker and the scheduler write one to Redis every few seconds; /health reads
them. A key per process (kind, host:pid) with a TTL, so a process that died stops being listed
after the TTL, and one that hangs shows an age that grows."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

log = logging.getLogger(__name__)
PREFIX = "jobifies:heartbeat:"
INTERVAL_SECONDS = 5
TTL_SECONDS = 120  # long after "stale": /health still shows a dead process as stale, not gone


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(connection, kind: str, name: str | None = None, now: float | None = None) -> None:
    connection.set(f"{PREFIX}{kind}:{name or process_name()}", repr(now or time.time()), ex=TTL_SECONDS)


def read(connection, now: float | None = None) -> dict[str, list[dict]]:
    """kind -> [{name, age_seconds}], newest first."""
    now = now or time.time()
    found: dict[str, list[dict]] = {}
    keys = list(connection.scan_iter(match=f"{PREFIX}*", count=500))
    values = connection.mget(keys) if keys else []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            continue
        kind, _, name = key.decode()[len(PREFIX) :].partition(":")
        found.setdefault(kind, []).append({"name": name, "age_seconds": round(max(0.0, now - float(value)), 1)})
    for beats in found.values():
        beats.sort(key=lambda b: b["age_seconds"])
    return found


def start(connection, kind: str, interval: float = INTERVAL_SECONDS) -> threading.Thread:
    """Beat on a daemon thread until the process exits. A Redis blip is logged and retried."""
    name = process_name()

    def loop():
        while True:
            try:
                beat(connection, kind, name)
            except Exception as error:  # Redis down: the next beat tries again
                log.warning("heartbeat to Redis failed: %s", error)
            time.sleep(interval)

    thread = threading.Thread(target=loop, name=f"heartbeat-{kind}", daemon=True)
    thread.start()
    return thread
