from __future__ import annotations

from dataclasses import dataclass


@dataclass
class OutgoingText:
    to: str  # E.164
    body: str
    whatsapp: bool = False
    status_callback: str | None = None


@dataclass
class TextResult:
    provider: str
    provider_message_id: str
    status: str = "sent"


class PermanentTextError(RuntimeError):
    """The provider refused the message for good (invalid number, unsubscribed recipient...).
    `opted_out` is True when the refusal is the recipient's STOP."""

    def __init__(self, message: str, opted_out: bool = False):
        super().__init__(message)
        self.opted_out = opted_out
