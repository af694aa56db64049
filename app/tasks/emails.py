"""Sending the outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from ..extensions import db
from ..integrations.email import OutgoingEmail, PermanentEmailError, provider_for
from ..integrations.http import CircuitOpenError, RetryableError
from ..models import EmailMessage, utcnow
from ..services import notifications
from ..telemetry import metrics
from . import enqueue_now
from .runtime import task

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


@task("emails.send", queue="default", timeout=60, retries=())
def send_email(message_id: int) -> str:
    outcome = _send_email(message_id)
    metrics.email(outcome)  # email_sends_total{status}
    return outcome


def _send_email(message_id: int) -> str:
    """Send one outbox message. Idempotent: a message already sent (or being sent) is left alone.

    A temporary failure puts it back to 'pending' with a later next_attempt_at (the sweeper
    re-enqueues it); a permanent one marks it 'failed'. The error is kept on the row.
    """
    lease = timedelta(seconds=current_app.config["EMAIL_CLAIM_LEASE_SECONDS"])
    if not notifications.claim_for_sending(message_id, lease):
        return "skipped"
    message = db.session.get(EmailMessage, message_id)
    if notifications.is_suppressed(message.to_address):
        message.status, message.last_error = "suppressed", "Address suppressed after a bounce or complaint."
        db.session.commit()
        return "suppressed"
    sender = provider_for(current_app.config)
    email = OutgoingEmail(
        message_id=message.id,
        to=message.to_address,
        subject=message.subject,
        html=message.html_body,
        text=message.text_body,
        headers=dict(message.headers or {}),
        from_address=current_app.config["MAIL_FROM"],
    )
    db.session.commit()  # no transaction stays open while we wait on the network
    try:
        result = sender.send(email)
    except PermanentEmailError as error:
        message.status, message.last_error = "failed", str(error)
        db.session.commit()
        return "failed"
    except (RetryableError, CircuitOpenError) as error:
        message.last_error = str(error)
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.status, message.next_attempt_at = "pending", utcnow() + _backoff(message.attempts)
        db.session.commit()
        return "retry"
    message.status, message.sent_at, message.last_error = "sent", utcnow(), None
    message.provider, message.provider_message_id = result.provider, result.provider_message_id
    db.session.commit()
    return "sent"


@task("emails.sweep", queue="low", timeout=300, retries=())
def sweep_outbox() -> int:
    """Re-enqueue what is due: pending messages nobody picked up (Redis was down, a retry is due)
    and 'sending' claims whose worker died. Returns how many were handed to the queue."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["EMAIL_CLAIM_LEASE_SECONDS"])
    grace = timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])
    ids = db.session.scalars(
        select(EmailMessage.id)
        .where(
            or_(
                (EmailMessage.status == "pending")
                & (EmailMessage.updated_at <= now - grace)
                & (or_(EmailMessage.next_attempt_at.is_(None), EmailMessage.next_attempt_at <= now)),
                (EmailMessage.status == "sending") & (EmailMessage.claimed_at < now - lease),
            )
        )
        .order_by(EmailMessage.id)
        .limit(500)
    ).all()
    count = 0
    for message_id in ids:
        if enqueue_now("emails.send", message_id):
            count += 1
    return count
