"""Cross-cutting web behaviour: security headers, Vary, template helpers."""
from __future__ import annotations

import json

from flask import Flask, Response, request
from markupsafe import Markup

from .models import STAGE_LABELS

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def register_web(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Sends our origin on same-site requests, which Flask-WTF's HTTPS referrer check needs.
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # One URL serves a page or a fragment depending on HX-Request: caches must keep them apart.
        response.vary.add("HX-Request")
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
        text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return Markup(text)

    @app.context_processor
    def globals_():
        return {"STAGE_LABELS": STAGE_LABELS, "site_name": app.config["SITE_NAME"],
                "email_undeliverable": _email_undeliverable}


def _email_undeliverable() -> bool:
    """The signed-in user's address bounced or complained: the layout asks them to fix it."""
    from flask_login import current_user

    from .services.notifications import is_suppressed
    return bool(current_user.is_authenticated and is_suppressed(current_user.email))


def unauthorized():
    """Anonymous user on a login-only page: full pages redirect to login (and back after);
    an htmx request gets HX-Redirect, so the login page is not painted inside a fragment."""
    from flask import flash, redirect, url_for

    from .extensions import htmx

    if htmx and not htmx.boosted:
        back = htmx.current_url or request.full_path
        response = Response(status=204)
        response.headers["HX-Redirect"] = url_for("auth.login", next=_local_path(back))
        return response
    flash("Please log in to continue.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _local_path(url: str) -> str:
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
