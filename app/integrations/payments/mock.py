"""The mock provider: the embedded default, so the whole paid flow runs with no keys (`make run`,
the demo, the tests).

Its "hosted page" is a page of our own with Pay and Decline. Whatever the buyer picks, the provider
side sends a signed webhook through the same gateway as the real providers (POST /webhooks/mock
semantics: verified, stored once per event id, processed by a worker), so credits are granted the
same way. Signed like Stripe: `Mock-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
Never available in production (app/config.py refuses it there).
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from urllib.parse import quote

from ..webhooks import IncomingEvent, WebhookRejected, load_json, unix_timestamp
from .base import (
    DISPUTED,
    FAILED,
    PAID,
    QUEUE,
    REFUNDED,
    Checkout,
    CheckoutRequest,
    PaymentEvent,
    hmac_sha256_hex,
    our_order_id,
)

SIGNATURE_HEADER = "Mock-Signature"
EVENT_KINDS = {
    "payment.succeeded": PAID,
    "payment.declined": FAILED,
    "payment.refunded": REFUNDED,
    "payment.disputed": DISPUTED,
}


class MockPayments:
    name = "mock"
    queue = QUEUE

    def __init__(self, secret: str | None, base_url: str | None = None, max_age_seconds: int = 600):
        self.secret = secret or ""
        self.base_url = (base_url or "").rstrip("/")
        self.max_age_seconds = max_age_seconds

    @property
    def configured(self) -> bool:
        return bool(self.secret)

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        reference = f"mock_{request.order_id}_{secrets.token_hex(6)}"
        return Checkout(reference, f"{self.base_url}/billing/mock-checkout/{quote(reference)}")

    def refund(self, payment_id: str, amount: int, idempotency_key: str) -> str:
        return f"mock_refund_{payment_id}"  # the refund webhook is sent by the caller's mock delivery

    # --- the provider's side: what it sends --------------------------------------------------------

    def delivery(
        self,
        event_type: str,
        order_id: int,
        reference: str,
        amount: int,
        currency: str,
        payment_id: str | None = None,
        timestamp: int | None = None,
    ) -> tuple[bytes, dict]:
        """A signed webhook delivery (body, headers), as the provider would POST it."""
        payment_id = payment_id or f"mock_pay_{order_id}_{reference.rsplit('_', 1)[-1]}"
        body = json.dumps(
            {
                "id": f"mock_evt_{secrets.token_hex(8)}",
                "type": event_type,
                "created": int(time.time()),
                "data": {
                    "order_id": order_id,
                    "reference": reference,
                    "payment_id": payment_id,
                    "amount": amount,
                    "currency": currency,
                },
            }
        ).encode()
        return body, {"Content-Type": "application/json", SIGNATURE_HEADER: self.sign(body, timestamp)}

    def sign(self, body: bytes, timestamp: int | None = None) -> str:
        timestamp = int(time.time()) if timestamp is None else timestamp
        return f"t={timestamp},v1={hmac_sha256_hex(self.secret, str(timestamp).encode() + b'.' + body)}"

    # --- the gateway's adapter -------------------------------------------------------------------------

    def verify(self, body: bytes, headers) -> None:
        if not self.secret:
            raise WebhookRejected("this endpoint is not configured to accept deliveries")
        parts = dict(item.split("=", 1) for item in (headers.get(SIGNATURE_HEADER) or "").split(",") if "=" in item)
        if "t" not in parts or "v1" not in parts:
            raise WebhookRejected("missing signature header")
        timestamp = unix_timestamp(parts["t"])
        age = time.time() - timestamp
        if abs(age) > self.max_age_seconds:
            raise WebhookRejected(f"timestamp is {int(age)} s old (limit {self.max_age_seconds} s)")
        expected = hmac_sha256_hex(self.secret, str(timestamp).encode() + b"." + body)
        if not hmac.compare_digest(expected, parts["v1"]):
            raise WebhookRejected("signature does not match the body")

    def parse(self, body: bytes) -> list[IncomingEvent]:
        event = load_json(body)
        if not isinstance(event, dict) or not event.get("id") or not isinstance(event.get("data"), dict):
            raise WebhookRejected("expected an event object with an id")
        return [
            IncomingEvent(
                str(event["id"])[:255], str(event.get("type", ""))[:80], json.dumps(event, separators=(",", ":"))
            )
        ]

    def interpret(self, event_type: str, payload: dict) -> PaymentEvent | None:
        kind = EVENT_KINDS.get(event_type)
        data = payload.get("data") or {}
        if kind is None or not isinstance(data, dict):
            return None
        amount = data.get("amount")
        return PaymentEvent(
            kind=kind,
            payment_id=str(data.get("payment_id") or "")[:255] or None,
            order_id=our_order_id(data.get("order_id")),
            provider_ref=str(data.get("reference") or "")[:255] or None,
            amount=amount if isinstance(amount, int) and amount >= 0 else None,
            currency=str(data.get("currency") or "").upper()[:3] or None,
        )
