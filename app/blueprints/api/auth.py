"""JWT login for apps: /api/v1/auth/token, /auth/refresh, /auth/logout."""

from __future__ import annotations

from flask import request

from ...extensions import db
from ...services import api_sessions
from ..helpers import perform
from . import schemas as s
from .blueprint import json_body, ok, operation, require


@operation(
    "POST",
    "/auth/token",
    summary="Log in: an access and a refresh token",
    tag="Auth",
    response=s.TokenPair,
    body=s.TokenRequest,
    auth="none",
)
def token():
    """Email and password, throttled like the login form. The access token is short-lived; the
    refresh token rotates on every use."""
    body = json_body(s.TokenRequest)
    return ok(perform(lambda: api_sessions.log_in(body.email, body.password, request.remote_addr or "")))


@operation(
    "POST",
    "/auth/refresh",
    summary="A new token pair for a refresh token",
    tag="Auth",
    response=s.TokenPair,
    body=s.RefreshRequest,
    auth="none",
)
def refresh():
    """Spends the refresh token. Using one twice revokes every token of that login."""
    body = json_body(s.RefreshRequest)
    pair = api_sessions.refresh(body.refresh_token)
    db.session.commit()
    return ok(pair)


@operation("POST", "/auth/logout", summary="Log out everywhere", tag="Auth", response=s.LoggedOut)
def logout():
    """Revokes every access and refresh token and ends every browser session of the account
    (personal access tokens stay: revoke those on the tokens page)."""
    user = require()
    perform(lambda: api_sessions.log_out_everywhere(user))
    return ok({"logged_out": True})
