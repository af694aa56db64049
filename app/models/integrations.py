"""A company's connection to its applicant-tracking system (ATS), the log of its syncs, and the
applications sent to it.

Credentials are stored only as a Fernet token (app/services/credentials.py): the database never
holds a secret in clear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow
from .states import AtsProvider, AtsRunStatus, AtsSendStatus, AtsStatus, one_of

# The ATS a synced job came from (Job.external_source). Both Greenhouse modes use Greenhouse's own
# job ids, so a company can move from the job-board import to Harvest without duplicating jobs.
JOB_SOURCES = {
    AtsProvider.GREENHOUSE: "greenhouse",
    AtsProvider.GREENHOUSE_BOARD: "greenhouse",
    AtsProvider.LEVER: "lever",
    AtsProvider.BAMBOOHR: "bamboohr",
    AtsProvider.WORKDAY: "workday",
}
PROVIDER_LABELS = {
    AtsProvider.GREENHOUSE: "Greenhouse",
    AtsProvider.GREENHOUSE_BOARD: "Greenhouse",
    AtsProvider.LEVER: "Lever",
    AtsProvider.BAMBOOHR: "BambooHR",
    AtsProvider.WORKDAY: "Workday",
}
DEFAULT_SYNC_MINUTES = 60


class AtsConnection(TimestampMixin, db.Model):
    """One company's ATS: provider, encrypted credentials, what to sync, and how the last sync went.

    `sync_lease_until` is the per-connection lock: a sync takes it with one conditional UPDATE and
    renews it as it goes, so two syncs of a connection never run at once, and a worker that died
    mid-sync only holds it until the lease runs out.
    """

    __tablename__ = "ats_connections"
    __table_args__ = (one_of("provider", AtsProvider), one_of("status", AtsStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(30), nullable=False)
    credentials: Mapped[str] = mapped_column(Text, nullable=False)  # a Fernet token, never clear text
    options: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # non-secret (Workday fields)
    sync_jobs: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sync_applications: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Off by default, for privacy: profile details beyond what the candidate put in the application.
    sync_candidates: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    interval_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_SYNC_MINUTES)
    # The ATS's stage names (case-folded) -> our stages; a name not in here moves nothing.
    stage_map: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    unmapped_stages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=AtsStatus.CONNECTED)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sync_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sync_run_id: Mapped[int | None] = mapped_column(Integer)

    company = relationship("Company", backref=db.backref("ats_connection", uselist=False, lazy="select"))

    @property
    def label(self) -> str:
        return PROVIDER_LABELS.get(self.provider, self.provider)

    @property
    def job_source(self) -> str:
        return JOB_SOURCES[self.provider]


class AtsSyncRun(db.Model):
    """One sync of a connection: what it saw and changed, how long it took, and why it failed."""

    __tablename__ = "ats_sync_runs"
    __table_args__ = (
        one_of("status", AtsRunStatus),
        Index("ix_ats_sync_runs_connection_id_id", "connection_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ats_connections.id", ondelete="CASCADE"), nullable=False)
    trigger: Mapped[str] = mapped_column(String(20), nullable=False, default="scheduled")  # scheduled | manual
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=AtsRunStatus.QUEUED, index=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    jobs_seen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    jobs_created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    jobs_updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    jobs_closed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Listed open by the ATS but kept off the board by a moderator's take-down, and why (shown to the owner).
    jobs_held: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    held_note: Mapped[str | None] = mapped_column(Text)
    applications_sent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    stages_read: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    stages_moved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    requests_made: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    connection = relationship("AtsConnection", backref=db.backref("runs", lazy="dynamic", passive_deletes=True))

    @property
    def is_active(self) -> bool:
        return self.status in (AtsRunStatus.QUEUED, AtsRunStatus.RUNNING)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class AtsApplicationLink(db.Model):
    """An application of ours sent to the ATS: its ids there, and the stage it was last seen in."""

    __tablename__ = "ats_application_links"
    __table_args__ = (
        one_of("status", AtsSendStatus),
        UniqueConstraint("application_id"),
        Index("ix_ats_application_links_connection_id_external_id", "connection_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ats_connections.id", ondelete="CASCADE"), nullable=False)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=AtsSendStatus.PENDING)
    external_id: Mapped[str | None] = mapped_column(String(120))
    external_candidate_id: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_stage: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while a sender has it (one at a time); a crashed sender's claim lapses (services.ats_sync).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stage_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    connection = relationship("AtsConnection")
    application = relationship("Application")
