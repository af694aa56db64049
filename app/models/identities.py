"""Accounts at outside sign-in providers (Google, GitHub, LinkedIn) linked to our users."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .states import one_of


class SignInProvider(StrEnum):
    GOOGLE = "google"
    GITHUB = "github"
    LINKEDIN = "linkedin"


class UserIdentity(db.Model):
    """One provider account (provider, subject) belongs to one of our users, for good: the subject
    is the provider's stable id, never the email address, which can change or be reassigned."""

    __tablename__ = "user_identities"
    __table_args__ = (
        UniqueConstraint("provider", "subject"),
        one_of("provider", SignInProvider),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    # The verified address the provider gave when the link was made (what linked it), for support.
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
