"""Prometheus metrics, correct under gunicorn with several processes.

When PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py sets it for every worker it starts), each
process writes its values to memory-mapped files in that directory and /metrics adds them up
(prometheus_client's multiprocess mode); gunicorn's child_exit hook marks a dead worker's live
gauges gone. Without it (flask run, tests), the values live in this process.

The rest of the app records through the small functions at the bottom (one line at each call site),
so no caller needs to know label names or metric types.
"""

from __future__ import annotations

import os
import re
import time

from flask import Flask
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

# Seconds; the p95 > 2 s alert needs buckets around 2.
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)

HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by route template (never the raw path)",
    ["method", "route", "status_code"],
    buckets=_LATENCY,
)
HTTP_REQUESTS = Counter("http_requests_total", "Requests answered", ["method", "route", "status_code"])
DB_CONNECTIONS = Gauge("db_connections_active", "Pooled database connections checked out", multiprocess_mode="livesum")
DB_POOL_SIZE = Gauge("db_pool_size", "Configured pool size per process", multiprocess_mode="livesum")
DB_QUERY = Histogram("db_query_duration_seconds", "Database statements", ["operation", "table"], buckets=_LATENCY)
CACHE = Counter("cache_requests_total", "Cache lookups", ["type", "status"])
REGISTRATIONS = Counter("user_registrations_total", "New accounts", ["role", "source"])
APPLICATIONS = Counter("job_applications_total", "Applications submitted", ["job_type", "status"])
PAYMENTS = Counter("payment_transactions_total", "Payments recorded", ["provider", "status", "currency"])
WEBHOOKS = Counter("webhook_events_total", "Webhook events by stage", ["provider", "stage"])
EMAILS = Counter("email_sends_total", "Outbox send attempts by outcome", ["status"])
JOB_DURATION = Histogram("rq_job_duration_seconds", "Background jobs", ["task", "status"], buckets=_LATENCY)
RESUME_PARSES = Counter("resume_parses_total", "Resume parses by outcome", ["outcome"])
SEARCH_LATENCY = Histogram("search_duration_seconds", "Job searches", ["backend"], buckets=_LATENCY)

_STATEMENT = re.compile(
    r"^\s*(?:WITH\b.*?\)\s*)?(SELECT|INSERT|UPDATE|DELETE)\b.*?\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)",
    re.IGNORECASE | re.DOTALL,
)
_UPDATE = re.compile(r"^\s*UPDATE\s+\"?(\w+)", re.IGNORECASE)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def scrape(extra_collectors=()) -> bytes:
    """The text exposition: every process's values (multiprocess mode) or this process's."""

    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
    for collector in extra_collectors:
        registry.register(collector)
    try:
        return generate_latest(registry)
    finally:
        for collector in extra_collectors:
            registry.unregister(collector)


def mark_process_dead(pid: int) -> None:
    """gunicorn's child_exit: drop a dead worker's live gauges (its counters stay counted)."""
    if multiprocess_dir():
        _multiprocess.mark_process_dead(pid)


def statement_labels(statement: str) -> tuple[str, str]:
    """(operation, table) of a SQL statement, from its first words; ("other", "") otherwise."""
    update = _UPDATE.match(statement)
    if update:
        return "UPDATE", update.group(1).lower()
    match = _STATEMENT.match(statement)
    if not match:
        return "other", ""
    return match.group(1).upper(), match.group(2).lower()


def _before_cursor(conn, cursor, statement, parameters, context, executemany):
    conn.info.setdefault("jobifies_query_start", []).append(time.perf_counter())


_statement_children: dict[str, object] = {}


def _after_cursor(conn, cursor, statement, parameters, context, executemany):
    starts = conn.info.get("jobifies_query_start")
    if starts:
        elapsed = time.perf_counter() - starts.pop()
        # SQLAlchemy sends the same compiled strings again and again: parse each once.
        child = _statement_children.get(statement)
        if child is None:
            child = DB_QUERY.labels(*statement_labels(statement))
            if len(_statement_children) < 5000:
                _statement_children[statement] = child
        child.observe(elapsed)


def _checkout(dbapi_connection, record, proxy):
    DB_CONNECTIONS.inc()


def _checkin(dbapi_connection, record):
    DB_CONNECTIONS.dec()


def _install_database_hooks() -> None:
    if not event.contains(Engine, "before_cursor_execute", _before_cursor):
        event.listen(Engine, "before_cursor_execute", _before_cursor)
        event.listen(Engine, "after_cursor_execute", _after_cursor)
        event.listen(Pool, "checkout", _checkout)
        event.listen(Pool, "checkin", _checkin)


_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def init_app(app: Flask) -> None:
    """The SQL statement hooks; the request hooks are app.telemetry's (one pair for logs and metrics)."""
    if not app.config.get("REQUEST_TELEMETRY", True):
        # Switched off (REQUEST_TELEMETRY=false): no per-request or per-statement metrics; what is
        # read at scrape time (queues, heartbeats) and the business counters stay.
        return
    _install_database_hooks()
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    if "pool_size" in options:
        DB_POOL_SIZE.set(options["pool_size"])


def observe_request(method: str, rule, status: int, seconds: float) -> None:
    route = rule.rule if rule is not None else "<unmatched>"
    duration, count = _http_children(method, route, status)
    duration.observe(seconds)
    count.inc()


_children: dict[tuple, tuple] = {}


def _http_children(method: str, route: str, status: int) -> tuple:
    """The (histogram, counter) children of one method, route and status, looked up once:
    .labels() validates and locks on every call, a third of the metrics' cost per request.

    The route is the URL rule's template (/jobs/<int:job_id>/<slug>), a bounded set; a raw path
    would let anyone create a new time series per URL they type. The method too comes from the
    client: anything unusual counts as "other". Bounded: methods x rules x statuses."""
    key = (method, route, status)
    children = _children.get(key)
    if children is None:
        labels = (method if method in _METHODS else "other", route, str(status))
        children = (HTTP_DURATION.labels(*labels), HTTP_REQUESTS.labels(*labels))
        if method in _METHODS:  # a made-up method is counted, not remembered
            _children[key] = children
    return children


# One-line recorders for the rest of the app. Labels are ours or from a fixed vocabulary; never
# user input.


def cache(kind: str, status: str) -> None:
    CACHE.labels(kind, status).inc()


def count_rate_limit_store(storage) -> None:
    """Count the rate limiter's store (Redis, or memory without REDIS_URL) in cache_requests_total,
    type "ratelimit": "hit" when the store already held a counter for this client and window, "miss"
    when the request opened a new one, "error" when the store failed (Redis down). Every limit a
    request passes through is one counter increment, so one lookup.

    Wraps the storage object's `incr`, the one call the limiter's fixed-window strategy makes per
    limit: Flask-Limiter has no hook on its store."""
    if getattr(storage, "jobifies_counted", False):
        return
    increment = storage.incr
    hit, miss, error = (CACHE.labels("ratelimit", status) for status in ("hit", "miss", "error"))

    def counted_incr(key, expiry, amount=1):
        try:
            value = increment(key, expiry, amount=amount)
        except Exception:
            error.inc()
            raise
        (hit if value > amount else miss).inc()
        return value

    storage.incr = counted_incr
    storage.jobifies_counted = True


def registration(role: str, source: str = "web") -> None:
    REGISTRATIONS.labels(role, source).inc()


def application(job_type: str | None, status: str = "submitted") -> None:
    APPLICATIONS.labels(job_type or "unknown", status).inc()


def payment(provider: str, status: str, currency: str | None) -> None:
    PAYMENTS.labels(provider, status, (currency or "").upper()).inc()


def webhook(provider: str, stage: str, count: int = 1) -> None:
    """stage: received, processed, ignored or failed."""
    if count:
        WEBHOOKS.labels(provider, stage).inc(count)


def email(status: str) -> None:
    EMAILS.labels(status).inc()


def job(task: str, status: str, seconds: float) -> None:
    JOB_DURATION.labels(task, status).observe(seconds)


def resume_parse(outcome: str) -> None:
    RESUME_PARSES.labels(outcome).inc()


def search(backend: str, seconds: float) -> None:
    SEARCH_LATENCY.labels(backend).observe(seconds)
