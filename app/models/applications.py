from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow
from .states import ApplicationStatus, one_of

S = ApplicationStatus
# The pipeline, in order; "rejected" and "withdrawn" end it from any open stage.
PIPELINE_STAGES = (S.APPLIED, S.SCREENING, S.INTERVIEW, S.OFFER, S.HIRED)
STAGE_LABELS = {stage: stage.value.capitalize() for stage in S}
RECRUITER_STAGES = (*PIPELINE_STAGES, S.REJECTED)
CLOSED_STAGES = (S.HIRED, S.REJECTED, S.WITHDRAWN)


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"
    # One application per candidate per job, enforced by the database as well as the service.
    __table_args__ = (UniqueConstraint("job_id", "candidate_id"), one_of("status", ApplicationStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False, index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    resume_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    cover_letter: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=ApplicationStatus.APPLIED, index=True)
    match_score: Mapped[int | None] = mapped_column(Integer)
    match_breakdown: Mapped[dict | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(40), nullable=False, default="web")

    job = relationship("Job", lazy="joined")
    candidate = relationship("User", lazy="joined")
    resume = relationship("Document")
    events = relationship(
        "ApplicationEvent", back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )
    notes = relationship(
        "ApplicationNote", back_populates="application", order_by="ApplicationNote.id", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return STAGE_LABELS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STAGES


class ApplicationEvent(db.Model):
    """One step of an application's timeline: who moved it from what to what, and when."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)  # an ApplicationStatus
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    application = relationship("Application", back_populates="events")
    actor = relationship("User")

    @property
    def to_label(self) -> str:
        return STAGE_LABELS.get(self.to_status, self.to_status)

    @property
    def from_label(self) -> str | None:
        return STAGE_LABELS.get(self.from_status, self.from_status) if self.from_status else None


class ApplicationNote(db.Model):
    """A recruiter's private note on an application; never shown to the candidate."""

    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    application = relationship("Application", back_populates="notes")
    author = relationship("User")
