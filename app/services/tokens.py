"""Signed, expiring tokens for links in emails (email verification, password reset).

Nothing is stored: the signature proves we issued it, the age check expires it, and the payload
binds it to the state it was issued for:
- both bind the email address it was sent to, so a change of address voids every link sent
  before (a reset link can never confirm an address it was not sent to);
- the reset token also binds a piece of the password hash, which makes it single-use.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import ValidationError
from ..extensions import db
from ..models import User

MAX_TOKEN_CHARS = 1000  # ours are ~150; anything far longer is not one of ours


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"jobifies-{purpose}")


def _password_fingerprint(user: User) -> str:
    return user.password_hash[-12:]


def make_verify_token(user: User, next_path: str = "") -> str:
    """`next_path`: where to go once confirmed (a local path checked again when used)."""
    payload = {"uid": user.id, "email": user.email}
    if next_path:
        payload["next"] = next_path[:500]
    return _serializer("verify-email").dumps(payload)


def make_reset_token(user: User) -> str:
    return _serializer("password-reset").dumps({"uid": user.id, "email": user.email, "pw": _password_fingerprint(user)})


def _load(purpose: str, token: str, max_age: int) -> dict:
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise ValidationError("This link is not valid. Check that you copied all of it.")
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise ValidationError("This link is not valid. Check that you copied all of it.") from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise ValidationError("This link is not valid. Check that you copied all of it.")
    return data


def _user(data: dict) -> User | None:
    uid = data["uid"]
    return db.session.get(User, uid) if 0 < uid < 2**31 else None


def verify_token_data(token: str) -> tuple[User, dict]:
    """(user, payload) of a verification link; ValidationError if invalid, expired or superseded."""
    data = _load("verify-email", token, current_app.config["EMAIL_VERIFY_DAYS"] * 86400)
    user = _user(data)
    if user is None or user.email != data.get("email"):
        raise ValidationError("This link was for an email address that is no longer on the account.")
    return user, data


def user_from_reset_token(token: str) -> User:
    data = _load("password-reset", token, current_app.config["PASSWORD_RESET_MINUTES"] * 60)
    user = _user(data)
    if user is None or user.email != data.get("email"):
        raise ValidationError(
            "This link was sent to an email address that is no longer on the account. Ask for a new one."
        )
    if _password_fingerprint(user) != data.get("pw"):
        raise ValidationError("This link was already used. Ask for a new one if you still need it.")
    return user
