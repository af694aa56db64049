"""The SendGrid Event Webhook: ECDSA signature check and batch parsing (no Flask here)."""

from __future__ import annotations

import binascii
import json
import logging
import time

from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader

from ..webhooks import IncomingEvent, WebhookRejected, load_json, unix_timestamp

log = logging.getLogger(__name__)


class SendGridEventWebhook:
    name = "sendgrid"
    queue = "low"  # email events are the least urgent

    def __init__(self, public_key: str | None, max_age_seconds: int = 600):
        self.verifier = EventWebhook(public_key) if public_key else None
        self.max_age_seconds = max_age_seconds

    def verify(self, body: bytes, headers) -> None:
        if self.verifier is None:
            # Said to the sender, so it names no setting; the operator reads the setting's name here.
            log.warning("SendGrid event webhook received, but SENDGRID_WEBHOOK_PUBLIC_KEY is not set")
            raise WebhookRejected("this endpoint is not configured to accept deliveries")
        signature = headers.get(EventWebhookHeader.SIGNATURE)
        timestamp = headers.get(EventWebhookHeader.TIMESTAMP)
        if not signature or not timestamp:
            raise WebhookRejected("missing signature or timestamp header")
        age = time.time() - unix_timestamp(timestamp)
        # The SDK does not check the age; without this a captured request could be replayed forever.
        if abs(age) > self.max_age_seconds:
            raise WebhookRejected(f"timestamp is {int(age)} s old (limit {self.max_age_seconds} s)")
        try:
            payload = body.decode("utf-8")
            valid = self.verifier.verify_signature(payload, signature, timestamp)
        except (UnicodeDecodeError, binascii.Error, ValueError):
            valid = False
        if not valid:
            raise WebhookRejected("signature does not match the body")

    def parse(self, body: bytes) -> list[IncomingEvent]:
        events = load_json(body)
        if not isinstance(events, list):
            raise WebhookRejected("expected a JSON array of events")
        parsed = []
        for event in events:
            if not isinstance(event, dict) or not event.get("sg_event_id"):
                raise WebhookRejected("every event needs an sg_event_id")
            parsed.append(
                IncomingEvent(
                    event_id=str(event["sg_event_id"])[:255],
                    event_type=str(event.get("event", ""))[:80],
                    payload=json.dumps(event, separators=(",", ":")),
                )
            )
        return parsed
