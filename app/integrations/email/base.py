"""What every email sender takes and gives back."""

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
