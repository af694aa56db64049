"""Cross-cutting web behaviour: security headers, Vary, template helpers."""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import Flask, Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from .blueprints.helpers import local_path
from .extensions import htmx
from .models import STAGE_LABELS
from .services.branding import company_avatar
from .services.notifications import is_suppressed

# Every id column is a 32-bit INTEGER: a larger number in a URL names nothing (404), and must never
# reach PostgreSQL, which would fail the query with "out of range".
MAX_ID = 2**31 - 1
_UNREADABLE = "The request contains characters we cannot accept (a NUL byte or broken Unicode)."


class BoundedIntConverter(IntegerConverter):
    """<int:…> that matches only numbers that fit an id column; anything larger is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def unreadable(value: str) -> bool:
    """NUL bytes (PostgreSQL text cannot hold them) or lone surrogates (not encodable as UTF-8)."""
    if not value:  # also None: a multipart part whose name Werkzeug could not read
        return False
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _reject_unreadable_input() -> None:
    """Refuse a NUL or a lone surrogate anywhere in the path, query string or form with a clear 400,
    before any of it reaches a query or a template."""
    values = [request.path, *(str(v) for v in (request.view_args or {}).values())]
    for key, value in request.args.items(multi=True):
        values += (key, value)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            values += (key, value)
        values += [upload.filename or "" for upload in request.files.values()]
    if any(unreadable(value) for value in values):
        abort(400, description=_UNREADABLE)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def register_web(app: Flask) -> None:
    """Call before the blueprints are registered: their <int:> rules use the bounded converter."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_reject_unreadable_input)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        # A page that allows framing in its own CSP (the jobs widget) must not be denied by the older header.
        if "frame-ancestors *" not in headers["Content-Security-Policy"]:
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Sends our origin on same-site requests, which Flask-WTF's HTTPS referrer check needs.
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # One URL serves a page or a fragment depending on HX-Request: caches must keep them apart.
        response.vary.add("HX-Request")
        # A boosted form post answered with a page (a form with its errors, not a redirect) keeps
        # the address of the page the form is on: htmx would push the POST-only URL, and a reload
        # would then say "Method not allowed". (Successful posts redirect: Post/Redirect/Get.)
        if request.method == "POST" and htmx and htmx.boosted and not 300 <= response.status_code < 400:
            headers.setdefault("HX-Push-Url", "false")
        return response

    @app.template_filter("date")
    def format_date(value, fmt: str = "%b %-d, %Y") -> str:
        return value.strftime(fmt) if value else ""

    @app.template_filter("datetime")
    def format_datetime(value) -> str:
        return value.strftime("%b %-d, %Y %H:%M UTC") if value else ""

    @app.template_filter("json_ld")
    def json_ld(value) -> Markup:
        # JSON inside <script>: escape <, >, & so a job title can never close the tag.
        text = (
            json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        )
        return Markup(text)  # noqa: S704  (json.dumps output with <, > and & escaped above)

    # The two links on every job card, built from a pattern resolved once instead of a url_for
    # per card and field (url_for is a rule lookup and an escape each time: ~20 µs, 40 a page).
    @app.template_global()
    def job_path(job) -> str:
        return _paths(app)["job"].replace("__ID__", str(job.id)).replace("__SLUG__", quote(job.slug, safe=""))

    @app.template_global()
    def company_path(company) -> str:
        return _paths(app)["company"].replace("__SLUG__", quote(company.slug, safe=""))

    # The logo's address carries its document id, so a new logo is a new URL and the hour of
    # browser caching the logo route allows never shows the old one.
    @app.template_global()
    def company_logo_path(company) -> str:
        path = _paths(app)["logo"].replace("__SLUG__", quote(company.slug, safe=""))
        return f"{path}?v={company.logo_id}"

    app.add_template_global(company_avatar)

    @app.context_processor
    def globals_():
        return {
            "STAGE_LABELS": STAGE_LABELS,
            "site_name": app.config["SITE_NAME"],
            "email_undeliverable": _email_undeliverable,
            "icon_sprite": _paths(app)["icons"],
        }


def _paths(app: Flask) -> dict[str, str]:
    paths = app.extensions.get("jobifies_paths")
    if paths is None:
        adapter = app.url_map.bind("localhost")
        # An id that url_for accepts, swapped for the real one (ids are digits, slugs are quoted).
        paths = {
            "job": adapter.build("public.job_detail", {"job_id": 2147483647, "slug": "__SLUG__"}).replace(
                "2147483647", "__ID__"
            ),
            "company": adapter.build("public.company", {"slug": "__SLUG__"}),
            "logo": adapter.build("public.company_logo", {"slug": "__SLUG__"}),
            "icons": adapter.build("static", {"filename": "icons.svg"}),
        }
        app.extensions["jobifies_paths"] = paths
    return paths


def _email_undeliverable() -> bool:
    """The signed-in user's address bounced or complained: the layout asks them to fix it."""
    return bool(current_user.is_authenticated and is_suppressed(current_user.email))


def unauthorized():
    """Anonymous user on a login-only page: full pages redirect to login (and back after);
    an htmx request gets HX-Redirect, so the login page is not painted inside a fragment."""
    if htmx and not htmx.boosted:
        back = htmx.current_url or request.full_path
        response = Response(status=204)
        response.headers["HX-Redirect"] = url_for("auth.login", next=local_path(back))
        return response
    flash("Please log in to continue.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
