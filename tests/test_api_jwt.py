"""JWT login for API clients: short-lived access tokens, rotating refresh tokens revoked on reuse,
on password change and on log-out-everywhere."""

from __future__ import annotations

from datetime import timedelta

import jwt
from conftest import app_config
from factories import PASSWORD, make_user

from app.extensions import db
from app.models import RefreshToken, utcnow
from app.services import accounts


def _post(client, path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1" + path, json=body, headers=headers, csrf=False)


def _log_in(client, user):
    response = _post(client, "/auth/token", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.get_json()["data"]


def test_log_in_and_call_with_the_access_token(app, client, app_ctx):
    user = make_user("app@example.com")
    pair = _log_in(client, user)
    assert pair["expires_in"] == 15 * 60
    assert pair["refresh_expires_in"] == 7 * 86400
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.get_json()["data"]["email"] == "app@example.com"
    claims = jwt.decode(pair["access_token"], app.config["JWT_ACCESS_SECRET"], algorithms=["HS256"])
    assert claims["typ"] == "access"
    assert "email" not in claims
    wrong = _post(client, "/auth/token", {"email": user.email, "password": "nope nope nope"})
    assert wrong.status_code == 422


def test_expired_access_token(app, client, app_ctx):
    user = make_user("old@example.com")
    with app_config(app, JWT_ACCESS_EXPIRES_IN=-1):
        pair = _log_in(client, user)
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "TOKEN_EXPIRED"


def test_a_token_signed_with_another_key_is_invalid(client, app_ctx):
    user = make_user("forged@example.com")
    forged = jwt.encode(
        {"sub": str(user.id), "sv": 1, "typ": "access", "exp": utcnow() + timedelta(minutes=5)},
        "a-guessed-key-" + "x" * 32,
        "HS256",
    )
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.get_json()["error"]["code"] == "INVALID_TOKEN"


def test_refresh_rotates_and_reuse_revokes_the_family(client, app_ctx):
    user = make_user("rotate@example.com")
    first = _log_in(client, user)
    second = _post(client, "/auth/refresh", {"refresh_token": first["refresh_token"]}).get_json()["data"]
    assert second["refresh_token"] != first["refresh_token"]
    # The spent one comes back (stolen): refused, and the family's live token dies with it.
    reused = _post(client, "/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert reused.get_json()["error"]["code"] == "INVALID_TOKEN"
    assert _post(client, "/auth/refresh", {"refresh_token": second["refresh_token"]}).status_code == 401
    assert db.session.scalar(db.select(db.func.count(RefreshToken.id)).where(RefreshToken.revoked_at.is_(None))) == 0


def test_password_change_voids_access_and_refresh_tokens(client, app_ctx):
    user = make_user("pw@example.com")
    pair = _log_in(client, user)
    accounts.change_password(user, PASSWORD, "a brand new password")
    db.session.commit()
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.get_json()["error"]["code"] == "INVALID_TOKEN"
    assert _post(client, "/auth/refresh", {"refresh_token": pair["refresh_token"]}).status_code == 401


def test_log_out_everywhere(client, app_ctx):
    user = make_user("everywhere@example.com")
    one, two = _log_in(client, user), _log_in(client, user)
    assert _post(client, "/auth/logout", {}, one["access_token"]).status_code == 200
    for pair in (one, two):
        assert (
            client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"}).status_code
            == 401
        )
        assert _post(client, "/auth/refresh", {"refresh_token": pair["refresh_token"]}).status_code == 401
