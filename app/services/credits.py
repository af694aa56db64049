"""The posting-credit ledger: grants, uses and revocations, one row each; the balance is their sum.

Every grant is a lot that carries what its credits buy (posting days, featured days); a use names
the lot it drew from, oldest first. A payment's grant and its revocation are each inserted at most
once (INSERT ... ON CONFLICT DO NOTHING on payment_id + payment_effect), so duplicate, reordered or
concurrent webhooks cannot grant or revoke twice. Services here flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..database import insert_ignore
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Company, CreditEntry, CreditReason, Job, JobStatus, Payment, utcnow
from . import audit

GRANT, REVOKE = "grant", "revoke"
MAX_GIFT = 1000


class NoCredits(Conflict):
    """Publishing or featuring needs a posting credit and the company has none left."""


def charging() -> bool:
    return bool(current_app.config.get("POSTINGS_REQUIRE_PAYMENT"))


def balance(company_id: int) -> int:
    return (
        db.session.scalar(
            select(func.coalesce(func.sum(CreditEntry.delta), 0)).where(CreditEntry.company_id == company_id)
        )
        or 0
    )


def ledger(company_id: int, limit: int = 200) -> list[CreditEntry]:
    return list(
        db.session.scalars(
            select(CreditEntry).where(CreditEntry.company_id == company_id).order_by(CreditEntry.id.desc()).limit(limit)
        )
    )


def negative_balances() -> list[tuple[Company, int]]:
    """Companies that owe credits (a refund or dispute after the credits were used): for the admin."""
    total = func.sum(CreditEntry.delta)
    rows = db.session.execute(
        select(Company, total)
        .join(CreditEntry, CreditEntry.company_id == Company.id)
        .group_by(Company.id)
        .having(total < 0)
        .order_by(total)
    )
    return [(company, owed) for company, owed in rows]


def grant_for_payment(payment: Payment, credits: int, posting_days: int, featured_days: int, renewal: bool) -> bool:
    """Grant a confirmed payment's credits; False if this payment was granted before."""
    return insert_ignore(
        CreditEntry,
        {
            "company_id": payment.company_id,
            "delta": credits,
            "reason": CreditReason.RENEWAL if renewal else CreditReason.PURCHASE,
            "payment_id": payment.id,
            "payment_effect": GRANT,
            "posting_days": posting_days,
            "featured_days": featured_days,
            "note": f"{payment.provider} payment {payment.provider_payment_id}"[:300],
            "created_at": utcnow(),
        },
        ["payment_id", "payment_effect"],
    )


def revoke_for_payment(payment: Payment, reason: CreditReason) -> bool:
    """Take back everything a refunded or disputed payment granted: unused credits disappear and used
    ones leave the balance negative (which the admin sees). False if nothing was granted, or it was
    revoked before."""
    granted = db.session.scalar(
        select(CreditEntry).where(CreditEntry.payment_id == payment.id, CreditEntry.payment_effect == GRANT)
    )
    if granted is None:
        return False
    return insert_ignore(
        CreditEntry,
        {
            "company_id": granted.company_id,
            "delta": -granted.delta,
            "reason": reason,
            "payment_id": payment.id,
            "payment_effect": REVOKE,
            "lot_id": granted.id,
            "note": f"{reason} of {payment.provider} payment {payment.provider_payment_id}"[:300],
            "created_at": utcnow(),
        },
        ["payment_id", "payment_effect"],
    )


def get_company(company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound("No such company.")
    return company


def gift(
    admin, company_id: int, credits: int, posting_days: int, featured_days: int = 0, note: str = ""
) -> CreditEntry:
    """An admin grants credits (a goodwill gesture, a partner). Audited. Flushes."""
    company = get_company(company_id)
    if not 1 <= credits <= MAX_GIFT:
        raise ValidationError(f"Give between 1 and {MAX_GIFT} credits.", field="credits")
    if not 1 <= posting_days <= 365 or not 0 <= featured_days <= posting_days:
        raise ValidationError("Posting days 1–365; featured days at most the posting days.", field="posting_days")
    entry = CreditEntry(
        company_id=company.id,
        delta=credits,
        reason=CreditReason.ADMIN_GIFT,
        actor_id=admin.id,
        posting_days=posting_days,
        featured_days=featured_days,
        note=(note or "")[:300],
    )
    db.session.add(entry)
    audit.record(admin, "credits.gifted", company, credits=credits, note=entry.note)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class Use:
    entry: CreditEntry
    posting_days: int
    featured_days: int


def _open_lot(company_id: int, needs_featuring: bool) -> CreditEntry | None:
    """The oldest grant with credits left (and featured days, when featuring)."""
    draws = aliased(CreditEntry)
    left = CreditEntry.delta + func.coalesce(
        select(func.sum(draws.delta)).where(draws.lot_id == CreditEntry.id).scalar_subquery(), 0
    )
    query = select(CreditEntry).where(CreditEntry.company_id == company_id, CreditEntry.delta > 0, left > 0)
    if needs_featuring:
        query = query.where(CreditEntry.featured_days > 0)
    return db.session.scalar(query.order_by(CreditEntry.id).limit(1))


def spend(company_id: int, reason: CreditReason, job: Job, actor, needs_featuring: bool = False) -> Use:
    """Use one credit for `job`. Raises NoCredits. Flushes.

    The company row is locked first (FOR UPDATE; SQLite serialises writers anyway), so two
    recruiters publishing at once cannot both spend the last credit.
    """
    db.session.execute(select(Company.id).where(Company.id == company_id).with_for_update())
    if balance(company_id) <= 0 or (lot := _open_lot(company_id, needs_featuring)) is None:
        raise NoCredits("Your company has no posting credits left. Choose a plan to continue.")
    entry = CreditEntry(
        company_id=company_id,
        delta=-1,
        reason=reason,
        lot_id=lot.id,
        job_id=job.id,
        actor_id=getattr(actor, "id", None),
        note=job.title[:300],
    )
    db.session.add(entry)
    db.session.flush()
    return Use(entry, lot.posting_days or current_app.config["DEFAULT_POSTING_DAYS"], lot.featured_days or 0)


def reopens_free(job: Job, now) -> bool:
    """A closed job still inside the period it was paid for reopens without a credit."""
    return charging() and job.status == JobStatus.CLOSED and job.expires_at is not None and job.expires_at > now


def pay_for_publishing(job: Job, actor) -> Use | None:
    """One credit for publishing `job` when postings cost money; None when they do not."""
    if not charging():
        return None
    return spend(job.company_id, CreditReason.PUBLISH, job, actor)


def feature_job(job: Job, actor) -> Job:
    """Spend a credit from a plan with featured days to feature an open job. Raises NoCredits."""
    if not job.is_open:
        raise ValidationError("Only a job that is live on the board can be featured.")
    use = spend(job.company_id, CreditReason.FEATURE, job, actor, needs_featuring=True)
    now = utcnow()
    start = job.featured_until if job.featured_until and job.featured_until > now else now
    job.featured_until = start + timedelta(days=use.featured_days)
    db.session.flush()
    return job
