"""All models, importable from one place (Alembic's autogenerate needs them all loaded)."""

from .alerts import ALERT_FREQUENCIES, JobAlert
from .api_tokens import API_SCOPES, ApiToken, RefreshToken
from .applications import (
    CLOSED_STAGES,
    PIPELINE_STAGES,
    RECRUITER_STAGES,
    STAGE_LABELS,
    Application,
    ApplicationEvent,
    ApplicationNote,
)
from .audit import AuditLog
from .base import utcnow
from .billing import (
    PLAN_CURRENCIES,
    BillingProfile,
    CreditEntry,
    Order,
    Payment,
    PaymentAttempt,
    Plan,
    ReceiptCounter,
    Subscription,
)
from .companies import Company, Invitation, Membership
from .documents import Document
from .integrations import JOB_SOURCES, PROVIDER_LABELS, AtsApplicationLink, AtsConnection, AtsSyncRun
from .jobs import CURRENCIES, EMPLOYMENT_TYPES, JOB_STATUSES, SALARY_PERIODS, SENIORITIES, WORKPLACES, Job, SavedJob
from .messages import EmailMessage, EmailSuppression
from .outbound_webhooks import DELIVERY_STATUSES, OUTBOUND_EVENTS, WebhookDelivery, WebhookEndpoint
from .profiles import CandidateProfile
from .states import (
    AlertFrequency,
    ApplicationStatus,
    AtsProvider,
    AtsRunStatus,
    AtsSendStatus,
    AtsStatus,
    AttemptStatus,
    CreditReason,
    EmailStatus,
    JobStatus,
    MemberRole,
    OrderStatus,
    ParseStatus,
    PaymentMethod,
    PaymentStatus,
    PlanInterval,
    Role,
    SubscriptionStatus,
    WebhookStatus,
)
from .users import User
from .webhooks import WEBHOOK_STATUSES, WebhookEvent

__all__ = [
    "API_SCOPES",
    "ApiToken",
    "RefreshToken",
    "DELIVERY_STATUSES",
    "OUTBOUND_EVENTS",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Application",
    "ApplicationEvent",
    "ApplicationNote",
    "AuditLog",
    "Company",
    "Document",
    "Invitation",
    "Job",
    "Membership",
    "SavedJob",
    "User",
    "JobAlert",
    "EmailMessage",
    "EmailSuppression",
    "CandidateProfile",
    "WebhookEvent",
    "AtsConnection",
    "AtsSyncRun",
    "AtsApplicationLink",
    "JOB_SOURCES",
    "PROVIDER_LABELS",
    "AtsProvider",
    "AtsRunStatus",
    "AtsSendStatus",
    "AtsStatus",
    "ALERT_FREQUENCIES",
    "utcnow",
    "PIPELINE_STAGES",
    "RECRUITER_STAGES",
    "CLOSED_STAGES",
    "STAGE_LABELS",
    "JOB_STATUSES",
    "WEBHOOK_STATUSES",
    "AlertFrequency",
    "ApplicationStatus",
    "EmailStatus",
    "JobStatus",
    "MemberRole",
    "ParseStatus",
    "Role",
    "WebhookStatus",
    "WORKPLACES",
    "EMPLOYMENT_TYPES",
    "SENIORITIES",
    "SALARY_PERIODS",
    "CURRENCIES",
    # Paid postings
    "PLAN_CURRENCIES",
    "BillingProfile",
    "CreditEntry",
    "Order",
    "Payment",
    "PaymentAttempt",
    "Plan",
    "ReceiptCounter",
    "Subscription",
    "AttemptStatus",
    "CreditReason",
    "OrderStatus",
    "PaymentMethod",
    "PaymentStatus",
    "PlanInterval",
    "SubscriptionStatus",
]
