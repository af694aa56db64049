"""JWT login for API clients (apps): POST /api/v1/auth/token trades an email and password for a
short-lived access token (JWT_ACCESS_EXPIRES_IN) and a rotating refresh token
(JWT_REFRESH_EXPIRES_IN), signed with their own secrets (HS256).

Both carry the user's session_version, so a password change or "log out everywhere" voids them
at once. Refresh tokens are stored (a hash of their id) and rotate on every use; presenting one
that was already used means it leaked, and revokes its whole family."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import jwt
from flask import current_app
from sqlalchemy import select, update

from ..errors import InvalidToken, TokenExpired
from ..extensions import db
from ..models import RefreshToken, User, utcnow
from . import accounts

ALGORITHM = "HS256"


def _hash(jti: str) -> str:
    return hashlib.sha256(jti.encode()).hexdigest()


def _decode(token: str, secret: str, kind: str) -> dict:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "typ"]})
    except jwt.ExpiredSignatureError:
        raise TokenExpired("This token has expired.") from None
    except jwt.PyJWTError:
        raise InvalidToken("This token is not valid.") from None
    if claims.get("typ") != kind or not str(claims.get("sub", "")).isdigit():
        raise InvalidToken("This token is not valid.")
    return claims


def _user(claims: dict) -> User:
    user_id = int(claims["sub"])
    user = db.session.get(User, user_id) if user_id < 2**31 else None
    if user is None or not user.active or claims.get("sv") != user.session_version:
        raise InvalidToken("This token was revoked (password change or log out everywhere).")
    return user


def _issue(user: User, family: str) -> dict:
    config = current_app.config
    now = utcnow()
    access_ttl, refresh_ttl = config["JWT_ACCESS_EXPIRES_IN"], config["JWT_REFRESH_EXPIRES_IN"]
    access = jwt.encode(
        {
            "sub": str(user.id),
            "sv": user.session_version,
            "typ": "access",
            "iat": now,
            "exp": now + timedelta(seconds=access_ttl),
        },
        config["JWT_ACCESS_SECRET"],
        algorithm=ALGORITHM,
    )
    jti = secrets.token_urlsafe(24)
    refresh_expires = now + timedelta(seconds=refresh_ttl)
    refresh = jwt.encode(
        {
            "sub": str(user.id),
            "sv": user.session_version,
            "typ": "refresh",
            "jti": jti,
            "fam": family,
            "iat": now,
            "exp": refresh_expires,
        },
        config["JWT_REFRESH_SECRET"],
        algorithm=ALGORITHM,
    )
    db.session.add(
        RefreshToken(
            user_id=user.id,
            family=family,
            jti_hash=_hash(jti),
            session_version=user.session_version,
            issued_at=now,
            expires_at=refresh_expires,
        )
    )
    db.session.flush()
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": access_ttl,
        "refresh_token": refresh,
        "refresh_expires_in": refresh_ttl,
    }


def log_in(email: str, password: str, ip: str) -> dict:
    """A new token pair (a new family), after the same throttled check as the login form. Flushes."""
    user = accounts.authenticate(email, password, ip)
    return _issue(user, secrets.token_hex(16))


def refresh(token: str) -> dict:
    """Rotate: spend this refresh token, get a new pair in its family. A spent or revoked one
    revokes the family (someone else has it). Flushes; the caller commits either way."""
    claims = _decode(token, current_app.config["JWT_REFRESH_SECRET"], "refresh")
    row = db.session.scalar(select(RefreshToken).where(RefreshToken.jti_hash == _hash(str(claims.get("jti", "")))))
    if row is None:
        raise InvalidToken("This refresh token is not valid.")
    now = utcnow()
    # Spend it in one statement only one request can win (two racing refreshes: one loses).
    spent = db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if not spent:
        db.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family == row.family, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        db.session.commit()  # the revocation stands although this request fails
        raise InvalidToken("This refresh token was already used; every token of this login is now revoked.")
    user = _user(claims)
    return _issue(user, row.family)


def user_for_access_token(token: str) -> User:
    return _user(_decode(token, current_app.config["JWT_ACCESS_SECRET"], "access"))


def log_out_everywhere(user: User) -> None:
    """Void every access and refresh token, and every browser session, of the user. Flushes."""
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()
