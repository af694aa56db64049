"""Sending notifications (SMS, WhatsApp, Slack), their sweeper, and the periodic Slack posts."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from ..extensions import db
from ..integrations import slack
from ..integrations.http import RetryableError
from ..integrations.sms import OutgoingText, PermanentTextError, text_sender_for
from ..models import Notification, NotificationStatus, SlackConnection, utcnow
from ..services import channels
from ..services.credentials import CredentialsUnreadable
from . import enqueue_now
from .runtime import task

log = logging.getLogger(__name__)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["EMAIL_CLAIM_LEASE_SECONDS"])


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _finish(notification: Notification, status: str, error: str | None = None) -> str:
    notification.status, notification.last_error = status, error
    if status == NotificationStatus.SENT:
        notification.sent_at = utcnow()
    db.session.commit()
    return str(status)


def _retry_later(notification: Notification, error: RetryableError) -> str:
    """Back to pending, due after the provider's Retry-After (or our backoff); the sweeper
    re-enqueues it then. Past NOTIFY_MAX_ATTEMPTS it fails for good."""
    if notification.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        return _finish(notification, NotificationStatus.FAILED, str(error))
    wait = timedelta(seconds=error.retry_after) if error.retry_after is not None else _backoff(notification.attempts)
    notification.not_before = utcnow() + wait
    _finish(notification, NotificationStatus.PENDING, str(error))
    return "retry"


@task("notify.send", queue="default", timeout=60, retries=())
def send_notification(notification_id: int) -> str:
    """Send one notification. Idempotent: one that is done, being sent or not yet due (quiet hours,
    a Retry-After) is left alone; one its recipient no longer wants is cancelled. Each outcome is
    recorded on the row; temporary failures go back to pending for the sweeper."""
    if not channels.claim(notification_id, _lease()):
        return "skipped"
    notification = db.session.get(Notification, notification_id)
    reason = channels.still_wanted(notification)
    if reason:
        return _finish(notification, NotificationStatus.CANCELLED, reason)
    if notification.channel == "slack":
        return _send_slack(notification)
    return _send_text(notification)


def _send_text(notification: Notification) -> str:
    sender = text_sender_for(current_app.config)
    text = OutgoingText(
        to=notification.to_address,
        body=notification.body,
        whatsapp=notification.channel == "whatsapp",
        status_callback=channels.status_callback_url() if sender.name == "twilio" else None,
    )
    db.session.commit()  # no transaction stays open while we wait on the network
    try:
        result = sender.send(text)
    except PermanentTextError as error:
        if error.opted_out:
            channels.mirror_opt_out(notification.to_address, stop=True)
        return _finish(notification, NotificationStatus.FAILED, str(error))
    except RetryableError as error:
        return _retry_later(notification, error)
    notification.provider = result.provider
    notification.provider_message_id = result.provider_message_id or f"outbox-{notification.id}"
    return _finish(notification, NotificationStatus.SENT)


def _send_slack(notification: Notification) -> str:
    connection = db.session.get(SlackConnection, int(notification.to_address.split(":", 1)[1]))
    try:
        url = channels.slack_url(connection)
    except CredentialsUnreadable as error:
        return _finish(notification, NotificationStatus.FAILED, str(error))
    db.session.commit()
    message = slack.SlackMessage(text=notification.body, blocks=notification.blocks)
    try:
        slack.post(url, message, timeout=current_app.config["OUTBOUND_TIMEOUT_SECONDS"])
    except RetryableError as error:
        return _retry_later(notification, error)
    except slack.SlackHookGone as error:
        channels.slack_hook_gone(connection, str(error))
        return _finish(notification, NotificationStatus.FAILED, str(error))
    except slack.SlackRefused as error:
        return _finish(notification, NotificationStatus.FAILED, str(error))
    notification.provider = "slack"
    connection.not_found_count, connection.last_error = 0, None
    return _finish(notification, NotificationStatus.SENT)


@task("notify.sweep", queue="low", timeout=300, retries=())
def sweep_notifications() -> int:
    """Re-enqueue what is due: pending notifications nobody picked up (Redis was down, quiet hours
    or a Retry-After ended) and claims whose worker died."""
    grace = timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])
    count = 0
    for notification_id in channels.due_ids(grace, _lease()):
        if enqueue_now("notify.send", notification_id):
            count += 1
    return count


@task("notify.slack_periodic", queue="low", timeout=300, retries=())
def slack_periodic() -> int:
    """Jobs expiring soon and the daily digests, for the companies that asked (each once)."""
    count = channels.jobs_expiring_soon() + channels.daily_digests()
    db.session.commit()
    return count
