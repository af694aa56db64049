"""Real signatures made the documented way, for webhook tests."""

from __future__ import annotations

import base64
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


class SendGridSigner:
    """A P-256 key pair like the one SendGrid signs its Event Webhook with."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(der).decode()  # as shown in SendGrid's settings

    def headers(self, body: str, timestamp: int | None = None) -> dict:
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.private_key.sign((timestamp + body).encode(), ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        }


def sendgrid_event(
    event_id: str, event: str = "delivered", email: str = "someone@example.com", message_id: int | None = None, **extra
) -> dict:
    data = {
        "sg_event_id": event_id,
        "event": event,
        "email": email,
        "timestamp": int(time.time()),
        "sg_message_id": "fake-sg-1.filter0001",
        **extra,
    }
    if message_id is not None:
        data["jobifies_message_id"] = str(message_id)
    return data


def batch(*events) -> str:
    return json.dumps(list(events))
