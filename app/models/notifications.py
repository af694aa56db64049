"""Notifications beyond email: SMS, WhatsApp and Slack messages, each a row written in the same
transaction as the event that causes it (like the email outbox), sent by a job after commit.

Also the per-user choices (kind x channel), the phone number and quiet hours, and a company's
Slack connection."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime
from .states import one_of


class NotificationChannel(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"
    SLACK = "slack"


class NotificationStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (maybe until not_before: quiet hours, a Retry-After)
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"  # the provider took it
    DELIVERED = "delivered"  # the provider's status callback says it arrived
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"  # the recipient turned the choice off (or replied STOP) before it went


class Notification(TimestampMixin, db.Model):
    """One message on one channel to one recipient. `dedupe_key` is unique: whatever creates a
    notification twice for the same cause (a retried job, the periodic expiry check) adds one row."""

    __tablename__ = "notifications"
    __table_args__ = (one_of("status", NotificationStatus), one_of("channel", NotificationChannel))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    to_address: Mapped[str] = mapped_column(String(64), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    blocks: Mapped[list | None] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=NotificationStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")


class NotificationPreference(db.Model):
    """A user's explicit choice for one kind on one channel. No row means the default (email on,
    SMS and WhatsApp off)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)


class NotificationSettings(TimestampMixin, db.Model):
    """A user's phone (E.164, verified by a code sent to it), time zone and quiet hours."""

    __tablename__ = "notification_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The recipient replied STOP (Twilio blocks further messages from then on): mirrored here.
    sms_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    quiet_hours: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    quiet_start: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=21)
    quiet_end: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=8)


class SlackConnection(TimestampMixin, db.Model):
    """A company's Slack channel: an incoming webhook URL, stored only encrypted."""

    __tablename__ = "slack_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    webhook_token: Mapped[str] = mapped_column(Text, nullable=False)
    channel_name: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    events: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    not_found_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    company = relationship("Company")
