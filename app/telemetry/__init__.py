"""Operations telemetry: Prometheus metrics, JSON logs with request ids, Sentry, heartbeats.

    metrics.py     the metric objects (prometheus_client; multiprocess under gunicorn) and the
                   one-line recorders the rest of the app calls
    logs.py        request ids (X-Request-ID in and out, into RQ jobs), JSON or text log lines
    sentry.py      sentry-sdk, only when SENTRY_DSN is set, with secrets scrubbed before sending
    heartbeats.py  workers and the scheduler write one to Redis every few seconds; /health reads them
    outside.py     last success / failure of each outside service (Admin -> System status)

It sits at the bottom of the import layers (pyproject.toml): services, integrations and tasks call
into it; it imports nothing of ours.
"""

from __future__ import annotations

import time

from flask import Flask, g, request

from . import logs, metrics, sentry


def init_telemetry(app: Flask) -> None:
    """Call first in the factory: its before_request hook then runs before everyone else's, so a
    request refused by a later hook is still timed, counted and logged with its id.

    One hook on each side for the request id, the metrics and the log line, rather than a pair per
    module: every hook Flask calls costs a few microseconds of its own, and on a cheap page
    (/health/live) that was a third of what telemetry cost."""
    logs.init_app(app)
    metrics.init_app(app)
    sentry.init_app(app)
    # REQUEST_TELEMETRY=false drops the request metrics and the line per request; the request id
    # stays: it is answered, put on every other log line and handed to jobs.
    per_request = app.config.get("REQUEST_TELEMETRY", True)

    @app.before_request
    def _begin_request():
        logs.begin_request()
        g.request_started = time.perf_counter()

    @app.after_request
    def _end_request(response):
        started = g.get("request_started")
        if started is None:  # refused before our hook ran
            return response
        response.headers[logs.HEADER] = g.request_id
        if per_request:
            seconds = time.perf_counter() - started
            current = request._get_current_object()  # once, rather than through the proxy each time
            metrics.observe_request(current.method, current.url_rule, response.status_code, seconds)
            logs.log_request(current, response.status_code, seconds)
        return response

    @app.teardown_request
    def _forget(_error=None):
        logs.end_request()
