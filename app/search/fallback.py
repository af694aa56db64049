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
    query = select(Job).join(Job.company).where(Job.open_clause(request.now))
    for term in words[:8]:
        like = f"%{term.lower()}%"
        query = query.where(or_(func.lower(Job.title).like(like), func.lower(Job.location).like(like),
                                func.lower(Company.name).like(like), func.lower(Job.description).like(like),
                                func.lower(cast(Job.skills, String)).like(like)))
    filters = request.filters
    if filters.get("workplace"):
        query = query.where(Job.workplace.in_(filters["workplace"]))
    if filters.get("employment_type"):
        query = query.where(Job.employment_type.in_(filters["employment_type"]))
    if filters.get("seniority"):
        query = query.where(Job.seniority.in_(filters["seniority"]))
    if filters.get("company"):
        query = query.where(Company.slug.in_(filters["company"]))
    if filters.get("location"):
        query = query.where(sql.location_key().in_(filters["location"]))
    if request.posted:
        query = query.where(Job.published_at >= request.posted_since())
    if request.salary_min:
        query = query.where(and_(func.coalesce(Job.salary_max, Job.salary_min).isnot(None),
                                 sql.yearly_usd() >= request.salary_min))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(query.order_by(Job.published_at.desc(), Job.id.desc())
                               .offset(request.offset).limit(request.limit)).all()
    return list(items), total
