"""Personal access tokens for the API: created on the account page and shown once, stored hashed,
scoped, expiring, revocable, with the time they were last used."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..errors import InvalidToken, NotFound, TokenExpired, ValidationError
from ..extensions import db
from ..models import API_SCOPES, ApiToken, User, utcnow

PREFIX = "jbf_"
MAX_TOKEN_CHARS = 100
MAX_TOKENS_PER_USER = 50
EXPIRY_DAYS = (7, 30, 90, 365)
LAST_USED_GRANULARITY = timedelta(minutes=1)  # one write a minute per token at most, not one per request


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def allowed_scopes(user: User) -> list[str]:
    """The scopes this user could use at all: admin only for admins."""
    return [scope for scope in API_SCOPES if scope != "admin" or user.is_admin]


def create_token(user: User, name: str, scopes: list[str], expires_in_days: int | None) -> tuple[ApiToken, str]:
    """A new token; returns (row, the secret), the secret never to be shown again. Flushes."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Name the token, e.g. after the script that uses it.", field="name")
    if len(name) > 80:
        raise ValidationError("Keep the name under 80 characters.", field="name")
    scopes = list(dict.fromkeys(scopes or []))
    if not scopes:
        raise ValidationError("Choose at least one scope.", field="scopes")
    unknown = [s for s in scopes if s not in allowed_scopes(user)]
    if unknown:
        raise ValidationError(f"You cannot grant {', '.join(unknown)}.", field="scopes")
    if expires_in_days is not None and expires_in_days not in EXPIRY_DAYS:
        raise ValidationError("Choose one of the offered lifetimes.", field="expires_in_days")
    count = db.session.scalar(
        select(db.func.count(ApiToken.id)).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if count >= MAX_TOKENS_PER_USER:
        raise ValidationError(f"You have {MAX_TOKENS_PER_USER} tokens already; revoke one first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_hash(secret),
        prefix=secret[:10],
        scopes=scopes,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def authenticate(secret: str) -> ApiToken:
    """The token a bearer secret names, if usable: InvalidToken (unknown, revoked, owner
    deactivated) or TokenExpired. Records when it was last used (at most once a minute)."""
    if not secret or len(secret) > MAX_TOKEN_CHARS or not secret.isascii():
        raise InvalidToken("This API token is not valid.")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        raise InvalidToken("This API token is not valid or was revoked.")
    now = utcnow()
    if not token.is_usable_at(now):
        raise TokenExpired("This API token has expired. Create a new one on your account page.")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        # A separate statement committed by the request's unit of work (or not at all for reads:
        # the route commits). Using the row's identity keeps it one UPDATE.
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return token


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's is NotFound). Idempotent. Flushes."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token
