"""Signed, expiring tokens for links in emails (email verification, password reset).

Nothing is stored: the signature proves we issued it, the age check expires it, and the payload
binds it to state that changes when it is used (the email address; a piece of the password hash),
which makes the reset link single-use.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import ValidationError
from ..extensions import db
from ..models import User


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"jobifies-{purpose}")


def _password_fingerprint(user: User) -> str:
    return user.password_hash[-12:]


def make_verify_token(user: User) -> str:
    return _serializer("verify-email").dumps({"uid": user.id, "email": user.email})


def make_reset_token(user: User) -> str:
    return _serializer("password-reset").dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise ValidationError("This link is not valid. Check that you copied all of it.") from None


def user_from_verify_token(token: str) -> User:
    data = _load("verify-email", token, current_app.config["EMAIL_VERIFY_DAYS"] * 86400)
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise ValidationError("This link was for an email address that is no longer on the account.")
    return user


def user_from_reset_token(token: str) -> User:
    data = _load("password-reset", token, current_app.config["PASSWORD_RESET_MINUTES"] * 60)
    user = db.session.get(User, data.get("uid"))
    if user is None or _password_fingerprint(user) != data.get("pw"):
        raise ValidationError("This link was already used. Ask for a new one if you still need it.")
    return user
