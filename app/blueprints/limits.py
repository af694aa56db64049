"""Rate limits on the actions that send email or cost work (Flask-Limiter, settings in app/config.py).

Forms that email an address typed into them (sign-up, forgot password, resend confirmation,
invitations) are limited per target address — so nobody can flood one inbox from many IPs — and per
client IP — so one client cannot spray many inboxes. Over the limit, the error handler answers 429
with Retry-After and says when to try again (errors.py).
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from ..extensions import limiter
from ..services.notifications import normalize_email

POST = ["POST"]


def _setting(name: str):
    return lambda: current_app.config[name]


def client_ip() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def _typed_address(field: str):
    return lambda: "to:" + normalize_email(request.form.get(field, ""))[:254]


def _own_address() -> str:
    return "to:" + (current_user.email if current_user.is_authenticated else request.remote_addr or "unknown")


def _user_or_ip() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else client_ip()


def emails_typed_address(field: str = "email"):
    """A form that emails the address in `field`: per address and per IP (shared by all such forms)."""

    def decorate(view):
        view = limiter.shared_limit(
            _setting("RATE_LIMIT_EMAIL_PER_ADDRESS"), "mail-to", key_func=_typed_address(field), methods=POST
        )(view)
        return limiter.shared_limit(_setting("RATE_LIMIT_EMAIL_PER_IP"), "mail-from", key_func=client_ip, methods=POST)(
            view
        )

    return decorate


def emails_own_address(view):
    """A form that emails the signed-in user (resend confirmation)."""
    view = limiter.shared_limit(
        _setting("RATE_LIMIT_EMAIL_PER_ADDRESS"), "mail-to", key_func=_own_address, methods=POST
    )(view)
    return limiter.shared_limit(_setting("RATE_LIMIT_EMAIL_PER_IP"), "mail-from", key_func=client_ip, methods=POST)(
        view
    )


def signup(view):
    return limiter.limit(_setting("RATE_LIMIT_SIGNUP_PER_IP"), key_func=client_ip, methods=POST)(view)


def per_user_and_ip(setting: str):
    """Work a signed-in user can repeat (apply, upload, alerts): per account, and per IP."""

    def decorate(view):
        view = limiter.limit(_setting(setting), key_func=_user_or_ip, methods=POST)(view)
        return limiter.limit(_setting(setting), key_func=client_ip, methods=POST, scope="ip")(view)

    return decorate


def webhooks(view):
    """Providers retry, and send bursts: generous, per sending IP."""
    return limiter.limit(_setting("RATE_LIMIT_WEBHOOKS"), key_func=client_ip, methods=POST)(view)


def _company_or_ip() -> str:
    membership = current_user.membership if current_user.is_authenticated else None
    return f"company:{membership.company_id}" if membership is not None else client_ip()


def per_company(setting: str):
    """Work that costs a company's outside quota (ATS syncs and connection tests): per company."""
    return lambda view: limiter.limit(_setting(setting), key_func=_company_or_ip, methods=POST)(view)
