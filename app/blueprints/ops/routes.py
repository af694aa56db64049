"""Health, metrics and the system status page. The checks live in app/services/health.py."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Response, current_app, render_template, request
from prometheus_client.core import GaugeMetricFamily

from ...errors import NotFound
from ...extensions import csrf, limiter
from ...services import health
from ...tasks.runtime import redis_connection
from ...telemetry import heartbeats, metrics
from ..helpers import admin_required
from .blueprint import bp

csrf.exempt(bp)  # GET only; exempting keeps token checks off the polling path


@bp.get("/health/live")
@limiter.exempt
def live():
    """The process answers (no dependencies): for restarts, not for routing."""
    return {"status": "ok"}


@bp.get("/health")
@limiter.exempt
def health_check():
    body, code = health.health()
    response = current_app.json.response(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def _metrics_allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    networks = current_app.config.get("METRICS_ALLOW_IPS") or []
    if not token and not networks:
        # Nothing configured: open in development, closed in production (it lists every route).
        return current_app.config["APP_ENV"] != "production"
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


class _LiveCollector:
    """Gauges read at scrape time from Redis: queue depths and ages, heartbeat ages."""

    def __init__(self, connection):
        self.connection = connection

    def collect(self):
        depth = GaugeMetricFamily("rq_queue_depth", "Jobs waiting per RQ queue", labels=["queue"])
        age = GaugeMetricFamily("rq_queue_oldest_job_age_seconds", "Age of the oldest waiting job", labels=["queue"])
        beat = GaugeMetricFamily(
            "heartbeat_age_seconds", "Age of the newest heartbeat per process kind", labels=["kind"]
        )
        try:
            for name, queue in health.queue_depths(self.connection).items():
                depth.add_metric([name], queue["depth"])
                age.add_metric([name], queue["oldest_age_seconds"])
            found = heartbeats.read(self.connection)
            for kind in ("worker", "scheduler"):
                # No heartbeat at all reads as very old, so "heartbeat missing" alerts fire.
                beat.add_metric([kind], found[kind][0]["age_seconds"] if found.get(kind) else 1e9)
        except Exception:  # Redis down: /health says so; the scrape still answers
            return
        yield depth
        yield age
        yield beat


@bp.get("/metrics")
@limiter.exempt
def metrics_page():
    if not _metrics_allowed():
        # 404, like the admin area: the endpoint does not advertise itself.
        raise NotFound("Not found.")
    connection = redis_connection(current_app)
    extra = [_LiveCollector(connection)] if connection is not None else []
    return Response(metrics.scrape(extra), mimetype="text/plain; version=0.0.4; charset=utf-8")


@bp.get("/admin/system")
@admin_required
def system_status():
    body, code = health.health()
    return render_template(
        "ops/system.html", health=body, healthy=code == 200, services=health.outside_services(current_app)
    )
