"""Accounts: sign-up, login, admin creation and deactivation."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select

from ..errors import NotFound, RateLimited, ValidationError
from ..extensions import db
from ..models import User, utcnow
from . import audit, throttle

MIN_PASSWORD_LENGTH = 8


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def register_user(email: str, password: str, name: str = "", role: str = "candidate", *,
                  verify: bool = True) -> User:
    """Create an account and queue the verify-your-email message. Flushes.

    Raises ValidationError(field="email") if the address is taken.
    """
    email = normalize_email(email)
    if find_user_by_email(email):
        raise ValidationError("An account with this email already exists. Log in instead.", field="email")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    user = User(email=email, name=(name or "").strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if verify:
        from . import emails
        emails.send_verification(user)
    return user


def authenticate(email: str, password: str, ip: str) -> User:
    """Check credentials with throttling. Raises RateLimited when locked, ValidationError when wrong.

    The same message for an unknown address and a wrong password, so the form reveals nothing.
    """
    email = normalize_email(email)
    wait = throttle.seconds_locked(email, ip)
    if wait:
        minutes = max(1, round(wait / 60))
        raise RateLimited(f"Too many failed login attempts. Try again in about {minutes} minute"
                          f"{'s' if minutes != 1 else ''}.")
    user = find_user_by_email(email)
    if user is None or not user.check_password(password or ""):
        throttle.record_failure(email, ip)
        raise ValidationError("That email and password do not match an account.")
    if not user.active:
        raise ValidationError("This account has been deactivated. Contact the site administrator.")
    throttle.clear(email)
    user.last_login_at = utcnow()
    return user


def create_admin(email: str, password: str | None = None) -> tuple[User, str | None]:
    """Make `email` an admin, creating the account if needed. Returns the user and a generated password."""
    user = find_user_by_email(email)
    generated = None
    if user is None:
        generated = password or secrets.token_urlsafe(12)
        user = register_user(email, generated, role="admin", verify=False)
        generated = None if password else generated
    user.role = "admin"
    user.active = True
    if user.verified_at is None:
        user.verified_at = utcnow()
    db.session.flush()
    return user, generated


def verify_email(token: str) -> User:
    """Mark the address in a verification link as confirmed. Idempotent."""
    from . import tokens
    user = tokens.user_from_verify_token(token)
    if user.verified_at is None:
        user.verified_at = utcnow()
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Queue a reset link if the address has an active account; silently nothing otherwise."""
    from . import emails
    user = find_user_by_email(email)
    if user is not None and user.active:
        emails.send_password_reset(user)


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link stops working (the hash changed). Flushes."""
    from . import tokens
    user = tokens.user_from_reset_token(token)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    user.set_password(password)
    # Following the link proves the address works.
    if user.verified_at is None:
        user.verified_at = utcnow()
    db.session.flush()
    return user


def change_email(user: User, new_email: str, password: str) -> User:
    """Move the account to a new address (for example after the old one bounced); re-verification follows."""
    from . import emails
    new_email = normalize_email(new_email)
    if not user.check_password(password or ""):
        raise ValidationError("Your current password is not correct.", field="password")
    if new_email == user.email:
        raise ValidationError("That is already your email address.", field="email")
    if find_user_by_email(new_email):
        raise ValidationError("Another account uses this email address.", field="email")
    user.email = new_email
    user.verified_at = None
    db.session.flush()
    emails.send_verification(user)
    return user


def set_user_active(admin: User, user_id: int, active: bool) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.id == admin.id and not active:
        raise ValidationError("You cannot deactivate your own account.")
    user.active = active
    audit.record(admin, "user.activated" if active else "user.deactivated", user, email=user.email)
    db.session.flush()
    return user
