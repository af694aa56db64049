"""Every state a row can be in: one StrEnum each, and the CHECK constraint that makes the database
refuse anything else. StrEnum members are str, so `job.status == "published"` and templates keep
working; new code names the member (`JobStatus.PUBLISHED`)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class Role(StrEnum):
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"
    ADMIN = "admin"


class MemberRole(StrEnum):
    OWNER = "owner"
    RECRUITER = "recruiter"


class JobStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    EXPIRED = "expired"


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class WebhookStatus(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class ParseStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    PARSING = "parsing"
    DONE = "done"
    NO_TEXT = "no_text"
    FAILED = "failed"


class AlertFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class AtsProvider(StrEnum):
    GREENHOUSE = "greenhouse"
    GREENHOUSE_BOARD = "greenhouse_board"
    LEVER = "lever"
    BAMBOOHR = "bamboohr"
    WORKDAY = "workday"


class AtsStatus(StrEnum):
    CONNECTED = "connected"
    SYNCING = "syncing"
    SYNCED = "synced"
    ERROR = "error"


class AtsRunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class AtsSendStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def one_of(column: str, states: type[StrEnum]) -> CheckConstraint:
    """CHECK (column IN (...)), named ck_<table>_<column> by the naming convention."""
    values = ", ".join(f"'{state.value}'" for state in states)
    return CheckConstraint(f"{column} IN ({values})", name=column)


class PlanInterval(StrEnum):
    ONE_TIME = "one_time"
    MONTHLY = "monthly"


class PaymentMethod(StrEnum):
    CARD = "card"
    UPI = "upi"
    NETBANKING = "netbanking"
    PAYPAL = "paypal"


class OrderStatus(StrEnum):
    PENDING = "pending"  # created; no provider has a checkout for it yet
    AWAITING_PAYMENT = "awaiting_payment"  # a hosted checkout is open
    PAID = "paid"  # a provider's webhook confirmed the payment
    FAILED = "failed"  # every provider refused to start a checkout, or the payment was declined


class AttemptStatus(StrEnum):
    STARTED = "started"
    FAILED = "failed"


class PaymentStatus(StrEnum):
    PAID = "paid"
    REFUND_PENDING = "refund_pending"  # asked the provider; its webhook confirms
    REFUNDED = "refunded"
    DISPUTED = "disputed"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"


class CreditReason(StrEnum):
    PURCHASE = "purchase"
    RENEWAL = "renewal"
    ADMIN_GIFT = "admin_gift"
    PUBLISH = "publish"
    FEATURE = "feature"
    REFUND = "refund"
    DISPUTE = "dispute"
