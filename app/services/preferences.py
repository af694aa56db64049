"""Email preferences: which optional emails a person gets. One home for the rule, used by the outbox.

Account and security emails (verification, reset, password changed, deletion notices, receipts)
always go out; the kinds below can be turned off on the account page. Issue 16's preference centre
(SMS, Slack at /account/notifications) extends KINDS and EmailPreference with its channels.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..database import insert_ignore
from ..extensions import db
from ..models import EmailPreference, User


@dataclass(frozen=True)
class Kind:
    key: str  # the EmailPreference column
    label: str
    hint: str
    default: bool


KINDS = (
    Kind(
        "application_updates",
        "Application updates",
        "Your applications moving on, and new applicants to your jobs.",
        True,
    ),
    Kind("job_alerts", "Job alerts", "The digests of your saved searches.", True),
    Kind("product", "Product news", "Occasional news about new features. Never more than once a month.", False),
)
KIND_KEYS = tuple(kind.key for kind in KINDS)
# The outbox templates each kind covers. A template not listed here is always sent.
TEMPLATE_KINDS = {
    "application_received": "application_updates",
    "stage_changed": "application_updates",
    "new_applicant": "application_updates",
    "job_alert_digest": "job_alerts",
    "product_news": "product",
}


def get(user: User) -> dict[str, bool]:
    """The person's choices, every kind present (defaults where they never chose)."""
    row = db.session.get(EmailPreference, user.id)
    return {kind.key: (getattr(row, kind.key) if row is not None else kind.default) for kind in KINDS}


def update(user: User, choices: dict[str, bool]) -> dict[str, bool]:
    """Save the choices (unknown keys ignored). Flushes. The row is created atomically on first use."""
    insert_ignore(EmailPreference, {"user_id": user.id}, ["user_id"])
    row = db.session.get(EmailPreference, user.id, populate_existing=True)
    for key in KIND_KEYS:
        if key in choices:
            setattr(row, key, bool(choices[key]))
    db.session.flush()
    return get(user)


def allows(user_id: int | None, template: str) -> bool:
    """May the outbox send `template` to this user? Always for emails no preference covers."""
    kind = TEMPLATE_KINDS.get(template)
    if kind is None or user_id is None:
        return True
    value = db.session.scalar(select(getattr(EmailPreference, kind)).where(EmailPreference.user_id == user_id))
    return next(k.default for k in KINDS if k.key == kind) if value is None else bool(value)


def product_recipients():
    """Active users who asked for product news (for whoever sends it)."""
    return db.session.scalars(
        select(User)
        .join(EmailPreference, EmailPreference.user_id == User.id)
        .where(EmailPreference.product.is_(True), User.active.is_(True))
    ).all()
