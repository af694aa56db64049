"""Razorpay through the official SDK (razorpay 2.x): the Orders API, then Standard Checkout
(Checkout.js, which offers cards, UPI and net banking) on a page of ours.

The browser hands back razorpay_payment_id / razorpay_order_id / razorpay_signature; we check that
signature (HMAC of our stored order id | payment id with the key secret) only to say "payment
received". Credits come from the `payment.captured` / `order.paid` webhook, signed with the webhook
secret in `X-Razorpay-Signature` and deduplicated on `x-razorpay-event-id`.
"""

from __future__ import annotations

import json

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from ..http import RetryableError
from ..webhooks import IncomingEvent, WebhookRejected, clean_text, load_json
from .base import (
    DISPUTED,
    FAILED,
    PAID,
    QUEUE,
    REFUNDED,
    Checkout,
    CheckoutRequest,
    CheckoutUnavailable,
    PaymentEvent,
    ProviderError,
    guarded,
    our_order_id,
)

CHECKOUT_JS = "https://checkout.razorpay.com/v1/checkout.js"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"


class RazorpayPayments:
    name = "razorpay"
    queue = QUEUE
    reads_headers = True  # the event id travels in a header, not in the body

    def __init__(
        self,
        key_id: str | None,
        key_secret: str | None,
        webhook_secret: str | None,
        api_base: str | None = None,
        timeout: float = 10,
    ):
        self.key_id, self.key_secret, self.webhook_secret = key_id, key_secret, webhook_secret
        self.timeout = timeout
        self.client = None
        if key_id and key_secret:
            options = {"base_url": api_base} if api_base else {}
            self.client = razorpay.Client(auth=(key_id, key_secret), **options)  # SDK retries stay off

    @property
    def configured(self) -> bool:
        return bool(self.key_id and self.key_secret and self.webhook_secret)

    def _call(self, fn, attempts: int = 1):
        def attempt():
            try:
                return fn()
            except (requests.ConnectionError, requests.Timeout) as error:
                raise RetryableError(f"Razorpay unreachable: {error}") from error
            except (ServerError, GatewayError) as error:
                raise RetryableError(f"Razorpay failed: {error}") from error
            except requests.RequestException as error:  # a non-JSON answer, such as a proxy's 502 page
                raise RetryableError(f"Razorpay answered something unreadable: {error}") from error

        return guarded(self.name, attempt, attempts=attempts)

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        if self.client is None:
            raise CheckoutUnavailable("not configured")
        if request.monthly:
            raise CheckoutUnavailable("monthly plans are sold through Stripe only")
        data = {
            "amount": request.amount,
            "currency": request.currency,
            "receipt": f"jobifies-order-{request.order_id}",  # at most 40 characters
            "notes": {"jobifies_order_id": str(request.order_id)},
        }
        try:
            order = self._call(lambda: self.client.order.create(data=data, timeout=self.timeout))
        except BadRequestError as error:  # a currency the account does not accept, an amount too small
            raise CheckoutUnavailable(f"Razorpay refused the order: {error}") from error
        # Our page opens Checkout.js with this order (payments.checkout_options): no hosted URL.
        return Checkout(order["id"], None)

    def payment_received(self, stored_order_id: str, payment_id: str, signature: str) -> bool:
        """The browser's handler signature: HMAC-SHA256(key_secret, stored order id | payment id)."""
        if self.client is None or not (stored_order_id and payment_id and signature):
            return False
        try:
            return bool(
                self.client.utility.verify_payment_signature(
                    {
                        "razorpay_order_id": stored_order_id,
                        "razorpay_payment_id": payment_id,
                        "razorpay_signature": signature,
                    }
                )
            )
        except SignatureVerificationError:
            return False

    def refund(self, payment_id: str, amount: int, idempotency_key: str) -> str:
        if self.client is None:
            raise ProviderError("Razorpay is not configured")
        try:
            refund = self._call(
                lambda: self.client.payment.refund(
                    payment_id,
                    {"amount": amount, "receipt": idempotency_key[:40], "notes": {"jobifies_refund": idempotency_key}},
                    timeout=self.timeout,
                ),
                attempts=3,
            )
        except CheckoutUnavailable as error:
            raise ProviderError(str(error)) from error
        except BadRequestError as error:
            raise ProviderError(f"Razorpay refused the refund: {error}") from error
        return refund.get("id", "")

    # --- webhooks --------------------------------------------------------------------------------------

    def verify(self, body: bytes, headers) -> None:
        if not self.webhook_secret:
            raise WebhookRejected("this endpoint is not configured to accept deliveries")
        signature = headers.get("X-Razorpay-Signature")
        if not signature:
            raise WebhookRejected("missing signature header")
        if not headers.get(EVENT_ID_HEADER):
            raise WebhookRejected("missing x-razorpay-event-id header")
        try:
            # The SDK wants the body as a str; the HMAC is over its UTF-8 bytes, exactly as sent.
            razorpay.Utility(None).verify_webhook_signature(body.decode("utf-8"), signature, self.webhook_secret)
        except (SignatureVerificationError, UnicodeDecodeError):
            raise WebhookRejected("signature does not match the body") from None

    def parse(self, body: bytes, headers) -> list[IncomingEvent]:
        event = load_json(body)
        if not isinstance(event, dict) or not isinstance(event.get("payload"), dict):
            raise WebhookRejected("expected a Razorpay event object")
        event_id = clean_text(str(headers.get(EVENT_ID_HEADER) or ""))[:255]
        return [IncomingEvent(event_id, str(event.get("event", ""))[:80], json.dumps(event, separators=(",", ":")))]

    def interpret(self, event_type: str, payload: dict) -> PaymentEvent | None:
        entities = payload.get("payload") or {}
        payment = _entity(entities, "payment")
        if event_type in ("payment.captured", "order.paid"):
            order = _entity(entities, "order")
            return PaymentEvent(
                PAID,
                payment_id=_text(payment.get("id")),
                order_id=our_order_id(
                    (payment.get("notes") or {}).get("jobifies_order_id")
                    or (order.get("notes") or {}).get("jobifies_order_id")
                ),
                provider_ref=_text(payment.get("order_id") or order.get("id")),
                amount=_amount(payment.get("amount")),
                currency=_text(payment.get("currency"), 3),
            )
        if event_type == "payment.failed":
            return PaymentEvent(
                FAILED,
                payment_id=_text(payment.get("id")),
                provider_ref=_text(payment.get("order_id")),
                detail=_text(payment.get("error_description"), 200) or "",
            )
        if event_type in ("refund.processed", "payment.refunded"):
            refund = _entity(entities, "refund")
            full = payment.get("amount_refunded") == payment.get("amount") if payment else True
            return PaymentEvent(
                REFUNDED,
                payment_id=_text(refund.get("payment_id") or payment.get("id")),
                amount=_amount(refund.get("amount")),
                refunded_in_full=bool(full),
            )
        if event_type == "payment.dispute.created":
            dispute = _entity(entities, "dispute")
            return PaymentEvent(
                DISPUTED,
                payment_id=_text(dispute.get("payment_id") or payment.get("id")),
                amount=_amount(dispute.get("amount")),
            )
        return None


def _entity(entities: dict, name: str) -> dict:
    wrapper = entities.get(name) if isinstance(entities, dict) else None
    entity = wrapper.get("entity") if isinstance(wrapper, dict) else None
    return entity if isinstance(entity, dict) else {}


def _text(value, limit: int = 255) -> str | None:
    return str(value)[:limit] if isinstance(value, str) and value else None


def _amount(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**12 else None
