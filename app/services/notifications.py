"""The email outbox: every email is a row written in the caller's transaction, sent by a job after commit.

Templates live in app/templates/emails/<name>.html and <name>.txt; each sets `subject`.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_request_context, render_template, url_for
from sqlalchemy import select, update

from ..extensions import db
from ..models import EmailMessage, EmailSuppression, utcnow
from .accounts import normalize_email

SUPPRESSING_EVENTS = ("bounce", "dropped", "spamreport")


def is_suppressed(address: str) -> bool:
    return db.session.scalar(select(EmailSuppression.id).where(EmailSuppression.address == normalize_email(address))) is not None


def queue_email(to: str, template: str, *, user=None, headers: dict | None = None, **context) -> EmailMessage:
    """Render and store an email; it is sent by a background job once the transaction commits.

    An address that bounced or complained is recorded as 'suppressed' and never sent.
    """
    from ..tasks import enqueue
    from ..tasks.emails import send_email
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    html = render_template(f"emails/{template}.html", **context)
    text = render_template(f"emails/{template}.txt", **context)
    subject = current_app.jinja_env.get_template(f"emails/{template}.txt").make_module(context).subject
    message = EmailMessage(to_address=normalize_email(to), user_id=getattr(user, "id", None), template=template,
                           subject=str(subject).strip(), html_body=html, text_body=text, headers=headers or {},
                           status="pending")
    if is_suppressed(to):
        message.status = "suppressed"
        message.last_error = "This address bounced or reported spam earlier; not sending."
    db.session.add(message)
    db.session.flush()
    if message.status == "pending":
        enqueue(send_email, message.id)
    return message


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email: from the current request, or from BASE_URL in a worker or CLI."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def claim_for_sending(message_id: int, lease: timedelta) -> bool:
    """Atomically mark a message as being sent. False if it is sent, being sent, or not due yet.

    A 'sending' claim older than `lease` is taken over: its worker died mid-send.
    """
    now = utcnow()
    result = db.session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id)
        .where(((EmailMessage.status == "pending") &
                ((EmailMessage.next_attempt_at.is_(None)) | (EmailMessage.next_attempt_at <= now))) |
               ((EmailMessage.status == "sending") & (EmailMessage.claimed_at < now - lease)))
        .values(status="sending", claimed_at=now, attempts=EmailMessage.attempts + 1, updated_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def suppress_address(address: str, reason: str, detail: str = "") -> None:
    """Stop mailing an address (bounce, dropped, spam report). Idempotent."""
    address = normalize_email(address)
    if not is_suppressed(address):
        db.session.add(EmailSuppression(address=address, reason=reason, detail=detail[:1000]))
        db.session.flush()
