from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .states import AlertFrequency, one_of

ALERT_FREQUENCIES = {AlertFrequency.DAILY: "Daily", AlertFrequency.WEEKLY: "Weekly"}


class JobAlert(db.Model):
    """A saved search, mailed as a digest of jobs published since the last one."""

    __tablename__ = "job_alerts"
    # One alert per search per user: saving the same search again updates it (services.alerts).
    __table_args__ = (UniqueConstraint("user_id", "query_key"), one_of("frequency", AlertFrequency))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    query: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    query_key: Mapped[str] = mapped_column(String(64), nullable=False)
    frequency: Mapped[str] = mapped_column(String(10), nullable=False, default=AlertFrequency.DAILY)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    # Paused by its owner from the alerts page: kept (and listed), but no emails until resumed.
    paused: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    unsubscribe_token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    user = relationship("User")
