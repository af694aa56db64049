"""Login throttling: failed attempts are counted per address and per client IP in a moving window.

Backed by the `limits` package, so the counters live in Redis when REDIS_URL is set (shared by all
web processes) and in memory otherwise.
"""
from __future__ import annotations

import time

from flask import current_app
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

_limiters: dict[str, MovingWindowRateLimiter] = {}
# An IP may fail more often than one address: offices and campuses share addresses.
IP_FACTOR = 4


def _limiter() -> MovingWindowRateLimiter:
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if uri not in _limiters:
        _limiters[uri] = MovingWindowRateLimiter(storage_from_string(uri))
    return _limiters[uri]


def _items():
    failures = current_app.config["LOGIN_MAX_FAILURES"]
    minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
    return RateLimitItemPerMinute(failures, minutes), RateLimitItemPerMinute(failures * IP_FACTOR, minutes)


def _keys(email: str, ip: str) -> tuple[str, str]:
    return f"login-fail:email:{email}", f"login-fail:ip:{ip}"


def seconds_locked(email: str, ip: str) -> int:
    """0 when a login may be tried, else how many seconds until the window frees up."""
    limiter = _limiter()
    wait = 0
    for item, key in zip(_items(), _keys(email, ip)):
        if not limiter.test(item, key):
            reset_at = limiter.get_window_stats(item, key).reset_time
            wait = max(wait, int(reset_at - time.time()) + 1)
    return wait


def record_failure(email: str, ip: str) -> None:
    limiter = _limiter()
    for item, key in zip(_items(), _keys(email, ip)):
        limiter.hit(item, key)


def clear(email: str) -> None:
    """A successful login forgets the address's failures (the IP's stay, to slow spraying)."""
    limiter = _limiter()
    item, _ = _items()
    limiter.clear(item, _keys(email, "")[0])


def reset_all() -> None:
    """For tests: forget every counter."""
    for limiter in _limiters.values():
        limiter.storage.reset()
