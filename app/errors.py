"""The error hierarchy services raise, and the one place that turns errors into responses.

A full page for normal requests, a small fragment for htmx requests (so a 404 inside a panel does
not paint a whole page into it), a redirect to the login page when an htmx session expired, and
the JSON envelope for machine clients (webhook receivers, the API).
"""

from __future__ import annotations

import json
import math
import time

from flask import Flask, Response, current_app, g, jsonify, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import db, htmx, limiter


class AppError(Exception):
    status_code = 400
    title = "Something went wrong"
    code = "VALIDATION_ERROR"  # the API envelope's error class

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(AppError):
    status_code = 422
    title = "Please check your input"


class NotFound(AppError):
    status_code = 404
    title = "Not found"
    code = "RESOURCE_NOT_FOUND"


class Unauthorized(AppError):
    """No credentials, or credentials we do not accept (the API; the HTML side redirects to log in)."""

    status_code = 401
    title = "Please log in"
    code = "UNAUTHORIZED"


class InvalidToken(Unauthorized):
    code = "INVALID_TOKEN"


class TokenExpired(Unauthorized):
    code = "TOKEN_EXPIRED"


class Forbidden(AppError):
    status_code = 403
    title = "Not allowed"
    code = "FORBIDDEN"


class Conflict(AppError):
    status_code = 409
    title = "Already done"
    code = "CONFLICT"


class RateLimited(AppError):
    status_code = 429
    title = "Too many attempts"
    code = "RATE_LIMIT_EXCEEDED"

    def __init__(self, message: str, *, retry_after: int = 60, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = max(1, int(retry_after))


class ExternalServiceError(AppError):
    status_code = 502
    title = "A service we depend on failed"
    code = "EXTERNAL_SERVICE_ERROR"


HTTP_MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Not found", "We could not find that page. It may have been removed, or the link is wrong."),
    405: ("Method not allowed", "That action is not available here."),
    413: ("File too large", "The upload is too large."),
    429: ("Too many requests", "Please slow down and try again in a moment."),
    500: ("Server error", "Something broke on our side. It has been logged; please try again."),
}
# The API envelope's error class for a plain HTTP status (seed §7.3).
HTTP_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "RESOURCE_NOT_FOUND",
    405: "VALIDATION_ERROR",
    409: "CONFLICT",
    413: "VALIDATION_ERROR",
    415: "VALIDATION_ERROR",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMIT_EXCEEDED",
    502: "EXTERNAL_SERVICE_ERROR",
    503: "EXTERNAL_SERVICE_ERROR",
}


def error_details(error: AppError) -> dict:
    """The envelope's `details`: the field a ValidationError is about, when it names one."""
    if getattr(error, "details", None):
        return error.details
    return {"fields": {error.field: [error.message]}} if error.field else {}


def envelope_meta() -> dict:
    """The `meta` of every API answer, success or error (seed §7.2)."""
    return {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "requestId": g.get("request_id"),
        "version": "1.0",
    }


def error_envelope(status: int, message: str, code: str | None = None, details: dict | None = None) -> Response:
    """The one JSON error shape: {"success": false, "error": {code, message, details}, "meta": ...}."""
    body = {
        "success": False,
        "error": {
            "code": code or HTTP_CODES.get(status, "INTERNAL_SERVER_ERROR"),
            "message": message,
            "details": details or {},
        },
        "meta": envelope_meta(),
    }
    response = jsonify(body)
    response.status_code = status
    return response


def wants_json() -> bool:
    """Machine clients: the webhook receivers and the API answer JSON, whatever went wrong."""
    return request.path.startswith(("/webhooks/", "/api/"))


def human_wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def render_error(
    status: int,
    title: str,
    message: str,
    *,
    retry_after: int | None = None,
    code: str | None = None,
    details: dict | None = None,
):
    if wants_json():
        response = error_envelope(status, message, code, details)
    elif htmx and not htmx.boosted:
        response = Response(render_template("errors/_error.html", status=status, title=title, message=message), status)
        # The message also comes as a toast, and a refused action does not wipe the panel it came from.
        response.headers["HX-Trigger"] = json.dumps({"toast": {"message": message, "level": "error"}})
        if status == 429:
            response.headers["HX-Reswap"] = "none"
    else:
        response = Response(render_template("errors/error.html", status=status, title=title, message=message), status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _rollback() -> None:
    # A failed statement leaves the session unusable: the error page (which reads the current user)
    # would fail too.
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection itself may be gone; the page renders anyway
        current_app.logger.warning("rollback before the error page failed", exc_info=True)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(error: AppError):
        _rollback()
        retry_after = getattr(error, "retry_after", None)
        return render_error(
            error.status_code,
            error.title,
            error.message,
            retry_after=retry_after,
            code=error.code,
            details=error_details(error),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        _rollback()
        app.logger.warning("CSRF check failed on %s %s: %s", request.method, request.path, error.description)
        return render_error(
            400, "Form expired", "This form is missing its security token or it expired. Reload the page and try again."
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limit_exceeded(error: RateLimitExceeded):
        _rollback()
        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current is not None else 60
        return render_error(
            429,
            "Too many requests",
            f"You have done this too many times in a short while. Please try again in {human_wait(wait)}.",
            retry_after=wait,
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # No URL adapter exists for a host we do not serve, so no page with links can be built.
        return Response("Bad request: this site does not answer to that host name.\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        _rollback()
        code = error.code or 500
        if code == 401 and htmx:
            response = app.response_class(status=204)
            response.headers["HX-Redirect"] = url_for("auth.login", next=htmx.current_url or request.path)
            return response
        title, message = HTTP_MESSAGES.get(code, (error.name, error.description))
        if code == 400 and error.description and error.description != type(error).description:
            message = error.description  # a specific reason given with abort(400, ...)
        if code == 413:
            max_mb = app.config["MAX_RESUME_BYTES"] // (1024 * 1024)
            message = f"The upload is too large. Resumes can be at most {max_mb} MB."
        return render_error(code, title, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if app.testing:
            raise error  # let the test suite see the real traceback
        _rollback()
        app.logger.exception("Unhandled error on %s %s (request %s)", request.method, request.path, g.get("request_id"))
        title, message = HTTP_MESSAGES[500]
        return render_error(500, title, message, code="INTERNAL_SERVER_ERROR")
