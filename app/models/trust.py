"""Trust and control (issue 14, part A): moderation cases, reports, email preferences, data
exports, account deletions and retention notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

MODERATION_REASONS = {
    "spam": "Spam",
    "misleading": "Misleading",
    "discriminatory": "Discriminatory",
    "duplicate": "Duplicate",
    "other": "Other",
}
REPORT_REASONS = {
    "spam": "Spam or a scam",
    "misleading": "Misleading or false",
    "discriminatory": "Discriminatory",
    "duplicate": "A duplicate",
    "other": "Something else",
}
# A case is open while it is one of these: an open case keeps its job (or every job of its company)
# off the board whatever the recruiter presses.
MODERATION_OPEN_STATES = ("moderated", "in_review", "awaiting_approval")
MODERATION_STATES = (*MODERATION_OPEN_STATES, "resolved")


class Moderation(db.Model):
    """The moderation case of one job or one company: one row per subject, updated as the case moves
    (moderated -> in_review -> resolved, or back to moderated on a rejection); the audit log keeps
    every step. One row per subject (unique) so two admins cannot open two cases at once."""

    __tablename__ = "moderations"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", name="uq_moderations_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10), nullable=False)  # "job" | "company"
    subject_id: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="moderated")
    reason: Mapped[str] = mapped_column(String(20), nullable=False, default="other")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The admin's answer to the last review request (shown to the recruiter on a rejection).
    review_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    resolution: Mapped[str | None] = mapped_column(String(20))  # "approved" once resolved
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_open(self) -> bool:
        return self.state in MODERATION_OPEN_STATES

    @property
    def reason_label(self) -> str:
        return MODERATION_REASONS.get(self.reason, self.reason)


class JobReport(db.Model):
    """ "Report this job": one per reporter per job (a logged-in user's id, else a keyed hash of the IP)."""

    __tablename__ = "job_reports"
    __table_args__ = (UniqueConstraint("job_id", "reporter_key", name="uq_job_reports_reporter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False, index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reporter_key: Mapped[str] = mapped_column(String(80), nullable=False)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)
    details: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    job = relationship("Job", lazy="joined")

    @property
    def reason_label(self) -> str:
        return REPORT_REASONS.get(self.reason, self.reason)


class EmailPreference(db.Model):
    """Which optional emails a person wants. No row: the defaults. Issue 16's preference centre
    (SMS, Slack) extends this model and app/services/preferences.py."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    application_updates: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    job_alerts: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    product: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


class DataExport(db.Model):
    """ "Download my data": a zip built by a background job; only its owner may download it, until it expires."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")  # queued|running|ready|failed
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    @property
    def is_downloadable(self) -> bool:
        return self.status == "ready" and self.expires_at is not None and self.expires_at > utcnow()


class AccountDeletion(db.Model):
    """A requested account deletion: it happens at `due_at` unless cancelled (the emailed undo link)."""

    __tablename__ = "account_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None and self.completed_at is None


class RetentionNotice(db.Model):
    """The "your resume will be deleted" warning sent to an inactive candidate (RETENTION_DAYS)."""

    __tablename__ = "retention_notices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    warned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
