"""Sentry error reports, only when SENTRY_DSN is set.

sentry-sdk with its Flask, RQ and SQLAlchemy integrations; the release (RELEASE, or Render's
commit) and the request id as a tag, so an event leads to its log lines. Like the seed's
`beforeSend`, `scrub` removes passwords, keys, tokens, cookies and the Authorization header from
every event before it leaves the process, and `send_default_pii` stays off (no IP, no user email).
"""

from __future__ import annotations

import re

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.integrations.rq import RqIntegration
from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration

from .logs import JOB_ID, REQUEST_ID

FILTERED = "[Filtered]"
_SECRET = re.compile(
    r"pass(word)?|passwd|secret|token|api[_-]?key|authorization|cookie|csrf|session|signature|dsn|"
    r"card|cvc|iban|resume|cover[_-]?letter|body",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# name=value pairs of secret-looking names inside strings (query strings in frame variables, URLs).
_PAIR = re.compile(r"((?:pass(?:word)?|secret|token|api[_-]?key|key|signature|code)=)[^&\s'\"]+", re.I)


def _scrub_value(value, depth: int = 0):
    if depth > 12:
        return value
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and _SECRET.search(key) else _scrub_value(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub_value(item, depth + 1) for item in value]
    if isinstance(value, str):
        return _PAIR.sub(r"\1" + FILTERED, _EMAIL.sub(FILTERED, value))
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """before_send: drop cookies and secret-looking fields anywhere in the event; mask emails."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in ("cookie", "authorization", "x-csrftoken", "set-cookie"):
                    headers[name] = FILTERED
        request.pop("query_string", None)  # reset and confirmation links carry tokens
    event.pop("user", None)
    tags = event.setdefault("tags", {})
    if REQUEST_ID.get():
        tags["request_id"] = REQUEST_ID.get()
    if JOB_ID.get():
        tags["job_id"] = JOB_ID.get()
    return _scrub_value(event)


def init_app(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return

    sentry_sdk.init(
        dsn=dsn,
        release=app.config.get("RELEASE"),
        environment=app.config.get("APP_ENV"),
        integrations=[FlaskIntegration(), RqIntegration(), SqlalchemyIntegration()],
        # send_default_pii stays at its default (off): no IP addresses, user emails or cookies.
        before_send=scrub,
        traces_sample_rate=app.config.get("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        max_request_body_size="never",  # request bodies hold passwords, resumes, cover letters
    )
