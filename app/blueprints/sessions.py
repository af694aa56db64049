"""Starting a login session: a fresh session (new CSRF token) every time someone logs in, by
password (auth) or through a sign-in provider (signin)."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_login import login_user


def start_session(user, remember: bool = False) -> None:
    """Log `user` in on this device with a brand-new session.

    Nothing set before the login survives it (a session fixed by someone else beforehand is
    worthless), and the CSRF token is regenerated. Pending flash messages are kept.
    """
    if hasattr(user, "_get_current_object"):  # current_user: log in the user, not the proxy to it
        user = user._get_current_object()
    flashes = session.get("_flashes")
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the token for this request in g
    if flashes:
        session["_flashes"] = flashes
    login_user(user, remember=remember)


def keep_this_device(user) -> None:
    """After the account's other sessions were ended: log this device in again with the new session
    version, renewing its remember-me cookie if it had one."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    start_session(user, remember=remembered)
