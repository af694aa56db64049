"""The error hierarchy services raise, and the one place that turns errors into responses.

A full page for normal requests, a small fragment for htmx requests (so a 404 inside a panel does
not paint a whole page into it), and a redirect to the login page when an htmx session expired.
"""
from __future__ import annotations

from flask import Flask, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import htmx


class AppError(Exception):
    status_code = 400
    title = "Something went wrong"

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


class Forbidden(AppError):
    status_code = 403
    title = "Not allowed"


class Conflict(AppError):
    status_code = 409
    title = "Already done"


class RateLimited(AppError):
    status_code = 429
    title = "Too many attempts"


class ExternalServiceError(AppError):
    status_code = 502
    title = "A service we depend on failed"


HTTP_MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Not found", "We could not find that page. It may have been removed, or the link is wrong."),
    405: ("Method not allowed", "That action is not available here."),
    413: ("File too large", "The upload is too large. Resumes can be at most 5 MB."),
    429: ("Too many requests", "Please slow down and try again in a moment."),
    500: ("Server error", "Something broke on our side. It has been logged; please try again."),
}


def render_error(status: int, title: str, message: str):
    if htmx and not htmx.boosted:
        return render_template("errors/_error.html", status=status, title=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(error: AppError):
        return render_error(error.status_code, error.title, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        app.logger.warning("CSRF check failed on %s %s: %s", request.method, request.path, error.description)
        return render_error(400, "Form expired", "This form is missing its security token or it expired. "
                            "Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 401 and htmx:
            response = app.response_class(status=204)
            response.headers["HX-Redirect"] = url_for("auth.login", next=htmx.current_url or request.path)
            return response
        title, message = HTTP_MESSAGES.get(code, (error.name, error.description))
        if code == 413:
            max_mb = app.config["MAX_RESUME_BYTES"] // (1024 * 1024)
            message = f"The upload is too large. Resumes can be at most {max_mb} MB."
        return render_error(code, title, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if app.testing:
            raise error  # let the test suite see the real traceback
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        title, message = HTTP_MESSAGES[500]
        return render_error(500, title, message)
