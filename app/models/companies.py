from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow
from .states import MemberRole, one_of


class Company(TimestampMixin, db.Model):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    slug: Mapped[str] = mapped_column(String(140), unique=True, nullable=False)
    website: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    about: Mapped[str] = mapped_column(Text, nullable=False, default="")
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))

    memberships = relationship(
        "Membership", back_populates="company", cascade="all, delete-orphan", order_by="Membership.id"
    )
    jobs = relationship("Job", back_populates="company", lazy="dynamic")
    logo = relationship("Document", foreign_keys=[logo_id])


class Membership(db.Model):
    """A recruiter's seat in a company. A user holds at most one seat (unique user_id)."""

    __tablename__ = "memberships"
    __table_args__ = (one_of("role", MemberRole),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default=MemberRole.RECRUITER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # "New since your last visit" on the dashboard: a visit is a run of views less than
    # VISIT_GAP apart; `dashboard_since` is where the current visit's "new" starts.
    dashboard_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dashboard_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company = relationship("Company", back_populates="memberships", lazy="joined")
    user = relationship("User", back_populates="membership")

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER


class Invitation(db.Model):
    """A single-use, expiring link to join a company. Only a hash of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    company = relationship("Company")
    invited_by = relationship("User", foreign_keys=[invited_by_id])

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()
