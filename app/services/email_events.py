"""What SendGrid's delivery events mean for us."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import EmailMessage
from .notifications import SUPPRESSING_EVENTS, suppress_address

RECORDED_EVENTS = (
    "processed",
    "delivered",
    "deferred",
    "open",
    "click",
    "unsubscribe",
    "group_unsubscribe",
) + SUPPRESSING_EVENTS


def _message_for(event: dict) -> EmailMessage | None:
    ours = event.get("jobifies_message_id")  # our custom_arg comes back as a top-level key
    if ours and str(ours).isdigit() and len(str(ours)) <= 9:  # an id column is a 32-bit integer
        return db.session.get(EmailMessage, int(ours))
    sg_message_id = str(event.get("sg_message_id", "")).split(".")[0][:255]
    if sg_message_id:
        return db.session.scalar(select(EmailMessage).where(EmailMessage.provider_message_id == sg_message_id))
    return None


def _when(timestamp) -> datetime | None:
    """The event's Unix time; None if absent or not a sane number (it is only informative)."""
    try:
        return datetime.fromtimestamp(int(timestamp), tz=UTC) if timestamp else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def handle_sendgrid_event(event_type: str, event: dict) -> str:
    """Record delivery and opens on the email; stop mailing addresses that bounce or complain. Idempotent."""
    if event_type not in RECORDED_EVENTS:
        return "ignored"
    when = _when(event.get("timestamp"))
    message = _message_for(event)
    if message is not None:
        message.last_event = event_type
        if event_type == "delivered" and message.delivered_at is None:
            message.delivered_at = when
        elif event_type == "open" and message.opened_at is None:
            message.opened_at = when
        elif event_type in SUPPRESSING_EVENTS:
            message.last_error = f"{event_type}: {event.get('reason') or event.get('response') or ''}".strip()[:1000]
    if event_type in SUPPRESSING_EVENTS and isinstance(event.get("email"), str) and event["email"].strip():
        suppress_address(event["email"], event_type, str(event.get("reason", "")))
    db.session.flush()
    return "processed"
