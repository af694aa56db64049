"""Small helpers shared by the blueprints: htmx page-or-fragment, form errors, access guards."""
from __future__ import annotations

import json
from functools import wraps
from urllib.parse import urlsplit

from flask import Response, abort, make_response, render_template, request
from flask_login import current_user, login_required

from ..errors import AppError, Forbidden
from ..extensions import htmx


def wants_fragment(target: str) -> bool:
    """True only for an htmx request aimed at `target`: not a boosted navigation, not a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request and htmx.target == target


def page_or_fragment(page_template: str, fragment_template: str, target: str, status: int = 200, **context):
    template = fragment_template if wants_fragment(target) else page_template
    return make_response(render_template(template, **context), status)


def toast(response, message: str, level: str = "success"):
    """Attach an HX-Trigger toast that the layout's listener shows (and screen readers announce)."""
    response.headers["HX-Trigger"] = json.dumps({"toast": {"message": message, "level": level}})
    return response


def attach_error(form, error: AppError) -> None:
    """Put a service's ValidationError beside the field it concerns, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def recruiter_required(view):
    """Logged in and on a company's team; the company is then `current_user.company`."""
    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.membership is None:
            raise Forbidden("This page is for recruiters. Create a company or accept an invitation first.")
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(404)  # the admin area does not advertise itself
        return view(*args, **kwargs)
    return wrapped


def form_status(form) -> int:
    """422 for a form that failed validation (htmx is configured to swap 422 responses)."""
    return 422 if (form.errors or getattr(form, "form_errors", None)) else 200


def is_post() -> bool:
    return request.method == "POST"


def send_document(document) -> Response:
    """A stored upload as a private attachment (never rendered inline: it is someone's resume)."""
    safe_name = "".join(c for c in document.filename if c.isalnum() or c in "._- ")[:120] or "document"
    response = Response(document.data, mimetype=document.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
