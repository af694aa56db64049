"""The database answer used while the index is missing, being rebuilt or unreadable.

The same filters as the index (so a shared link keeps meaning the same thing) on the simple LIKE
search the board had before; newest first, no relevance, no facet counts, no spelling help. The
page says results may be incomplete.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, cast, func, literal, or_, select

from ..extensions import db
from ..models import Company, Job
from .schema import PERIODS_PER_YEAR, USD_RATES


def _yearly_usd_expression():
    upper = func.coalesce(Job.salary_max, Job.salary_min)
    per_year = case(*[(Job.salary_period == period, literal(n)) for period, n in PERIODS_PER_YEAR.items()],
                    else_=literal(0))
    rate = case(*[(Job.salary_currency == code, literal(r)) for code, r in USD_RATES.items()], else_=literal(0.0))
    return upper * per_year * rate


def search_database(params, now: datetime, per_page: int, posted_days: dict[str, int]) -> tuple[list[Job], int]:
    """(jobs on the requested page, total) for `params` (a SearchParams)."""
    query = select(Job).join(Job.company).where(Job.open_clause(now))
    for term in params.words()[:8]:
        like = f"%{term.lower()}%"
        query = query.where(or_(func.lower(Job.title).like(like), func.lower(Job.location).like(like),
                                func.lower(Company.name).like(like), func.lower(Job.description).like(like),
                                func.lower(cast(Job.skills, String)).like(like)))
    if params.workplace:
        query = query.where(Job.workplace.in_(params.workplace))
    if params.employment_type:
        query = query.where(Job.employment_type.in_(params.employment_type))
    if params.seniority:
        query = query.where(Job.seniority.in_(params.seniority))
    if params.company:
        query = query.where(Company.slug.in_(params.company))
    if params.location:
        keys = [value.casefold() for value in params.location]
        query = query.where(func.lower(func.trim(Job.location)).in_(keys))
    if params.posted:
        query = query.where(Job.published_at >= now - timedelta(days=posted_days[params.posted]))
    if params.salary_min:
        query = query.where(and_(func.coalesce(Job.salary_max, Job.salary_min).isnot(None),
                                 _yearly_usd_expression() >= params.salary_min))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(query.order_by(Job.published_at.desc(), Job.id.desc())
                               .offset((params.page - 1) * per_page).limit(per_page)).all()
    return list(items), total
