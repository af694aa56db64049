"""Small helpers shared by the blueprints: htmx page-or-fragment, form errors, access guards."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Response, abort, make_response, render_template
from flask_login import current_user, login_required
from wtforms import FieldList

from ..errors import AppError, Conflict, Forbidden, ValidationError
from ..extensions import db, htmx


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
    """Put a service's ValidationError beside the field it concerns, or on the form as a whole
    (also for a list of sub-forms, whose errors are per entry)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and not isinstance(field, FieldList):
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


def local_path(url: str) -> str:
    """The path and query of a URL (a Referer, htmx's current URL): where to send someone back to
    on this site, whatever host the URL named."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


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


@dataclass
class Outcome:
    """What happened to a submitted form: `ok` with the service's `value`, or the HTTP `status` to
    answer with (200 not submitted, 422 invalid, 409 conflict) and the error, already on the form."""

    ok: bool
    status: int = 200
    value: Any = None
    error: AppError | None = None


def save(action: Callable[[], Any], form=None) -> Outcome:
    """The unit of work around one service call: commit on success; on ValidationError or Conflict
    roll back, put the message beside its field (or on the form) and report 422/409."""
    try:
        value = action()
        db.session.commit()
    except (ValidationError, Conflict) as error:
        db.session.rollback()
        if form is not None:
            attach_error(form, error)
        return Outcome(False, error.status_code, error=error)
    return Outcome(True, value=value)


def perform(action: Callable[[], Any]) -> Any:
    """Run one service call and commit; any AppError goes on to the error pages (after a rollback)."""
    value = action()
    db.session.commit()
    return value


def submit(form, action: Callable[[], Any]) -> Outcome:
    """Validate a submitted form and, if it is valid, save(action). Not submitted: Outcome(False, 200)."""
    if not form.is_submitted():
        return Outcome(False, 200)
    if not form.validate():
        return Outcome(False, 422)
    return save(action, form)


# Latin letters that Unicode does not decompose into a base letter plus an accent.
_NO_DECOMPOSITION = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "ß": "ss",
        "Đ": "D",
        "đ": "d",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
    }
)


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII fallback name plus filename*=UTF-8''… for any other name ("Резюме.pdf")."""
    name = "".join(c for c in filename if c.isprintable() and c not in '"\\/')[:150] or "document"
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_stem = unicodedata.normalize("NFKD", stem.translate(_NO_DECOMPOSITION)).encode("ascii", "ignore").decode()
    ascii_stem = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in ascii_stem).strip(" ._") or "document"
    ascii_extension = "".join(c for c in extension if c.isascii() and c.isalnum())
    fallback = ascii_stem + (f".{ascii_extension}" if ascii_extension else "")
    header = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def send_document(document, inline: bool = False) -> Response:
    """A stored upload as a private attachment; `inline` (PDF resumes only, for the preview frame
    on our own pages) lets the browser show it, framed by this origin and nothing else."""
    response = Response(document.data, mimetype=document.content_type)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = content_disposition(document.filename, disposition)
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        # The app's CSP (frame-ancestors 'none') and X-Frame-Options DENY would refuse our own frame.
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
