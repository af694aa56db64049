"""Email delivery: SendGrid when SENDGRID_API_KEY is set, else the dev outbox (nothing leaves)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class OutgoingEmail:
    message_id: int
    to: str
    subject: str
    html: str
    text: str
    headers: dict
    from_address: str


@dataclass
class SendResult:
    provider: str
    provider_message_id: str | None


class PermanentEmailError(RuntimeError):
    """The provider refused the message for good (e.g. 400): retrying will not help."""


def provider_for(config):
    if config.get("SENDGRID_API_KEY"):
        from .sendgrid import SendGridSender
        return SendGridSender(config["SENDGRID_API_KEY"], host=config.get("SENDGRID_API_HOST"),
                              timeout=config.get("OUTBOUND_TIMEOUT_SECONDS", 10))
    from .outbox import OutboxSender
    return OutboxSender()
