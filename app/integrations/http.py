"""Resilience for outbound calls: bounded retries with backoff, and a circuit breaker per provider.

The breaker lives in the process (each worker has its own view); it stops a process from hammering
a provider that is down and lets work fail fast (and be retried later by the queue) until a
cool-down has passed, when one trial call is let through.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..telemetry import outside

T = TypeVar("T")

# The pause between retries. Tests replace this, not time.sleep, which every thread shares.
_sleep = time.sleep


class CircuitOpenError(RuntimeError):
    """The provider failed repeatedly; calls are refused until the cool-down passes."""


class RetryableError(RuntimeError):
    """A failure worth retrying (429, 5xx, connection problems). `retry_after` is the pause in
    seconds the provider asked for (a Retry-After header), if it named one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class CircuitBreaker:
    name: str
    failure_threshold: int = 5
    cooldown_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False  # half-open lets exactly one trial call through
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown_seconds:
            return "half-open"
        return "open"

    def before_call(self) -> None:
        with self._lock:
            state = self.state
            if state == "open":
                remaining = self.cooldown_seconds - (self.clock() - self.opened_at)
                raise CircuitOpenError(f"{self.name} is failing; not calling it for another {remaining:.0f} s")
            if state == "half-open":
                if self.trial_in_flight:
                    raise CircuitOpenError(f"{self.name} is failing; a trial call is under way")
                self.trial_in_flight = True

    def release_trial(self) -> None:
        with self._lock:
            self.trial_in_flight = False

    def record_success(self) -> None:
        with self._lock:
            self.failures, self.opened_at, self.trial_in_flight = 0, None, False
        outside.record(self.name, True, breaker_state="closed")  # Admin -> System status

    def record_failure(self, error: str | None = None) -> None:
        with self._lock:
            self.trial_in_flight = False
            self.failures += 1
            # A failed trial call in half-open re-opens at once; otherwise open at the threshold.
            if self.opened_at is not None or self.failures >= self.failure_threshold:
                self.opened_at = self.clock()
        outside.record(self.name, False, error, self.state)


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker(name: str, **settings) -> CircuitBreaker:
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = CircuitBreaker(name, **settings)
        return _breakers[name]


def existing_breaker(name: str) -> CircuitBreaker | None:
    """This process's breaker of that name, if any call has made one (Admin -> System status)."""
    with _breakers_lock:
        return _breakers.get(name)


def reset_breakers() -> None:
    with _breakers_lock:
        _breakers.clear()


def call_with_retries(
    provider: str,
    fn: Callable[[], T],
    *,
    attempts: int = 3,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
    sleep: Callable[[float], None] | None = None,
    max_retry_after: float = 60.0,
) -> T:
    """Call fn(); on RetryableError retry with jittered exponential backoff, through the provider's breaker.

    A Retry-After the provider sent is honoured instead of the backoff; one longer than
    `max_retry_after` ends the retries at once (a job should not hold its worker that long; the
    queue or the next scheduled run tries again). Non-retryable exceptions pass straight through
    (and do not count against the breaker: a 400 is our bug, not the provider being down).
    """
    circuit = breaker(provider)
    last_error: Exception | None = None
    for attempt in range(attempts):
        circuit.before_call()
        try:
            result = fn()
        except RetryableError as error:
            circuit.record_failure(str(error))
            last_error = error
            if attempt + 1 < attempts:
                if error.retry_after is not None:
                    if error.retry_after > max_retry_after:
                        raise
                    (sleep or _sleep)(error.retry_after)
                else:
                    delay = min(max_delay, base_delay * (2**attempt))
                    (sleep or _sleep)(delay * (0.5 + random.random() / 2))
            continue
        except BaseException:
            circuit.release_trial()  # the provider answered (our request was wrong): no verdict
            raise
        circuit.record_success()
        return result
    assert last_error is not None
    raise last_error
