"""Plans admins sell: what a purchase grants and what it costs per currency. Archived, never deleted
(orders and payments keep pointing at them)."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import PLAN_CURRENCIES, Plan, PlanInterval, utcnow
from . import audit

MIN_PRICE = 50  # Stripe's smallest charge is 0.50 in most currencies
MAX_PRICE = 100_000_00


def active_plans() -> list[Plan]:
    return list(db.session.scalars(select(Plan).where(Plan.archived_at.is_(None)).order_by(Plan.id)))


def all_plans() -> list[Plan]:
    return list(db.session.scalars(select(Plan).order_by(Plan.archived_at.is_not(None), Plan.id)))


def get_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("No such plan.")
    return plan


def save_plan(admin, plan: Plan | None, data: dict) -> Plan:
    """Create or change a plan from plain values: name, description, posting_credits, posting_days,
    featured_days, interval, prices ({currency: minor units or None}). Audited; flushes."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError("Give the plan a name.", field="name")
    if data.get("interval") not in tuple(PlanInterval):
        raise ValidationError("Choose one-time or monthly.", field="interval")
    posting_days, featured_days = data.get("posting_days") or 0, data.get("featured_days") or 0
    if featured_days > posting_days:
        raise ValidationError("A job cannot be featured for longer than it is posted.", field="featured_days")
    prices = {}
    for currency in PLAN_CURRENCIES:
        amount = (data.get("prices") or {}).get(currency)
        if amount is None:
            continue
        if not MIN_PRICE <= amount <= MAX_PRICE:
            raise ValidationError(
                f"Prices are between {MIN_PRICE} and {MAX_PRICE} minor units (cents, paise).",
                field=f"price_{currency.lower()}",
            )
        prices[currency] = int(amount)
    if not prices:
        raise ValidationError("Set a price in at least one currency.", field="price_usd")
    creating = plan is None
    plan = plan or Plan()
    plan.name, plan.description = name[:80], (data.get("description") or "").strip()[:300]
    plan.posting_credits, plan.posting_days, plan.featured_days = data["posting_credits"], posting_days, featured_days
    plan.interval, plan.prices = data["interval"], prices
    db.session.add(plan)
    db.session.flush()
    audit.record(admin, "plan.created" if creating else "plan.updated", plan, name=plan.name, prices=prices)
    return plan


def set_archived(admin, plan_id: int, archived: bool, reason: str = "") -> Plan:
    plan = get_plan(plan_id)
    plan.archived_at = utcnow() if archived else None
    audit.record(admin, "plan.archived" if archived else "plan.restored", plan, name=plan.name, reason=reason)
    db.session.flush()
    return plan
