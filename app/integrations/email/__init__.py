"""Email delivery: SendGrid when SENDGRID_API_KEY is set, else the dev outbox (nothing leaves)."""

from __future__ import annotations

from .base import OutgoingEmail, PermanentEmailError, SendResult
from .outbox import OutboxSender
from .sendgrid import SendGridSender

__all__ = ["OutgoingEmail", "PermanentEmailError", "SendResult", "provider_for"]


def provider_for(config):
    if config.get("SENDGRID_API_KEY"):
        return SendGridSender(
            config["SENDGRID_API_KEY"],
            host=config.get("SENDGRID_API_HOST"),
            timeout=config.get("OUTBOUND_TIMEOUT_SECONDS", 10),
        )
    return OutboxSender()
