"""The database answer used while a backend cannot answer (the Whoosh index is missing, being
rebuilt or unreadable; the PostgreSQL search objects are missing).

The same filters as the backends (so a shared link keeps meaning the same thing) on the simple LIKE
search the board had before; newest first, no relevance, no facet counts, no spelling help. The
page says results may be incomplete.
"""

from __future__ import annotations

from sqlalchemy import String, and_, cast, func, or_, select

from ..extensions import db
from ..models import Company, Job
from . import sql
from .backend import SearchRequest


def search_database(request: SearchRequest, words: list[str]) -> tuple[list[Job], int]:
    """(jobs on the requested page, total) for `request`; `words` are the plain words of its text."""
    conditions = [Job.open_clause(request.now)]
    for term in words[:8]:
        like = f"%{term.lower()}%"
        conditions.append(
            or_(
                func.lower(Job.title).like(like),
                func.lower(Job.location).like(like),
                func.lower(Company.name).like(like),
                func.lower(Job.description).like(like),
                func.lower(cast(Job.skills, String)).like(like),
            )
        )
    filters = request.filters
    if filters.get("workplace"):
        conditions.append(Job.workplace.in_(filters["workplace"]))
    if filters.get("employment_type"):
        conditions.append(Job.employment_type.in_(filters["employment_type"]))
    if filters.get("seniority"):
        conditions.append(Job.seniority.in_(filters["seniority"]))
    if filters.get("company"):
        conditions.append(Company.slug.in_(filters["company"]))
    if filters.get("location"):
        conditions.append(sql.location_key().in_(filters["location"]))
    if request.posted:
        conditions.append(Job.published_at >= request.posted_since())
    if request.salary_min:
        conditions.append(
            and_(func.coalesce(Job.salary_max, Job.salary_min).isnot(None), sql.yearly_usd() >= request.salary_min)
        )
    total = db.session.scalar(select(func.count(Job.id)).join(Job.company).where(*conditions)) or 0
    items = db.session.scalars(
        select(Job)
        .join(Job.company)
        .where(*conditions)
        .order_by(Job.published_at.desc(), Job.id.desc())
        .offset(request.offset)
        .limit(request.limit)
    ).all()
    return list(items), total
