from flask import render_template, request
from sqlalchemy import select

from ...errors import NotFound
from ...extensions import db
from ...models import EmailMessage
from ...services import channels
from .blueprint import bp


@bp.get("/dev/outbox")
def outbox():
    """Every email the app has queued, newest first, with its HTML and text bodies."""
    to = request.args.get("to", "").strip().lower()
    query = select(EmailMessage).order_by(EmailMessage.id.desc()).limit(100)
    if to:
        query = query.where(EmailMessage.to_address == to)
    # Texts (SMS, WhatsApp) land here too while Twilio is not configured.
    texts = channels.recent_texts()
    return render_template("devtools/outbox.html", messages=db.session.scalars(query).all(), to=to, texts=texts)


@bp.get("/dev/outbox/<int:message_id>")
def outbox_message(message_id: int):
    message = db.session.get(EmailMessage, message_id)
    if message is None:
        raise NotFound("No such email.")
    return render_template("devtools/message.html", message=message)
