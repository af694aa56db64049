"""Stripe through the official SDK (stripe 16.x): Checkout Sessions, refunds, the customer portal,
and the webhook signature.

Checkout carries our order id as `client_reference_id` and in the metadata of what it creates
(payment intent or subscription), so every later event leads back to the order. Each request that
creates something sends an idempotency key derived from our own ids. The SDK's own network retries
are off: a checkout that cannot start falls back to the next provider instead of keeping the
recruiter waiting, and refunds go through call_with_retries with the same key.
"""

from __future__ import annotations

import json

from ..http import RetryableError
from ..lazy import lazy_module
from ..webhooks import IncomingEvent, WebhookRejected, load_json
from .base import (
    DISPUTED,
    FAILED,
    PAID,
    QUEUE,
    REFUNDED,
    SUBSCRIPTION_CANCELED,
    SUBSCRIPTION_PAST_DUE,
    Checkout,
    CheckoutRequest,
    CheckoutUnavailable,
    PaymentEvent,
    ProviderError,
    guarded,
    our_order_id,
)

# Imported on first use: 9.5 MB a web worker that never takes a payment does without (integrations/lazy.py).
stripe = lazy_module("stripe")
# Seconds a signature's timestamp may be old: stripe.Webhook.DEFAULT_TOLERANCE (a constant, so that
# reading it does not import the SDK).
DEFAULT_TOLERANCE = 300

ORDER_KEY = "jobifies_order_id"


class StripePayments:
    name = "stripe"
    queue = QUEUE

    def __init__(
        self,
        secret_key: str | None,
        webhook_secret: str | None,
        api_base: str | None = None,
        timeout: float = 10,
        tolerance: int = DEFAULT_TOLERANCE,
    ):
        self.secret_key, self.webhook_secret = secret_key, webhook_secret
        self.tolerance = tolerance
        self.client = None
        if secret_key:
            self.client = stripe.StripeClient(
                secret_key,
                base_addresses={"api": api_base} if api_base else None,
                max_network_retries=0,
                http_client=stripe.RequestsClient(timeout=timeout),  # the SDK default is 80 s
            )

    @property
    def configured(self) -> bool:
        return bool(self.secret_key and self.webhook_secret)

    def _call(self, fn, attempts: int = 1):
        def attempt():
            try:
                return fn()
            except (stripe.APIConnectionError, stripe.RateLimitError) as error:
                raise RetryableError(f"Stripe unreachable or busy: {error.user_message or error}") from error
            except stripe.APIError as error:
                raise RetryableError(f"Stripe answered {error.http_status}: {error.user_message or error}") from error

        return guarded(self.name, attempt, attempts=attempts)

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        if self.client is None:
            raise CheckoutUnavailable("not configured")
        price = {
            "currency": request.currency.lower(),
            "unit_amount": request.amount,
            "product_data": {"name": request.description},
        }
        metadata = {ORDER_KEY: str(request.order_id)}
        params = {
            "mode": "subscription" if request.monthly else "payment",
            "line_items": [{"price_data": price, "quantity": 1}],
            "client_reference_id": str(request.order_id),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "metadata": metadata,
        }
        if request.monthly:
            price["recurring"] = {"interval": "month"}
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["payment_intent_data"] = {"metadata": metadata}
        if request.customer_id:
            params["customer"] = request.customer_id
        else:
            params["customer_email"] = request.customer_email
        try:
            session = self._call(
                lambda: self.client.v1.checkout.sessions.create(
                    params, options={"idempotency_key": request.idempotency_key}
                )
            )
        except stripe.StripeError as error:  # 4xx: a currency or amount Stripe refuses, a revoked key
            raise CheckoutUnavailable(
                f"Stripe refused the checkout ({error.http_status}): {error.user_message or error}"
            ) from error
        return Checkout(session.id, session.url)

    def refund(self, payment_id: str, amount: int, idempotency_key: str) -> str:
        """payment_id is a payment intent (pi_) or, for subscriptions, an invoice (in_)."""
        if self.client is None:
            raise ProviderError("Stripe is not configured")
        params = {"amount": amount}
        if payment_id.startswith("in_"):
            invoice = self._refund_call(lambda: self.client.v1.invoices.retrieve(payment_id))
            params["payment_intent"] = invoice.get("payment_intent")
        else:
            params["payment_intent"] = payment_id
        refund = self._refund_call(
            lambda: self.client.v1.refunds.create(params, options={"idempotency_key": idempotency_key})
        )
        return refund.id

    def _refund_call(self, fn):
        try:
            return self._call(fn, attempts=3)
        except CheckoutUnavailable as error:
            raise ProviderError(str(error)) from error
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe refused ({error.http_status}): {error.user_message or error}") from error

    def portal_url(self, customer_id: str, return_url: str) -> str:
        """A Stripe customer-portal session where the company manages its subscription."""
        if self.client is None:
            raise ProviderError("Stripe is not configured")
        try:
            session = self._call(
                lambda: self.client.v1.billing_portal.sessions.create(
                    {"customer": customer_id, "return_url": return_url}
                ),
                attempts=2,
            )
        except CheckoutUnavailable as error:
            raise ProviderError(str(error)) from error
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe refused ({error.http_status}): {error.user_message or error}") from error
        return session.url

    # --- webhooks --------------------------------------------------------------------------------------

    def verify(self, body: bytes, headers) -> None:
        if not self.webhook_secret:
            raise WebhookRejected("this endpoint is not configured to accept deliveries")
        try:
            stripe.WebhookSignature.verify_header(
                body.decode("utf-8"), headers.get("Stripe-Signature"), self.webhook_secret, self.tolerance
            )
        except UnicodeDecodeError:
            raise WebhookRejected("body is not UTF-8") from None
        except stripe.SignatureVerificationError as error:
            reason = "timestamp outside the tolerance" if "tolerance" in str(error) else "signature does not match"
            raise WebhookRejected(reason) from None

    def parse(self, body: bytes) -> list[IncomingEvent]:
        event = load_json(body)
        if not isinstance(event, dict) or not event.get("id") or not isinstance(event.get("data"), dict):
            raise WebhookRejected("expected a Stripe event object")
        return [
            IncomingEvent(
                str(event["id"])[:255], str(event.get("type", ""))[:80], json.dumps(event, separators=(",", ":"))
            )
        ]

    def interpret(self, event_type: str, payload: dict) -> PaymentEvent | None:
        obj = (payload.get("data") or {}).get("object") or {}
        if not isinstance(obj, dict):
            return None
        currency = str(obj.get("currency") or "").upper()[:3] or None
        if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            if obj.get("payment_status") != "paid":
                return None  # an async method still settling: async_payment_succeeded will follow
            monthly = obj.get("mode") == "subscription"
            return PaymentEvent(
                PAID,
                payment_id=_id(obj.get("invoice") if monthly else obj.get("payment_intent")),
                order_id=our_order_id(obj.get("client_reference_id")),
                provider_ref=_id(obj.get("id")),
                amount=_amount(obj.get("amount_total")),
                currency=currency,
                subscription_id=_id(obj.get("subscription")),
                customer_id=_id(obj.get("customer")),
            )
        if event_type in ("checkout.session.async_payment_failed", "checkout.session.expired"):
            return PaymentEvent(
                FAILED,
                order_id=our_order_id(obj.get("client_reference_id")),
                provider_ref=_id(obj.get("id")),
                detail="the checkout expired" if event_type.endswith("expired") else "the payment did not go through",
            )
        if event_type == "invoice.paid":
            details = obj.get("subscription_details") or (obj.get("parent") or {}).get("subscription_details") or {}
            return PaymentEvent(
                PAID,
                payment_id=_id(obj.get("id")),
                order_id=our_order_id((details.get("metadata") or {}).get(ORDER_KEY)),
                amount=_amount(obj.get("amount_paid")),
                currency=currency,
                subscription_id=_id(obj.get("subscription") or details.get("subscription")),
                customer_id=_id(obj.get("customer")),
                renewal=obj.get("billing_reason") == "subscription_cycle",
            )
        if event_type == "invoice.payment_failed":
            return PaymentEvent(
                SUBSCRIPTION_PAST_DUE, subscription_id=_id(obj.get("subscription")), detail="a renewal payment failed"
            )
        if event_type == "customer.subscription.deleted":
            return PaymentEvent(SUBSCRIPTION_CANCELED, subscription_id=_id(obj.get("id")))
        if event_type == "charge.refunded":
            return PaymentEvent(
                REFUNDED,
                payment_id=_id(obj.get("invoice") or obj.get("payment_intent")),
                amount=_amount(obj.get("amount_refunded")),
                currency=currency,
                refunded_in_full=bool(obj.get("refunded")),
            )
        if event_type == "charge.dispute.created":
            return PaymentEvent(
                DISPUTED,
                payment_id=_id(obj.get("payment_intent")),
                amount=_amount(obj.get("amount")),
                currency=currency,
                detail=str(obj.get("reason") or "")[:100],
            )
        return None


def _id(value) -> str | None:
    if isinstance(value, dict):  # an expanded object
        value = value.get("id")
    return str(value)[:255] if isinstance(value, str) and value else None


def _amount(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**12 else None
