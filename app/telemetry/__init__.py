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

from flask import Flask

from . import logs, metrics, sentry


def init_telemetry(app: Flask) -> None:
    """Call first in the factory: its before_request hooks then run before everyone else's, so a
    request refused by a later hook is still timed, counted and logged with its id."""
    if app.config.get("REQUEST_TELEMETRY", True):
        logs.init_app(app)
        metrics.init_app(app)
    elif not app.testing:
        logs.configure_logging(app.config.get("LOG_FORMAT", "text"))
    sentry.init_app(app)
