"""The dev outbox: 'sending' only records the message; the /dev/outbox page shows it."""

from .base import OutgoingEmail, SendResult


class OutboxSender:
    name = "outbox"

    def send(self, email: OutgoingEmail) -> SendResult:
        return SendResult(provider=self.name, provider_message_id=f"outbox-{email.message_id}")
