"""Paid postings: plans, orders and their provider attempts, payments, subscriptions, the credit ledger.

Money is always an integer in the currency's minor unit (cents, paise). A company's credit balance
is the sum of its ledger rows; it is never stored on its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow
from .states import (
    AttemptStatus,
    CreditReason,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    PlanInterval,
    SubscriptionStatus,
    one_of,
)

# The currencies plans can be priced in; each has two decimals (the minor unit is 1/100).
PLAN_CURRENCIES = ("USD", "EUR", "GBP", "INR")
GRANT_REASONS = (CreditReason.PURCHASE, CreditReason.RENEWAL, CreditReason.ADMIN_GIFT)


class Plan(TimestampMixin, db.Model):
    """What a company can buy: credits, how long each posting runs, how long it is featured."""

    __tablename__ = "plans"
    __table_args__ = (one_of("interval", PlanInterval),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    posting_credits: Mapped[int] = mapped_column(Integer, nullable=False)
    posting_days: Mapped[int] = mapped_column(Integer, nullable=False)
    featured_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    interval: Mapped[str] = mapped_column(String(20), nullable=False, default=PlanInterval.ONE_TIME)
    # {"USD": 4900, "INR": 399900}: minor units per currency; a currency absent here is not offered.
    prices: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_monthly(self) -> bool:
        return self.interval == PlanInterval.MONTHLY


class BillingProfile(db.Model):
    """Who the buyer is on a receipt, and the company's customer record at providers."""

    __tablename__ = "billing_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, unique=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="")  # ISO 3166-1 alpha-2
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    tax_id: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # VAT number or GSTIN
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))

    company = relationship("Company")


class Order(TimestampMixin, db.Model):
    """A recruiter's intent to buy a plan; the provider that runs its checkout is chosen (and
    possibly replaced by the next in the fallback chain) when it starts."""

    __tablename__ = "orders"
    __table_args__ = (
        one_of("status", OrderStatus),
        one_of("method", PaymentMethod),
        one_of("interval", PlanInterval),
        Index("ix_orders_provider_ref", "provider", "provider_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The job to publish once the payment is confirmed ("Publish" without credits leads here).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    interval: Mapped[str] = mapped_column(String(20), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    method: Mapped[str] = mapped_column(String(20), nullable=False, default=PaymentMethod.CARD)
    selected_provider: Mapped[str] = mapped_column(String(20), nullable=False)  # what the rules chose
    provider: Mapped[str | None] = mapped_column(String(20))  # whose checkout is (or was) open
    fallback_from: Mapped[str | None] = mapped_column(String(20))
    provider_ref: Mapped[str | None] = mapped_column(String(255))  # session / order id at the provider
    checkout_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=OrderStatus.PENDING, index=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company = relationship("Company")
    plan = relationship("Plan", lazy="joined")
    created_by = relationship("User")
    job = relationship("Job")
    attempts = relationship("PaymentAttempt", order_by="PaymentAttempt.id", cascade="all, delete-orphan")
    payments = relationship("Payment", order_by="Payment.id", viewonly=True)


class PaymentAttempt(db.Model):
    """One provider asked to start a checkout for an order: the audit trail of selection and fallback."""

    __tablename__ = "payment_attempts"
    __table_args__ = (one_of("status", AttemptStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    fallback_from: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Payment(TimestampMixin, db.Model):
    """Money a provider confirmed, once per (provider, provider payment id): the key that makes every
    grant exactly-once. A refund or dispute that arrives before the capture leaves a row without a
    grant, so the late capture finds it and grants nothing."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "provider_payment_id"),
        one_of("status", PaymentStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    provider_payment_id: Mapped[str] = mapped_column(String(255), nullable=False)
    provider_subscription_id: Mapped[str | None] = mapped_column(String(255))
    renewal: Mapped[bool] = mapped_column(default=False, nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="")
    amount_refunded: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PaymentStatus.PAID, index=True)
    receipt_number: Mapped[int | None] = mapped_column(Integer, unique=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    order = relationship("Order", viewonly=True)
    company = relationship("Company")

    @property
    def receipt_label(self) -> str:
        return f"R-{self.receipt_number:06d}" if self.receipt_number else ""


class ReceiptCounter(db.Model):
    """The last receipt number given out. One row; taking a number locks it until the grant commits,
    so numbers are sequential without gaps (a sequence would skip on rollbacks)."""

    __tablename__ = "receipt_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Subscription(TimestampMixin, db.Model):
    """A monthly plan at a provider. Each paid invoice is a Payment that grants the plan's credits
    again; a subscription that is cancelled or lapses gets no more invoices, so no more credits."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("provider", "provider_subscription_id"),
        one_of("status", SubscriptionStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    provider_subscription_id: Mapped[str] = mapped_column(String(255), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=SubscriptionStatus.ACTIVE)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    plan = relationship("Plan", lazy="joined")


class CreditEntry(db.Model):
    """One line of a company's posting-credit ledger: a grant (+n) or a use or revocation (-n).

    A grant is a lot: what each of its credits buys (posting and featured days) travels with it, and
    every use names the lot it drew from. A payment grants at most once and is revoked at most once
    (unique payment_id + payment_effect), whatever order and how often its webhooks arrive.
    """

    __tablename__ = "credit_entries"
    __table_args__ = (
        UniqueConstraint("payment_id", "payment_effect"),
        one_of("reason", CreditReason),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    delta: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    payment_effect: Mapped[str | None] = mapped_column(String(10))  # "grant" | "revoke" for payment rows
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id", ondelete="SET NULL"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    posting_days: Mapped[int | None] = mapped_column(Integer)
    featured_days: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)

    payment = relationship("Payment")
    job = relationship("Job")
    actor = relationship("User")

    @property
    def is_grant(self) -> bool:
        return self.reason in GRANT_REASONS
