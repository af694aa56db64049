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


def one_of(column: str, states: type[StrEnum]) -> CheckConstraint:
    """CHECK (column IN (...)), named ck_<table>_<column> by the naming convention."""
    values = ", ".join(f"'{state.value}'" for state in states)
    return CheckConstraint(f"{column} IN ({values})", name=column)
