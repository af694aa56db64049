"""SMS and WhatsApp: Twilio when TWILIO_ACCOUNT_SID is set, else the dev outbox (nothing leaves)."""

from __future__ import annotations

from .base import OutgoingText, PermanentTextError, TextResult
from .twilio import OutboxTextSender, TwilioTextSender, TwilioWebhook

__all__ = [
    "OutboxTextSender",
    "OutgoingText",
    "PermanentTextError",
    "TextResult",
    "TwilioTextSender",
    "TwilioWebhook",
    "text_sender_for",
]

_senders: dict = {}


def text_sender_for(config):
    """The sender for this configuration, cached (the Twilio client keeps a connection pool)."""
    if not config.get("TWILIO_ACCOUNT_SID"):
        return OutboxTextSender()
    key = tuple(
        config.get(name)
        for name in (
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
            "TWILIO_PHONE_NUMBER",
            "TWILIO_MESSAGING_SERVICE_SID",
            "TWILIO_WHATSAPP_FROM",
            "TWILIO_API_BASE",
            "OUTBOUND_TIMEOUT_SECONDS",
        )
    )
    if key not in _senders:
        _senders[key] = TwilioTextSender(*key)
    return _senders[key]
