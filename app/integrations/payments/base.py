"""The one small interface every payment provider implements (no Flask, no models, no services).

start_checkout(CheckoutRequest) -> Checkout       a hosted page the buyer goes to; card data never
                                                  touches our server. Raises CheckoutUnavailable
                                                  when this provider cannot take the order now
                                                  (not configured, circuit open, timeout, 5xx,
                                                  currency or plan refused): the orchestrator
                                                  then tries the next provider in the chain.
verify(body, headers) / parse(body)                the webhook gateway's adapter contract
interpret(event_type, payload) -> PaymentEvent     what a stored event means, in our terms (None:
                                                  nothing for us)
refund(payment_id, amount, idempotency_key)        ask for a refund; its webhook confirms it
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..http import CircuitOpenError, RetryableError, call_with_retries

QUEUE = "high"  # payment webhooks grant what people paid for: first in line


class CheckoutUnavailable(Exception):
    """This provider cannot start a checkout for this order now; the message is for the audit log."""


class ProviderError(Exception):
    """A call other than starting a checkout failed (a refund, a capture); the message says why."""


@dataclass(frozen=True)
class CheckoutRequest:
    order_id: int
    amount: int  # minor units
    currency: str  # ISO 4217, upper case
    description: str  # the plan's name
    monthly: bool  # a subscription rather than a one-time payment
    customer_email: str
    success_url: str
    cancel_url: str
    method: str = "card"
    country: str = ""
    customer_id: str | None = None  # the company's existing customer at this provider

    @property
    def idempotency_key(self) -> str:
        """Stable per order: a retried "start checkout" never opens a second one at the provider."""
        return f"jobifies-order-{self.order_id}-checkout"


@dataclass(frozen=True)
class Checkout:
    provider_ref: str  # the checkout session / order id at the provider
    redirect_url: str | None  # the hosted page; None when our own page opens the provider's widget


# What a provider's event means for us.
PAID, FAILED, REFUNDED, DISPUTED = "paid", "failed", "refunded", "disputed"
SUBSCRIPTION_CANCELED, SUBSCRIPTION_PAST_DUE = "subscription_canceled", "subscription_past_due"


@dataclass(frozen=True)
class PaymentEvent:
    kind: str
    payment_id: str | None = None  # the provider's payment id: the key of the grant
    order_id: int | None = None  # our order id, when the provider carried it back
    provider_ref: str | None = None  # the checkout's id at the provider (finds the order otherwise)
    amount: int | None = None
    currency: str | None = None
    subscription_id: str | None = None
    customer_id: str | None = None
    renewal: bool = False
    refunded_in_full: bool = True
    detail: str = ""


def our_order_id(value) -> int | None:
    """Our order id as carried in a provider's metadata; None for anything that is not one."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def to_minor_units(value) -> int | None:
    """ "49.00" -> 4900 (PayPal sends decimal strings); None when not a sane amount."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount > 10**9:
        return None
    return int(amount * 100)


def to_decimal_string(amount: int) -> str:
    return f"{Decimal(amount) / 100:.2f}"


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def guarded(provider: str, fn, *, attempts: int = 1):
    """Call fn through the provider's circuit breaker; CheckoutUnavailable for anything that means
    "not now" (open circuit, RetryableError after `attempts`)."""
    try:
        return call_with_retries(f"payments.{provider}", fn, attempts=attempts, base_delay=0.2)
    except CircuitOpenError as error:
        raise CheckoutUnavailable(f"circuit open: {error}") from error
    except RetryableError as error:
        raise CheckoutUnavailable(str(error)) from error
