"""Login throttling that slows password guessing without letting anyone lock someone else out.

Three counters, in a moving window of LOGIN_LOCKOUT_MINUTES (Redis when REDIS_URL is set, shared
by every web process; memory otherwise):

- per (account, IP): LOGIN_MAX_FAILURES wrong passwords lock that pair only. Someone guessing from
  one address stops there, while the owner logs in from anywhere else.
- per IP: IP_FACTOR times as many failures over all accounts lock the IP (password spraying).
  Offices and campuses share addresses, hence the larger allowance.
- per account, from everywhere: after LOGIN_SLOWDOWN_AFTER failures the account answers at most
  one attempt per 2, 4, 8 ... seconds (capped at LOGIN_MAX_DELAY_SECONDS) — a distributed guesser
  is slowed to a crawl, and the owner waits seconds, never a lock-out.
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

_limiters: dict[str, MovingWindowRateLimiter] = {}
IP_FACTOR = 4


def _limiter() -> MovingWindowRateLimiter:
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if uri not in _limiters:
        _limiters[uri] = MovingWindowRateLimiter(storage_from_string(uri))
    return _limiters[uri]


def _storage() -> Storage:
    return _limiter().storage


def _window_minutes() -> int:
    return current_app.config["LOGIN_LOCKOUT_MINUTES"]


def _pair_item():
    return RateLimitItemPerMinute(current_app.config["LOGIN_MAX_FAILURES"], _window_minutes())


def _ip_item():
    return RateLimitItemPerMinute(current_app.config["LOGIN_MAX_FAILURES"] * IP_FACTOR, _window_minutes())


def _account_item():
    # Only counted (never "hit the limit"): a very large allowance that still expires with the window.
    return RateLimitItemPerMinute(1_000_000, _window_minutes())


def _keys(email: str, ip: str) -> dict[str, str]:
    return {
        "pair": f"login-fail:pair:{email}|{ip}",
        "ip": f"login-fail:ip:{ip}",
        "account": f"login-fail:account:{email}",
        "cooldown": f"login-cooldown:{email}",
    }


def _wait_for(item, key: str) -> int:
    reset_at = _limiter().get_window_stats(item, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def seconds_locked(email: str, ip: str) -> tuple[int, str]:
    """(seconds to wait, which rule) before this login may be tried; (0, "") when it may be now."""
    limiter, keys = _limiter(), _keys(email, ip)
    if not limiter.test(_pair_item(), keys["pair"]):
        return _wait_for(_pair_item(), keys["pair"]), "pair"
    if not limiter.test(_ip_item(), keys["ip"]):
        return _wait_for(_ip_item(), keys["ip"]), "ip"
    storage = _storage()
    if storage.get(keys["cooldown"]):
        return max(1, math.ceil(storage.get_expiry(keys["cooldown"]) - time.time())), "account"
    return 0, ""


def record_failure(email: str, ip: str) -> None:
    limiter, keys = _limiter(), _keys(email, ip)
    limiter.hit(_pair_item(), keys["pair"])
    limiter.hit(_ip_item(), keys["ip"])
    limiter.hit(_account_item(), keys["account"])
    failures = _account_item().amount - limiter.get_window_stats(_account_item(), keys["account"]).remaining
    over = failures - current_app.config["LOGIN_SLOWDOWN_AFTER"]
    if over >= 0:
        delay = min(2 ** (over + 1), current_app.config["LOGIN_MAX_DELAY_SECONDS"])
        _storage().incr(keys["cooldown"], delay)


def clear(email: str, ip: str) -> None:
    """A successful login forgets this account's failures (the IP's stay, to slow spraying)."""
    limiter, keys = _limiter(), _keys(email, ip)
    limiter.clear(_pair_item(), keys["pair"])
    limiter.clear(_account_item(), keys["account"])
    _storage().clear(keys["cooldown"])


def reset_all() -> None:
    """For tests: forget every counter."""
    for limiter in _limiters.values():
        limiter.storage.reset()
