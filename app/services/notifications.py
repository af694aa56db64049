"""The email outbox: every email is a row written in the caller's transaction, sent by a job after commit.

Templates live in app/templates/emails/<name>.html and <name>.txt; each sets `subject`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import func, select, update

from ..database import insert_ignore
from ..extensions import db
from ..links import absolute_url
from ..models import EmailMessage, EmailSuppression, utcnow
from ..tasks import enqueue
from . import preferences

log = logging.getLogger(__name__)

SUPPRESSING_EVENTS = ("bounce", "dropped", "spamreport")


def is_suppressed(address: str) -> bool:
    return (
        db.session.scalar(select(EmailSuppression.id).where(EmailSuppression.address == normalize_email(address)))
        is not None
    )


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _sent_recently(to: str, template: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return (
        db.session.scalar(
            select(func.count(EmailMessage.id)).where(
                EmailMessage.to_address == to, EmailMessage.template == template, EmailMessage.created_at >= since
            )
        )
        or 0
    )


def queue_email(
    to: str, template: str, *, user=None, headers: dict | None = None, capped: bool = False, **context
) -> EmailMessage | None:
    """Render and store an email; it is sent by a background job once the transaction commits.

    An address that bounced or complained is recorded as 'suppressed' and never sent. `capped`
    (account emails anyone can trigger: verification, reset, invitation...): past
    EMAIL_MAX_PER_ADDRESS_HOUR of this template to this address in the last hour, nothing is
    queued and None is returned, so no form can be used to flood someone's inbox. An optional kind
    of email (services.preferences) that `user` turned off is not queued either (None).
    """
    to = normalize_email(to)
    if not preferences.allows(getattr(user, "id", None), template):
        return None  # the person turned this kind of email off (account page)
    if capped and _sent_recently(to, template) >= current_app.config["EMAIL_MAX_PER_ADDRESS_HOUR"]:
        log.info("Not queueing another %s email to an address that had enough this hour", template)
        return None
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    html = render_template(f"emails/{template}.html", **context)
    text = render_template(f"emails/{template}.txt", **context)
    subject = current_app.jinja_env.get_template(f"emails/{template}.txt").make_module(context).subject
    message = EmailMessage(
        to_address=to,
        user_id=getattr(user, "id", None),
        template=template,
        subject=str(subject).strip(),
        html_body=html,
        text_body=text,
        headers=headers or {},
        status="pending",
    )
    if is_suppressed(to):
        message.status = "suppressed"
        message.last_error = "This address bounced or reported spam earlier; not sending."
    db.session.add(message)
    db.session.flush()
    if message.status == "pending":
        enqueue("emails.send", message.id)
    return message


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email: always from BASE_URL, never from the request's Host."""
    return absolute_url(endpoint, **values)


def claim_for_sending(message_id: int, lease: timedelta) -> bool:
    """Atomically mark a message as being sent. False if it is sent, being sent, or not due yet.

    A 'sending' claim older than `lease` is taken over: its worker died mid-send. Commits: the claim
    must be visible to every other worker before this one spends seconds on the network.
    """
    now = utcnow()
    result = db.session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id)
        .where(
            (
                (EmailMessage.status == "pending")
                & ((EmailMessage.next_attempt_at.is_(None)) | (EmailMessage.next_attempt_at <= now))
            )
            | ((EmailMessage.status == "sending") & (EmailMessage.claimed_at < now - lease))
        )
        .values(status="sending", claimed_at=now, attempts=EmailMessage.attempts + 1, updated_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def suppress_address(address: str, reason: str, detail: str = "") -> bool:
    """Stop mailing an address (bounce, dropped, spam report). Idempotent, also under concurrency:
    two workers suppressing the same address at once both succeed (one atomic upsert).
    True if this call added it."""
    return insert_ignore(
        EmailSuppression,
        {"address": normalize_email(address)[:254], "reason": reason[:30], "detail": detail[:1000]},
        ["address"],
    )
