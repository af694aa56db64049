"""The payment orchestrator: orders, provider selection, fallback, and what confirmed payments grant.

- Selection: India + UPI or net banking -> Razorpay; "Pay with PayPal" -> PayPal; else Stripe.
- Fallback: a provider that cannot start a checkout (not configured, circuit open, timeout, 5xx, a
  currency or plan it refuses) passes the order to the next one in PAYMENT_PROVIDERS; every try is
  a PaymentAttempt row (provider, fallback_from, error). When none can, the order fails with a calm
  message and nothing is charged.
- Webhooks, not browser redirects, are the truth: credits are granted only by handle_event, called
  by the webhook gateway's worker. A Payment row is unique per (provider, provider payment id) and
  inserted with ON CONFLICT DO NOTHING, so a payment grants once however often, in whatever order
  and however concurrently its events arrive; a refund seen before its capture leaves a row that
  makes the late capture grant nothing.

Services flush and never commit; routes and tasks commit.
"""

from __future__ import annotations

import logging
import re

from flask import current_app
from sqlalchemy import or_, select, update

from ..database import insert_ignore
from ..errors import AppError, ExternalServiceError, NotFound, ValidationError
from ..extensions import db
from ..integrations.payments import PROVIDER_CLASSES, PROVIDER_SETTINGS, CheckoutRequest, CheckoutUnavailable
from ..integrations.payments import base as provider_events
from ..integrations.payments.base import PaymentEvent, ProviderError
from ..integrations.payments.razorpay import CHECKOUT_JS
from ..links import absolute_url
from ..models import (
    AttemptStatus,
    BillingProfile,
    Company,
    CreditReason,
    Job,
    Order,
    OrderStatus,
    Payment,
    PaymentAttempt,
    PaymentMethod,
    PaymentStatus,
    Plan,
    ReceiptCounter,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    utcnow,
)
from ..tasks import enqueue
from ..telemetry import metrics
from . import audit, credits, jobs
from .notifications import queue_email

log = logging.getLogger(__name__)
ALL_DOWN_MESSAGE = (
    "We could not open a checkout with any of our payment providers just now. Nothing was charged. "
    "Please try again in a few minutes."
)
METHOD_LABELS = {
    PaymentMethod.CARD: "Card",
    PaymentMethod.UPI: "UPI (India)",
    PaymentMethod.NETBANKING: "Net banking (India)",
    PaymentMethod.PAYPAL: "PayPal",
}
COUNTRY = re.compile(r"^[A-Z]{2}$")
PROVIDER_NAMES = tuple(PROVIDER_CLASSES)
RAZORPAY_CHECKOUT_JS = CHECKOUT_JS  # the script our Razorpay page loads (its CSP allows that host)


# --- providers ------------------------------------------------------------------------------------


def gateway(name: str):
    """The provider client for `name`, built from its settings and cached per configuration."""
    config = current_app.config
    key = (name, *(config.get(setting) for setting in PROVIDER_SETTINGS[name]))
    cache = current_app.extensions.setdefault("jobifies_payment_providers", {})
    if key not in cache:
        cache[key] = PROVIDER_CLASSES[name](*key[1:])
    return cache[key]


def chain() -> list[str]:
    """PAYMENT_PROVIDERS in order, without the providers that are not configured."""
    return [name for name in current_app.config["PAYMENT_PROVIDERS"] if gateway(name).configured]


def select_provider(country: str, method: str, currency: str) -> str:
    """The seed's rule (technical architecture §6.1)."""
    if method == PaymentMethod.PAYPAL:
        return "paypal"
    if country == "IN" and method in (PaymentMethod.UPI, PaymentMethod.NETBANKING):
        return "razorpay"
    return "stripe"


# --- orders and checkout ----------------------------------------------------------------------------


def billing_profile(company: Company) -> BillingProfile:
    profile = db.session.scalar(select(BillingProfile).where(BillingProfile.company_id == company.id))
    if profile is None:
        insert_ignore(
            BillingProfile, {"company_id": company.id, "country": "", "address": "", "tax_id": ""}, ["company_id"]
        )
        profile = db.session.scalar(select(BillingProfile).where(BillingProfile.company_id == company.id))
    return profile


def update_billing_profile(company: Company, actor, country: str, address: str, tax_id: str) -> BillingProfile:
    """The buyer's details on receipts. Flushes."""
    country = (country or "").strip().upper()
    if country and not COUNTRY.match(country):
        raise ValidationError("Use the two-letter country code, such as US, DE or IN.", field="country")
    profile = billing_profile(company)
    profile.country, profile.address, profile.tax_id = (
        country,
        (address or "").strip()[:1000],
        (tax_id or "").strip()[:40],
    )
    audit.record(actor, "billing.profile_updated", company, country=country)
    db.session.flush()
    return profile


def create_order(
    company: Company, buyer, plan_id: int, currency: str, method: str, country: str, job_id: int | None = None
) -> Order:
    """An order for an active plan, with the provider the rules select recorded on it. Flushes."""
    plan = db.session.get(Plan, plan_id) if plan_id else None
    if plan is None or plan.is_archived:
        raise ValidationError("Choose one of the plans on offer.", field="plan_id")
    currency = (currency or "").upper()
    if currency not in (plan.prices or {}):
        raise ValidationError(f"{plan.name} is not sold in {currency or 'that currency'}.", field="currency")
    if method not in tuple(PaymentMethod):
        raise ValidationError("Choose how you would like to pay.", field="method")
    country = (country or "").strip().upper()
    if not COUNTRY.match(country):
        raise ValidationError("Use the two-letter country code, such as US, DE or IN.", field="country")
    if method in (PaymentMethod.UPI, PaymentMethod.NETBANKING) and (country != "IN" or currency != "INR"):
        raise ValidationError("UPI and net banking are for payments in rupees (INR) from India.", field="method")
    job = None
    if job_id:
        job = db.session.get(Job, job_id)
        if job is None or job.company_id != company.id:
            raise NotFound("No such job in your company.")
    order = Order(
        company_id=company.id,
        plan_id=plan.id,
        created_by_id=buyer.id,
        job_id=job.id if job else None,
        interval=plan.interval,
        currency=currency,
        amount=int(plan.prices[currency]),
        country=country,
        method=method,
        selected_provider=select_provider(country, method, currency),
        status=OrderStatus.PENDING,
    )
    db.session.add(order)
    profile = billing_profile(company)
    if not profile.country:
        profile.country = country
    db.session.flush()
    return order


def _checkout_request(order: Order, buyer_email: str) -> CheckoutRequest:
    customer = None
    if order.interval == "monthly":
        customer = billing_profile(order.company).stripe_customer_id
    return CheckoutRequest(
        order_id=order.id,
        amount=order.amount,
        currency=order.currency,
        description=f"{order.plan.name} ({current_app.config['SITE_NAME']})",
        monthly=order.interval == "monthly",
        customer_email=buyer_email,
        success_url=absolute_url("billing.order_return", order_id=order.id),
        cancel_url=absolute_url("billing.order_cancelled", order_id=order.id),
        method=order.method,
        country=order.country,
        customer_id=customer,
    )


def start_checkout(order: Order, buyer_email: str) -> Order:
    """Open a hosted checkout with the selected provider, or the next in the chain that can.

    Every provider asked is recorded as a PaymentAttempt. Returns the order: awaiting_payment with
    its checkout, or failed (status and message set) when no provider could start one; the caller
    commits either way, so the attempts stay on record. Flushes.
    """
    configured = chain()
    candidates = [order.selected_provider] + [name for name in configured if name != order.selected_provider]
    request = _checkout_request(order, buyer_email)
    previous = None
    for name in candidates:
        attempt = PaymentAttempt(order_id=order.id, provider=name, fallback_from=previous, status=AttemptStatus.FAILED)
        db.session.add(attempt)
        if name not in configured:
            attempt.error = "not configured"
            previous = name
            continue
        try:
            checkout = gateway(name).start_checkout(request)
        except CheckoutUnavailable as error:
            log.warning("Order %s: %s could not start a checkout: %s", order.id, name, error)
            attempt.error = str(error)[:2000]
            previous = name
            continue
        attempt.status, attempt.provider_ref = AttemptStatus.STARTED, checkout.provider_ref
        order.provider, order.provider_ref = name, checkout.provider_ref
        order.fallback_from = order.selected_provider if name != order.selected_provider else None
        order.checkout_url = checkout.redirect_url
        order.status = OrderStatus.AWAITING_PAYMENT
        db.session.flush()
        return order
    order.status, order.failure_message = OrderStatus.FAILED, ALL_DOWN_MESSAGE
    db.session.flush()
    return order


def checkout_options(order: Order) -> dict:
    """What our Razorpay page hands Checkout.js (the provider's widget; no card data reaches us).
    UPI and net banking are methods inside Standard Checkout: the recruiter's choice opens first."""
    provider = gateway("razorpay")
    return {
        "key": provider.key_id,
        "order_id": order.provider_ref,
        "amount": order.amount,
        "currency": order.currency,
        "name": current_app.config["SITE_NAME"],
        "description": order.plan.name,
        "prefill": {"email": order.created_by.email if order.created_by else "", "method": order.method},
        "notes": {"jobifies_order_id": str(order.id)},
    }


def get_order(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order.")
    return order


def get_company_order(company: Company | None, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or company is None or order.company_id != company.id:
        raise NotFound("No such order.")
    return order


def browser_payment_received(order: Order, payment_id: str, provider_order_id: str, signature: str) -> bool:
    """Razorpay's handler came back: is its signature genuine for the order id we stored? Only for
    saying "payment received"; the webhook grants."""
    if order.provider != "razorpay" or not order.provider_ref:
        return False
    return gateway("razorpay").payment_received(order.provider_ref, payment_id[:100], signature[:200])


def paypal_returned(order: Order, token: str) -> str:
    """The buyer approved at PayPal: capture (idempotent per order). Returns PayPal's capture status.
    Raises ExternalServiceError with a calm message if PayPal cannot be reached."""
    if order.provider != "paypal" or token != order.provider_ref or order.status != OrderStatus.AWAITING_PAYMENT:
        return ""
    try:
        return gateway("paypal").capture(order.provider_ref, order.id)
    except ProviderError as error:
        log.warning("Order %s: PayPal capture failed: %s", order.id, error)
        raise ExternalServiceError(
            "PayPal did not confirm the payment yet. If you were charged, your credits "
            "arrive as soon as PayPal tells us; nothing is charged twice."
        ) from error


def get_mock_checkout(company: Company | None, reference: str) -> Order:
    """The order behind a mock checkout page, if it is this company's."""
    order = db.session.scalar(select(Order).where(Order.provider == "mock", Order.provider_ref == reference[:255]))
    if order is None or company is None or order.company_id != company.id:
        raise NotFound("No such checkout.")
    return order


def mock_decision(company: Company, reference: str, paid: bool) -> Order:
    """The buyer pressed Pay or Decline on the mock provider's page: the provider's side sends its
    signed webhook (a background job posts it through the gateway). Flushes."""
    order = get_mock_checkout(company, reference)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        enqueue("payments.mock_deliver", order.id, "payment.succeeded" if paid else "payment.declined")
    return order


def mock_delivery(order_id: int, event_type: str) -> tuple[bytes, dict]:
    """The mock provider's signed webhook for an order (for the task that delivers it)."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order.")
    payment_id = None
    if event_type != "payment.succeeded":
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == "mock"))
        payment_id = payment.provider_payment_id if payment else None
    return gateway("mock").delivery(
        event_type, order.id, order.provider_ref or "", order.amount, order.currency, payment_id=payment_id
    )


# --- events -------------------------------------------------------------------------------------------


def handle_event(provider_name: str, event_type: str, payload: dict) -> str:
    """Process one stored webhook event of a payment provider: "processed" or "ignored". Idempotent;
    flushes (the webhook worker commits)."""
    event = gateway(provider_name).interpret(event_type, payload)
    if event is None:
        return "ignored"
    handler = {
        provider_events.PAID: _paid,
        provider_events.FAILED: _failed,
        provider_events.REFUNDED: _reversed,
        provider_events.DISPUTED: _reversed,
        provider_events.SUBSCRIPTION_CANCELED: _subscription_status,
        provider_events.SUBSCRIPTION_PAST_DUE: _subscription_status,
    }[event.kind]
    return handler(provider_name, event)


def _find_order(provider_name: str, event: PaymentEvent) -> Order | None:
    if event.order_id is not None:
        order = db.session.get(Order, event.order_id)
        if order is not None:
            return order
    if event.provider_ref:
        return db.session.scalar(
            select(Order).where(Order.provider == provider_name, Order.provider_ref == event.provider_ref)
        )
    return None


def _subscription(provider_name: str, subscription_id: str | None) -> Subscription | None:
    if not subscription_id:
        return None
    return db.session.scalar(
        select(Subscription).where(
            Subscription.provider == provider_name, Subscription.provider_subscription_id == subscription_id
        )
    )


def _payment(provider_name: str, payment_id: str) -> Payment | None:
    return db.session.scalar(
        select(Payment).where(Payment.provider == provider_name, Payment.provider_payment_id == payment_id)
    )


def _next_receipt_number() -> int:
    # The counter row's lock is held until the grant commits: numbers without gaps or repeats.
    insert_ignore(ReceiptCounter, {"id": 1, "last_number": 0}, ["id"])
    return db.session.execute(
        update(ReceiptCounter)
        .where(ReceiptCounter.id == 1)
        .values(last_number=ReceiptCounter.last_number + 1)
        .returning(ReceiptCounter.last_number)
    ).scalar_one()


def _paid(provider_name: str, event: PaymentEvent) -> str:
    if not event.payment_id:
        raise ValueError(f"{provider_name} reported a payment without a payment id")
    order = _find_order(provider_name, event)
    subscription = _subscription(provider_name, event.subscription_id)
    plan = order.plan if order is not None else (subscription.plan if subscription is not None else None)
    company_id = order.company_id if order is not None else (subscription.company_id if subscription else None)
    if plan is None or company_id is None:
        raise LookupError(f"no order for {provider_name} payment {event.payment_id}")
    now = utcnow()
    values = {
        "provider": provider_name,
        "provider_payment_id": event.payment_id,
        "order_id": order.id if order else None,
        "company_id": company_id,
        "provider_subscription_id": event.subscription_id,
        "renewal": event.renewal,
        "amount": event.amount if event.amount is not None else (order.amount if order else 0),
        "currency": event.currency or (order.currency if order else ""),
        "amount_refunded": 0,
        "status": PaymentStatus.PAID,
        "paid_at": now,
        "created_at": now,
        "updated_at": now,
    }
    if not insert_ignore(Payment, values, ["provider", "provider_payment_id"]):
        payment = _payment(provider_name, event.payment_id)
        if payment.company_id is None:  # a refund or dispute got here first: fill in, grant nothing
            for name in ("order_id", "company_id", "amount", "currency", "paid_at", "provider_subscription_id"):
                setattr(payment, name, values[name])
            db.session.flush()
        return "processed"
    payment = _payment(provider_name, event.payment_id)
    payment.receipt_number = _next_receipt_number()
    metrics.payment(provider_name, "paid", payment.currency)
    credits.grant_for_payment(payment, plan.posting_credits, plan.posting_days, plan.featured_days, event.renewal)
    if order is not None and order.status != OrderStatus.PAID:
        order.status, order.paid_at, order.failure_message = OrderStatus.PAID, now, None
    if event.subscription_id and subscription is None and order is not None:
        insert_ignore(
            Subscription,
            {
                "company_id": company_id,
                "plan_id": plan.id,
                "order_id": order.id,
                "provider": provider_name,
                "provider_subscription_id": event.subscription_id,
                "status": SubscriptionStatus.ACTIVE,
                "created_at": now,
                "updated_at": now,
            },
            ["provider", "provider_subscription_id"],
        )
    if event.customer_id and provider_name == "stripe":
        billing_profile(db.session.get(Company, company_id)).stripe_customer_id = event.customer_id
    db.session.flush()
    _publish_waiting_job(order)
    _email_receipt(payment, order)
    return "processed"


def _publish_waiting_job(order: Order | None) -> None:
    """The recruiter pressed Publish without credits and paid: publish that job now."""
    if order is None or order.job is None or order.job.is_open:
        return
    actor = order.created_by
    try:
        jobs.publish_job(order.job, actor)
    except AppError as error:  # unverified address, credits already used elsewhere: they publish by hand
        log.info("Order %s paid but job %s stays unpublished: %s", order.id, order.job_id, error.message)


def _email_receipt(payment: Payment, order: Order | None) -> None:
    to = order.created_by.email if order is not None and order.created_by is not None else None
    if to is None:
        return
    queue_email(
        to,
        "payment_receipt",
        user=order.created_by,
        receipt=payment.receipt_label,
        amount=format_money(payment.amount, payment.currency),
        plan=order.plan.name,
        company=order.company.name,
        link=absolute_url("billing.receipt", payment_id=payment.id),
    )


def _failed(provider_name: str, event: PaymentEvent) -> str:
    order = _find_order(provider_name, event)
    if order is None or order.status == OrderStatus.PAID:
        return "ignored"  # Razorpay: a failed attempt may well be followed by a capture
    order.status = OrderStatus.FAILED
    metrics.payment(provider_name, "failed", order.currency)
    order.failure_message = f"The payment did not go through ({event.detail or 'declined'}). Nothing was charged."
    db.session.flush()
    return "processed"


def _reversed(provider_name: str, event: PaymentEvent) -> str:
    """A refund or a dispute: revoke what the payment granted, once."""
    if not event.payment_id:
        raise ValueError(f"{provider_name} reported a refund or dispute without a payment id")
    disputed = event.kind == provider_events.DISPUTED
    if not disputed and not event.refunded_in_full:
        payment = _payment(provider_name, event.payment_id)
        if payment is not None and event.amount is not None:
            payment.amount_refunded = max(payment.amount_refunded, event.amount)
            db.session.flush()
        return "processed"  # a partial refund keeps the credits (the admin decides)
    now = utcnow()
    status = PaymentStatus.DISPUTED if disputed else PaymentStatus.REFUNDED
    insert_ignore(
        Payment,
        {
            "provider": provider_name,
            "provider_payment_id": event.payment_id,
            "status": status,
            "amount": 0,
            "currency": event.currency or "",
            "amount_refunded": event.amount or 0,
            "renewal": False,
            "refunded_at": now,
            "created_at": now,
            "updated_at": now,
        },
        ["provider", "provider_payment_id"],
    )
    payment = _payment(provider_name, event.payment_id)
    if payment.status in (PaymentStatus.PAID, PaymentStatus.REFUND_PENDING):
        payment.status, payment.refunded_at = status, now
        if not disputed:
            payment.amount_refunded = event.amount if event.amount is not None else payment.amount
    credits.revoke_for_payment(payment, CreditReason.DISPUTE if disputed else CreditReason.REFUND)
    metrics.payment(provider_name, str(status), payment.currency)
    db.session.flush()
    return "processed"


def _subscription_status(provider_name: str, event: PaymentEvent) -> str:
    subscription = _subscription(provider_name, event.subscription_id)
    if subscription is None:
        return "ignored"
    if event.kind == provider_events.SUBSCRIPTION_CANCELED:
        subscription.status, subscription.canceled_at = SubscriptionStatus.CANCELED, utcnow()
    elif subscription.status == SubscriptionStatus.ACTIVE:
        subscription.status = SubscriptionStatus.PAST_DUE
    db.session.flush()
    return "processed"


# --- refunds, portal ------------------------------------------------------------------------------------


def request_refund(admin, payment_id: int, reason: str = "") -> Payment:
    """Admin: ask the provider to refund a payment in full. The provider's webhook confirms it and
    revokes the credits; until then the payment is refund_pending. Raises ExternalServiceError."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("No such payment.")
    if payment.status != PaymentStatus.PAID:
        raise ValidationError("Only a paid payment can be refunded.")
    key = f"jobifies-payment-{payment.id}-refund"
    try:
        refund_id = gateway(payment.provider).refund(
            payment.provider_payment_id, payment.amount - payment.amount_refunded, key
        )
    except ProviderError as error:
        payment.last_error = str(error)[:2000]
        raise ExternalServiceError(f"{payment.provider.capitalize()} did not accept the refund: {error}") from error
    payment.status, payment.last_error = PaymentStatus.REFUND_PENDING, None
    audit.record(admin, "payment.refund_requested", payment, provider=payment.provider, refund=refund_id, reason=reason)
    if payment.provider == "mock" and payment.order_id:
        enqueue("payments.mock_deliver", payment.order_id, "payment.refunded")
    db.session.flush()
    return payment


def portal_url(company: Company) -> str:
    """The Stripe customer portal, where a company manages its subscription."""
    customer = billing_profile(company).stripe_customer_id
    if not customer or "stripe" not in chain():
        raise ValidationError("There is no Stripe subscription to manage for your company.")
    try:
        return gateway("stripe").portal_url(customer, absolute_url("billing.index"))
    except ProviderError as error:
        raise ExternalServiceError("Stripe's customer portal is not reachable just now. Please try again.") from error


# --- read models -------------------------------------------------------------------------------------------


def format_money(amount: int | None, currency: str) -> str:
    return f"{currency} {(amount or 0) / 100:,.2f}"


def company_payments(company_id: int) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment).where(Payment.company_id == company_id).order_by(Payment.id.desc()).limit(100)
        )
    )


def company_subscriptions(company_id: int) -> list[Subscription]:
    return list(
        db.session.scalars(
            select(Subscription).where(Subscription.company_id == company_id).order_by(Subscription.id.desc())
        )
    )


def get_company_payment(company: Company | None, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or company is None or payment.company_id != company.id or not payment.receipt_number:
        raise NotFound("No such receipt.")
    return payment


def get_payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or not payment.receipt_number:
        raise NotFound("No such receipt.")
    return payment


def list_payments(provider: str = "", status: str = "", currency: str = "", fallback: str = "", limit: int = 200):
    """Admin: payments, newest first, with their orders."""
    query = select(Payment).outerjoin(Order, Order.id == Payment.order_id).order_by(Payment.id.desc()).limit(limit)
    if provider:
        query = query.where(Payment.provider == provider)
    if status:
        query = query.where(Payment.status == status)
    if currency:
        query = query.where(Payment.currency == currency)
    if fallback == "yes":
        query = query.where(Order.fallback_from.is_not(None))
    elif fallback == "no":
        query = query.where(Order.fallback_from.is_(None))
    return list(db.session.scalars(query))


def list_orders(limit: int = 100) -> list[Order]:
    return list(db.session.scalars(select(Order).order_by(Order.id.desc()).limit(limit)))


def order_webhook_events(order: Order) -> list[WebhookEvent]:
    """Admin: the stored webhook events that mention this order (its id or a provider reference)."""
    refs = {
        f'"{order.id}"',
        f'"order_id":{order.id},',
        *(
            f'"{ref}"'
            for ref in [
                order.provider_ref,
                *(a.provider_ref for a in order.attempts),
                *(p.provider_payment_id for p in order.payments),
            ]
            if ref
        ),
    }
    conditions = [WebhookEvent.payload.contains(ref, autoescape=True) for ref in refs]
    providers = list(PROVIDER_CLASSES)
    query = select(WebhookEvent).where(WebhookEvent.provider.in_(providers), or_(*conditions))
    return list(db.session.scalars(query.order_by(WebhookEvent.id).limit(100)))
