"""What /health reports, and the live gauges /metrics adds at scrape time.

Required checks decide the status code: the database always, Redis when REDIS_URL is set. The rest
inform: search (an index being rebuilt still answers from the database), queues, and the workers'
and scheduler's heartbeats (a web instance taken out of rotation would not bring a worker back).
Outside services (Stripe, SendGrid, ...) are not here at all: a provider outage must not take the
web service out of rotation; they are on Admin -> System status (outside_services below).

The answer is cached per process for HEALTH_CACHE_SECONDS, so load balancer polling costs at most
one set of round trips per process per interval, whatever the polling rate.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from flask import Flask, current_app
from rq import Queue
from sqlalchemy import func, select, text

from ..extensions import db
from ..integrations.http import existing_breaker
from ..models import Job
from ..search import get_backend
from ..tasks import QUEUES
from ..tasks.runtime import redis_connection
from ..telemetry import heartbeats, outside

_cache_lock = threading.Lock()


def _timed(check) -> dict:
    start = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # any failure is the check's answer, never a 500
        result = {"status": "fail", "error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}
    result.setdefault("status", "ok")
    result["duration_ms"] = round((time.perf_counter() - start) * 1000, 2)
    return result


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()
    return {"status": "ok"}


def _redis(app: Flask) -> dict:
    connection = redis_connection(app)
    if connection is None:
        return {"status": "skipped", "detail": "REDIS_URL is not set: jobs run inline"}
    connection.ping()
    return {"status": "ok"}


def _search(app: Flask) -> dict:
    status = get_backend(app).status()
    result = {
        "status": "ok" if status.state == "ready" else "warn",
        "backend": status.backend,
        "state": "rebuilding" if status.rebuilding else status.state,
        "documents": status.documents,
        "lag_seconds": 0.0,
    }
    watermark = status.facts.get("Watermark")
    if watermark and watermark != "(none)":
        newest = db.session.scalar(select(func.max(Job.updated_at)))
        if newest is not None:
            newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
            result["lag_seconds"] = round(max(0.0, (newest - datetime.fromisoformat(watermark)).total_seconds()), 1)
    if status.detail:
        result["detail"] = status.detail
    return result


def queue_depths(connection, now: float | None = None) -> dict[str, dict]:
    """queue -> {depth, oldest_age_seconds} (the oldest job still waiting)."""

    now = now or time.time()
    found = {}
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        depth = queue.count
        age = 0.0
        if depth:
            first = queue.get_job_ids(0, 1)
            job = queue.fetch_job(first[0]) if first else None
            if job is not None and job.enqueued_at is not None:
                enqueued = job.enqueued_at.replace(tzinfo=UTC) if job.enqueued_at.tzinfo is None else job.enqueued_at
                age = max(0.0, now - enqueued.timestamp())
        found[name] = {"depth": depth, "oldest_age_seconds": round(age, 1)}
    return found


def _queues(app: Flask) -> dict:
    connection = redis_connection(app)
    if connection is None:
        return {"status": "skipped", "detail": "no Redis: jobs run inline after each commit"}
    return {"status": "ok", "queues": queue_depths(connection)}


def _heartbeat(app: Flask, kind: str) -> dict:
    connection = redis_connection(app)
    if connection is None:
        return {"status": "skipped", "detail": "no Redis: the web process runs background work itself"}
    stale_after = app.config["HEARTBEAT_STALE_SECONDS"]
    beats = heartbeats.read(connection).get(kind, [])
    if not beats:
        return {"status": "warn", "detail": f"no {kind} heartbeat", "processes": []}
    fresh = [b for b in beats if b["age_seconds"] <= stale_after]
    return {
        "status": "ok" if fresh else "warn",
        "last_heartbeat_age_seconds": beats[0]["age_seconds"],
        "processes": beats,
        **({} if fresh else {"detail": f"last {kind} heartbeat is older than {stale_after} s"}),
    }


def run_checks(app: Flask) -> tuple[dict, int]:
    """(body, status code): 503 when a required check failed."""
    checks = {
        "database": _timed(_database),
        "redis": _timed(lambda: _redis(app)),
        "search": _timed(lambda: _search(app)),
        "queues": _timed(lambda: _queues(app)),
        "worker": _timed(lambda: _heartbeat(app, "worker")),
        "scheduler": _timed(lambda: _heartbeat(app, "scheduler")),
    }
    checks["database"]["required"] = True
    checks["redis"]["required"] = bool(app.config.get("REDIS_URL"))
    failed = [name for name, check in checks.items() if check.get("required") and check["status"] == "fail"]
    warned = [name for name, check in checks.items() if check["status"] in ("warn", "fail")]
    status = "fail" if failed else ("degraded" if warned else "ok")
    body = {
        "status": status,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "release": app.config.get("RELEASE"),
        "checks": checks,
    }
    return body, 503 if failed else 200


def health() -> tuple[dict, int]:
    """run_checks, answered from a per-process cache for HEALTH_CACHE_SECONDS."""
    app = current_app._get_current_object()
    ttl = app.config["HEALTH_CACHE_SECONDS"]
    cached = app.extensions.get("jobifies_health")
    if cached and time.monotonic() - cached[0] < ttl:
        return cached[1], cached[2]
    with _cache_lock:  # a burst of polls runs the checks once, not once per thread
        cached = app.extensions.get("jobifies_health")
        if cached and time.monotonic() - cached[0] < ttl:
            return cached[1], cached[2]
        body, code = run_checks(app)
        app.extensions["jobifies_health"] = (time.monotonic(), body, code)
        return body, code


# Outside services on Admin -> System status: (label, breaker name prefix, settings that configure it).
OUTSIDE_SERVICES = (
    ("Stripe", "payments.stripe", ("STRIPE_SECRET_KEY",)),
    ("Razorpay", "payments.razorpay", ("RAZORPAY_KEY_ID",)),
    ("PayPal", "payments.paypal", ("PAYPAL_CLIENT_ID",)),
    ("SendGrid", "sendgrid", ("SENDGRID_API_KEY",)),
    ("OpenAI", "openai", ("OPENAI_API_KEY",)),
)


def outside_services(app: Flask) -> list[dict]:
    """One row per outside service (and per ATS connection that has been called): configured or
    not, breaker state (this process's), last success and failure (every process's, via Redis)."""
    outside.set_redis(redis_connection(app))
    seen = outside.read_all()
    rows = []
    for label, name, settings in OUTSIDE_SERVICES:
        rows.append(_row(label, name, all(app.config.get(s) for s in settings), seen.get(name, {})))
    for name in sorted(n for n in seen if n.startswith("ats-") and not n.startswith("ats-test-")):
        rows.append(_row(f"ATS connection {name.removeprefix('ats-')}", name, True, seen[name]))
    return rows


def _row(label: str, name: str, configured: bool, seen: dict) -> dict:
    local = existing_breaker(name)
    return {
        "label": label,
        "name": name,
        "configured": configured,
        "breaker": local.state if local is not None else seen.get("breaker", "closed"),
        "last_success": _when(seen.get("last_success")),
        "last_failure": _when(seen.get("last_failure")),
        "last_error": seen.get("last_error") or "",
    }


def _when(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch else None
