"""Accounts: sign-up, login, verification, passwords, sessions, admin creation and deactivation.

Rules that keep accounts safe live here:
- sign-up never tells whether an address has an account (the owner is emailed instead);
- login spends the same time on unknown addresses, and is throttled (services.throttle) so that
  nobody can lock someone else out;
- a password reset, a password change and an email change end every other session of the account
  (User.session_version), and a reset or verification link only works for the address it was sent to.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import NotFound, RateLimited, ValidationError, human_wait
from ..extensions import db
from ..models import User, utcnow
from ..telemetry import metrics
from . import audit, emails, throttle, tokens
from .notifications import normalize_email

__all__ = ["normalize_email", "MIN_PASSWORD_LENGTH"]

MIN_PASSWORD_LENGTH = 8
_dummy_hashes: dict[str, str] = {}


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def _check_new_password(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field=field)


def register_user(
    email: str, password: str, name: str = "", role: str = "candidate", *, verify: bool = True, next_path: str = ""
) -> User:
    """Create an account (and queue the verify-your-email message unless verify=False). Flushes.

    For flows where the address is already known to the person (an invitation, the admin CLI):
    raises ValidationError(field="email") if the address is taken. Public sign-up uses sign_up().
    """
    email = normalize_email(email)
    if find_user_by_email(email):
        raise ValidationError("An account with this email already exists. Log in instead.", field="email")
    _check_new_password(password)
    user = User(email=email, name=(name or "").strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    metrics.registration(role, "signup" if verify else "invitation")
    if verify:
        emails.send_verification(user, next_path)
    return user


def sign_up(email: str, password: str, name: str = "", role: str = "candidate", next_path: str = "") -> User | None:
    """Public sign-up. Flushes. Returns the new, unverified user — or None when the address already
    has an account, in which case its owner is emailed ("someone tried to sign up with your
    address"). Either way the caller shows the same "check your inbox" answer, and both paths hash
    a password, so neither the page nor its timing tells whether the address is registered.
    """
    _check_new_password(password)
    existing = find_user_by_email(email)
    if existing is None:
        return register_user(email, password, name, role, next_path=next_path)
    generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])  # same cost as a sign-up
    if existing.active:
        emails.account_exists(existing)
    return None


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _dummy_hashes[method]


def authenticate(email: str, password: str, ip: str) -> User:
    """Check credentials with throttling. Raises RateLimited when throttled, ValidationError when wrong.

    The same message, and the same work (a password hash check), for an unknown address and a
    wrong password, so neither the form nor its timing reveals which addresses have accounts.
    """
    email = normalize_email(email)
    wait, rule = throttle.seconds_locked(email, ip)
    if wait:
        reason = (
            "Too many failed login attempts."
            if rule != "account"
            else "There were many failed attempts to log in to this account, so it is slowed down."
        )
        raise RateLimited(f"{reason} Try again in {human_wait(wait)}.", retry_after=wait)
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        throttle.record_failure(email, ip)
        raise ValidationError("That email and password do not match an account.")
    if not user.check_password(password or ""):
        throttle.record_failure(email, ip)
        raise ValidationError("That email and password do not match an account.")
    if not user.active:
        raise ValidationError("This account has been deactivated. Contact the site administrator.")
    throttle.clear(email, ip)
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


def check_verify_link(token: str) -> User:
    """The account a verification link is for (ValidationError if invalid, expired or superseded)."""
    return tokens.verify_token_data(token)[0]


def check_reset_link(token: str) -> User:
    """The account a reset link is for (ValidationError if invalid, expired, used or superseded)."""
    return tokens.user_from_reset_token(token)


def verify_email(token: str) -> tuple[User, bool, str]:
    """Confirm the address of a verification link. Flushes. Idempotent.

    Returns (user, first_use, next path): `first_use` is True only when this call confirmed the
    address — the one time the link may also log its owner in.
    """
    user, data = tokens.verify_token_data(token)
    first_use = user.verified_at is None
    if first_use:
        user.verified_at = utcnow()
    db.session.flush()
    return user, first_use, str(data.get("next") or "")


def resend_verification(email: str) -> None:
    """Send the confirmation link again if `email` has an unconfirmed account; silently nothing otherwise."""
    user = find_user_by_email(email)
    if user is not None and user.active and user.verified_at is None:
        emails.send_verification(user)


def request_password_reset(email: str) -> None:
    """Queue a reset link if the address has an active account; silently nothing otherwise."""
    user = find_user_by_email(email)
    if user is not None and user.active:
        emails.send_password_reset(user)


def end_other_sessions(user: User) -> None:
    """Every session and remember-me cookie of the account stops working at its next request.

    The caller logs the current device in again (with the new session version) if it should stay.
    """
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link. Flushes. The link stops working (the hash changed),
    every other session ends, and the address counts as confirmed: the link was sent to it and the
    token proves it is still the account's address."""
    user = tokens.user_from_reset_token(token)
    _check_new_password(password)
    user.set_password(password)
    if user.verified_at is None:
        user.verified_at = utcnow()
    end_other_sessions(user)
    return user


def _require_password(user: User, field: str) -> None:
    """Accounts made through a sign-in provider have no password to confirm a change with: they set
    one through the reset link first (which also proves they still own the address)."""
    if not user.has_password:
        raise ValidationError(
            "Your account has no password yet: you sign in with Google, GitHub or LinkedIn. To set one, "
            "use “Forgot your password?” on the log-in page; we will email you a link.",
            field=field,
        )


def change_password(user: User, current_password: str, new_password: str) -> User:
    """Change the password of a logged-in user. Flushes; ends the other sessions; emails a notice."""
    _require_password(user, "current_password")
    if not user.check_password(current_password or ""):
        raise ValidationError("Your current password is not correct.", field="current_password")
    _check_new_password(new_password, field="new_password")
    if user.check_password(new_password):
        raise ValidationError("That is your current password; choose a new one.", field="new_password")
    user.set_password(new_password)
    end_other_sessions(user)
    emails.password_changed(user)
    return user


def change_email(user: User, new_email: str, password: str) -> User:
    """Move the account to a new address. Flushes. The account is unverified until the new address
    is confirmed; links sent to the old address stop working (they bind it); the other sessions
    end; the old address is told."""
    new_email = normalize_email(new_email)
    _require_password(user, "password")
    if not user.check_password(password or ""):
        raise ValidationError("Your current password is not correct.", field="password")
    if new_email == user.email:
        raise ValidationError("That is already your email address.", field="email")
    if find_user_by_email(new_email):
        raise ValidationError("Another account uses this email address.", field="email")
    old_email = user.email
    user.email = new_email
    user.verified_at = None
    end_other_sessions(user)
    emails.send_verification(user)
    emails.email_changed(user, old_email)
    return user


def set_user_active(admin: User, user_id: int, active: bool, reason: str = "") -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.id == admin.id and not active:
        raise ValidationError("You cannot deactivate your own account.")
    user.active = active
    audit.record(admin, "user.activated" if active else "user.deactivated", user, email=user.email, reason=reason)
    db.session.flush()
    return user


def change_name(user: User, name: str) -> User:
    """The name companies and emails show. Flushes."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Enter your name.", field="name")
    if len(name) > 120:
        raise ValidationError("Use at most 120 characters.", field="name")
    user.name = name
    db.session.flush()
    return user


MAX_NAME = 120


def rename(user: User, name: str) -> User:
    """The name shown to recruiters and in emails. Flushes."""
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME:
        raise ValidationError(f"Keep your name under {MAX_NAME} characters.", field="name")
    user.name = name
    db.session.flush()
    return user
