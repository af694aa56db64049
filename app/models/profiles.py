from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime
from .states import ParseStatus, one_of


class CandidateProfile(TimestampMixin, db.Model):
    """What a candidate tells recruiters about themself; pre-filled from a parsed resume, then reviewed."""

    __tablename__ = "candidate_profiles"
    __table_args__ = (one_of("parse_status", ParseStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    headline: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    location: Mapped[str] = mapped_column(String(160), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    experience: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    education: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # Profile and portfolio URLs (http/https only), shown to recruiters.
    links: Mapped[list] = mapped_column(JSON, nullable=False, default=list, server_default="[]")
    # The latest parse, kept apart from what the candidate saved until they review it.
    resume_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    parsed: Mapped[dict | None] = mapped_column(JSON)
    parse_status: Mapped[str] = mapped_column(String(20), nullable=False, default=ParseStatus.NONE)
    parse_error: Mapped[str | None] = mapped_column(Text)
    # How many workers claimed the current request; a file that kills its reader stops being retried.
    parse_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    parse_confidence: Mapped[float | None] = mapped_column(Float)
    parser: Mapped[str | None] = mapped_column(String(20))
    parse_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", backref=db.backref("profile", uselist=False))
    resume = relationship("Document")
