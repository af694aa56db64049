"""Log lines with a request id, as JSON in production and readable text in development.

Why a stdlib Formatter rather than structlog: every module here already logs through the standard
library (`logging.getLogger(__name__)`), as do RQ, gunicorn and SQLAlchemy. A Formatter on the root
handler turns all of those lines into JSON without touching a call site; structlog would mean a
second logging API, or the same stdlib bridge configured with more moving parts.

Why our own JsonLineFormatter rather than python-json-logger's JsonFormatter (which this used
first): same keys, same output, but one dict and one json.dumps; the other walks its format string,
renames and merges per record, ~10 µs against ~6 µs a line here. The request line's record is also
built directly (no caller lookup, no `extra` merge, no process or thread lookups): together a line
went from ~50 µs to ~10 µs.

Every request gets an id: the `X-Request-ID` the proxy sent (Render sends one) if it looks like an
id, else a new one. It is answered in the `X-Request-ID` header, added to every log line written
while the request runs, handed to the background jobs the request enqueues (RQ job meta), and set
again while such a job runs, next to the job's id. One line per request records who, which route,
status and duration; never the query string or the body (tokens, email addresses, resume text).
"""

from __future__ import annotations

import contextvars
import json
import logging
import random
import re
import sys
import time

from flask import Flask, g, request

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
    # 128 random bits. An id, not a secret, so not os.urandom: a system call per request, which costs
    # more than the rest of the id handling on a busy box. `random` reseeds in each forked worker.
    return f"{random.getrandbits(128):032x}"


# What every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


# Werkzeug's development server (flask run, the tests' live servers) logs each request line with its
# full path, which may carry a one-time token (/verify/<token>, an unsubscribe link, ?token=...). It
# is masked: the query string, and any long opaque path segment (20+ URL-safe characters with a
# capital, "_" or "." in it: tokens are base64 or signed, slugs are lower-case words and hyphens).
_OPAQUE_SEGMENT = re.compile(r"(?<=/)(?=[A-Za-z0-9_.~-]{20,})(?=[^/\s?\"]*[A-Z_.])[A-Za-z0-9_.~-]+")
_QUERY = re.compile(r"\?[^\s\"]*")


def _scrub_path(text: str) -> str:
    return _OPAQUE_SEGMENT.sub("[Filtered]", _QUERY.sub("?[Filtered]", text))


# Verdicts of SECRET_KEYS per `extra` name: the same few names come again on every line.
_secret_name: dict[str, bool] = {}


def _is_secret(name: str) -> bool:
    verdict = _secret_name.get(name)
    if verdict is None:
        verdict = bool(SECRET_KEYS.search(name))
        if len(_secret_name) < 1000:  # names are ours, but bound it anyway
            _secret_name[name] = verdict
    return verdict


class ContextFilter(logging.Filter):
    """Adds request_id and job_id to every record; masks `extra` fields named like secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = record.__dict__
        if fields.get("request_id") is None:
            fields["request_id"] = REQUEST_ID.get()
        if fields.get("job_id") is None:
            fields["job_id"] = JOB_ID.get()
        for name in fields:
            if name not in _STANDARD and _is_secret(name):
                fields[name] = "[Filtered]"
        if record.name == "werkzeug" and record.args:
            record.args = tuple(_scrub_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [f"{key}={getattr(record, key)}" for key in ("request_id", "job_id") if getattr(record, key, None)]
        return f"{line} [{' '.join(ids)}]" if ids else line


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, logger, message, then every `extra` field
    (request_id, job_id, and the request line's method, route, status, duration_ms, user_id), then
    exc_info / stack_info when present. The keys python-json-logger wrote, at a fraction of the cost."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def _timestamp(self, created: float) -> str:
        # "2026-12-07 05:18:29,123", as logging's default asctime; strftime once per second.
        second = int(created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
            self._second = second
        return f"{self._second_text},{int((created - second) * 1000):03d}"

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "timestamp": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD:
                line[name] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return _dumps(line)


_dumps = json.JSONEncoder(default=str).encode  # one encoder, reused: str() for what JSON cannot hold


def json_formatter() -> logging.Formatter:
    return JsonLineFormatter()


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
    """The log handler; the request hooks are app.telemetry's (one pair for logs and metrics)."""
    if not app.testing:
        configure_logging(app.config.get("LOG_FORMAT", "text"))


def begin_request() -> str:
    """The request's id, from the proxy's header when it looks like one, set for every log line."""
    request_id = g.request_id = new_request_id(request.headers.get(HEADER))
    REQUEST_ID.set(request_id)
    return request_id


def end_request() -> None:
    # The thread serves another request next: its log lines must not carry this id.
    REQUEST_ID.set(None)


def _user_id() -> str | None:
    # Only a user the request already loaded (every page does, for the layout): loading one here
    # would cost a session decode and a query on requests that never needed it (/health).
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return str(user.get_id()).partition(":")[0]


class _RequestRecord(logging.LogRecord):
    """The request line's record, filled in directly: LogRecord() looks up the process, the thread
    and the multiprocessing name and splits the path on every call (~10 µs), none of which a line
    shows. Every attribute a formatter or handler may read is still there."""

    def __init__(self, method: str, route: str, status: int, duration_ms: float | None, user_id: str | None):
        now = time.time()
        self.name = request_log.name
        self.msg = "%s %s %s"
        self.args = (method, route, status)
        self.levelname = "INFO"
        self.levelno = logging.INFO
        self.pathname = __file__
        self.filename = "logs.py"
        self.module = "logs"
        self.lineno = 0
        self.funcName = "log_request"
        self.exc_info = self.exc_text = self.stack_info = None
        self.created = now
        self.msecs = (now - int(now)) * 1000
        self.relativeCreated = (now - _STARTED) * 1000
        self.thread = self.threadName = self.process = self.processName = None
        self.method = method
        self.route = route
        self.status = status
        self.duration_ms = duration_ms
        self.user_id = user_id


_STARTED = time.time()


def log_request(current, status: int, seconds: float | None) -> None:
    """The line per request: method, route template (never the path: it may hold a token), status,
    duration and user id."""
    if not request_log.isEnabledFor(logging.INFO):
        return
    rule = current.url_rule
    # Handed to the logger directly: Logger.info() would also walk the stack for the caller's file
    # and line (never shown) and merge `extra` key by key.
    request_log.handle(
        _RequestRecord(
            current.method,
            rule.rule if rule is not None else "<unmatched>",
            status,
            round(seconds * 1000, 2) if seconds is not None else None,
            _user_id(),
        )
    )
