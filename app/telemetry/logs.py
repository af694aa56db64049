"""Log lines with a request id, as JSON in production and readable text in development.

Why python-json-logger rather than structlog: every module here already logs through the standard
library (`logging.getLogger(__name__)`), as do RQ, gunicorn and SQLAlchemy. python-json-logger is
only a Formatter, so all of those lines become JSON without touching a call site; structlog would
mean a second logging API, or the same stdlib bridge configured with more moving parts.

Every request gets an id: the `X-Request-ID` the proxy sent (Render sends one) if it looks like an
id, else a new one. It is answered in the `X-Request-ID` header, added to every log line written
while the request runs, handed to the background jobs the request enqueues (RQ job meta), and set
again while such a job runs, next to the job's id. One line per request records who, which route,
status and duration; never the query string or the body (tokens, email addresses, resume text).
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sys

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID = contextvars.ContextVar("request_id", default=None)
JOB_ID = contextvars.ContextVar("job_id", default=None)
HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
request_log = logging.getLogger("jobifies.request")

# Keys whose values never reach a log line, wherever they appear in `extra`.
SECRET_KEYS = re.compile(r"pass(word)?|secret|token|api[_-]?key|authorization|cookie|csrf|session|dsn", re.I)


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def new_request_id(incoming: str | None = None) -> str:
    if incoming and _VALID_ID.match(incoming):
        return incoming
    return os.urandom(16).hex()  # as random as uuid4, without building a UUID object


# What every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    """Adds request_id and job_id to every record; masks `extra` fields named like secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = vars(record)
        if fields.get("request_id") is None:
            record.request_id = REQUEST_ID.get()
        if fields.get("job_id") is None:
            record.job_id = JOB_ID.get()
        for name in fields.keys() - _STANDARD:
            if SECRET_KEYS.search(name):
                fields[name] = "[Filtered]"
        return True


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [f"{key}={getattr(record, key)}" for key in ("request_id", "job_id") if getattr(record, key, None)]
        return f"{line} [{' '.join(ids)}]" if ids else line


def json_formatter() -> logging.Formatter:

    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "timestamp", "levelname": "level", "name": "logger"},
        timestamp=False,
    )


def configure_logging(log_format: str, level: int = logging.INFO, stream=None) -> logging.Handler:
    """Root logger: one handler (stderr unless `stream`) with the context filter and the format."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "jobifies", False)), None)
    if handler is None or stream is not None:
        if handler is not None:
            root.removeHandler(handler)
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.jobifies = True
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
    if log_format == "json":
        handler.setFormatter(json_formatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    if not app.testing:
        configure_logging(app.config.get("LOG_FORMAT", "text"))

    @app.before_request
    def _request_id():
        g.request_id = new_request_id(request.headers.get(HEADER))
        REQUEST_ID.set(g.request_id)

    @app.after_request
    def _answer_and_log(response):
        request_id = g.get("request_id")
        if request_id is None:
            return response
        response.headers[HEADER] = request_id
        _log_request(response.status_code)
        return response

    @app.teardown_request
    def _forget(_error=None):
        # The thread serves another request next: its log lines must not carry this id.
        REQUEST_ID.set(None)


def _user_id() -> str | None:
    # Only a user the request already loaded (every page does, for the layout): loading one here
    # would cost a session decode and a query on requests that never needed it (/health).
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return str(user.get_id()).partition(":")[0]


def _log_request(status: int) -> None:
    rule = request.url_rule
    seconds = g.get("request_seconds")
    request_log.info(
        "%s %s %s",
        request.method,
        rule.rule if rule is not None else "<unmatched>",
        status,
        extra={
            "method": request.method,
            "route": rule.rule if rule is not None else "<unmatched>",
            "status": status,
            "duration_ms": round(seconds * 1000, 2) if seconds is not None else None,
            "user_id": _user_id(),
        },
    )
