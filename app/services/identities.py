"""Signing in through an outside provider (Google, GitHub, LinkedIn): who the person is here.

Rules, all here:
- a provider account is known by (provider, subject), the provider's stable id; once linked it
  always signs in to the same user, even if its email address changes later;
- a new provider account is linked by email address only when the provider says the address is
  VERIFIED: an unverified address proves nothing (anyone can type anyone's address at a provider);
- an existing account whose own address was never confirmed here gets its password removed when
  a provider proves the address: whoever chose that password never showed they own the address
  (the "pre-registered account" takeover), and every session it had ends;
- an unknown verified address becomes a new candidate account without a password (the reset flow
  sets one later if the person wants one).

The identity row is written with one INSERT .. ON CONFLICT DO NOTHING on (provider, subject), so
two callbacks racing for the same provider account link it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..errors import Forbidden, ValidationError
from ..extensions import db
from ..models import Role, SignInProvider, User, UserIdentity, utcnow
from . import accounts, audit
from .notifications import normalize_email

PROVIDER_LABELS = {
    SignInProvider.GOOGLE: "Google",
    SignInProvider.GITHUB: "GitHub",
    SignInProvider.LINKEDIN: "LinkedIn",
}


@dataclass(frozen=True)
class ProviderProfile:
    """What a provider told us about the person, after its signatures and state were checked."""

    provider: str
    subject: str
    email: str
    email_verified: bool
    name: str = ""


def sign_in_with_provider(profile: ProviderProfile) -> User:
    """The user `profile` signs in as, linking or creating the account if needed. Flushes.

    Raises ValidationError when the provider account is new and its address is not verified (or
    missing), Forbidden when the account here is deactivated. Idempotent for a known identity.
    """
    label = PROVIDER_LABELS.get(profile.provider, profile.provider)
    now = utcnow()
    identity = _find_identity(profile.provider, profile.subject)
    if identity is None:
        if not profile.email or not profile.email_verified:
            raise ValidationError(
                f"{label} has not confirmed that {profile.email or 'your email address'} is yours, so we cannot "
                f"sign you in with it. Confirm the address at {label} first, or sign up with a password."
            )
        user = _user_for_verified_email(profile, label, now)
        identity = _link(user, profile)
    user = identity.user
    if not user.active:
        raise Forbidden("This account has been deactivated. Contact the site administrator.")
    identity.last_login_at = now
    user.last_login_at = now
    db.session.flush()
    return user


def _find_identity(provider: str, subject: str) -> UserIdentity | None:
    return db.session.scalar(
        select(UserIdentity).where(UserIdentity.provider == provider, UserIdentity.subject == subject)
    )


def _user_for_verified_email(profile: ProviderProfile, label: str, now) -> User:
    email = normalize_email(profile.email)
    user = accounts.find_user_by_email(email)
    if user is None:
        user = User(email=email, name=(profile.name or "").strip()[:120], role=Role.CANDIDATE, verified_at=now)
        user.set_unusable_password()
        try:
            with db.session.begin_nested():  # a savepoint: a concurrent sign-up may take the address first
                db.session.add(user)
                db.session.flush()
        except IntegrityError:
            user = accounts.find_user_by_email(email)
            if user is None:
                raise
        else:
            audit.record(user, "user.signed_up", user, provider=profile.provider)
            return user
    if user.verified_at is None:
        # Someone registered this address with a password but never confirmed it: the provider has
        # now proved who owns it, so that password (maybe chosen by someone else) must not work.
        user.set_unusable_password()
        user.verified_at = now
        accounts.end_other_sessions(user)
    return user


def _link(user: User, profile: ProviderProfile) -> UserIdentity:
    connection = db.session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(UserIdentity.__table__)
        .values(
            user_id=user.id,
            provider=profile.provider,
            subject=profile.subject,
            email=normalize_email(profile.email),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["provider", "subject"])
        .returning(UserIdentity.__table__.c.id)
    )
    linked = connection.execute(statement).scalar()
    identity = _find_identity(profile.provider, profile.subject)
    if linked is not None:
        audit.record(user, "user.identity_linked", user, provider=profile.provider, email=identity.email)
    return identity


def identities_of(user: User) -> list[UserIdentity]:
    return list(db.session.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id)))
