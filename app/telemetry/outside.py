"""The last success and failure of each outside service (Stripe, SendGrid, OpenAI, ATS...), for the
admin "System status" page. Recorded by app/integrations/http.py around every call.

Kept in this process, and in Redis when one is configured (set_redis), because the worker makes
most of these calls and the page is served by a web process. Never raises: status bookkeeping must
not fail the call it describes.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)
KEY = "jobifies:outside:"
_local: dict[str, dict] = {}
_lock = threading.Lock()
_redis = None


def set_redis(connection) -> None:
    global _redis
    _redis = connection


def record(service: str, ok: bool, error: str | None = None, breaker_state: str | None = None) -> None:
    now = repr(time.time())
    fields = {"last_success": now} if ok else {"last_failure": now, "last_error": (error or "")[:300]}
    if breaker_state:
        fields["breaker"] = breaker_state
    with _lock:
        _local.setdefault(service, {}).update(fields)
    if _redis is not None:
        try:
            _redis.hset(KEY + service, mapping=fields)
        except Exception as problem:  # Redis down: this process still knows
            log.debug("could not record %s status in Redis: %s", service, problem)


def read_all() -> dict[str, dict]:
    """service -> {last_success, last_failure (epoch seconds), last_error, breaker}."""
    found = {}
    with _lock:
        for service, fields in _local.items():
            found[service] = dict(fields)
    if _redis is not None:
        try:
            for key in _redis.scan_iter(match=KEY + "*", count=500):
                fields = {k.decode(): v.decode() for k, v in _redis.hgetall(key).items()}
                found.setdefault(key.decode()[len(KEY) :], {}).update(fields)
        except Exception as problem:
            log.debug("could not read outside-service status from Redis: %s", problem)
    for fields in found.values():
        for name in ("last_success", "last_failure"):
            if name in fields:
                fields[name] = float(fields[name])
    return found
