"""Read models for the admin area (moderation lists)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ..errors import NotFound
from ..extensions import db
from ..models import AuditLog, Company, Job, JobReport, Membership, User

PER_PAGE = 50


def _users_query(q: str):
    query = select(User)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    return query.order_by(User.created_at.desc(), User.id.desc())


def list_users(q: str = "", page: int = 1):
    return _page(_users_query(q), page)


def users_page(q: str, page: int, per_page: int) -> tuple[list[User], int]:
    """A page of users matching q (the API's admin list), with the total."""
    query = _users_query(q)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))), total


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def list_companies(page: int = 1):
    counts = select(Membership.company_id, func.count().label("members")).group_by(Membership.company_id).subquery()
    query = (
        select(Company, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.company_id == Company.id)
        .order_by(Company.created_at.desc())
    )
    return db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()


def get_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job.")
    return job


def get_company(company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound("No such company.")
    return company


def get_report(report_id: int) -> JobReport:
    report = db.session.get(JobReport, report_id)
    if report is None:
        raise NotFound("No such report.")
    return report


def list_jobs(status: str = "", page: int = 1):
    query = select(Job)
    if status:
        query = query.where(Job.status == status)
    return _page(query.order_by(Job.created_at.desc(), Job.id.desc()), page)


def recent_audit(limit: int = 20):
    return db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)).all()


def totals() -> dict:
    return {
        "users": db.session.scalar(select(func.count(User.id))),
        "companies": db.session.scalar(select(func.count(Company.id))),
        "open_jobs": db.session.scalar(select(func.count(Job.id)).where(Job.open_clause())),
    }


def _page(query, page: int):
    return db.session.scalars(query.limit(PER_PAGE).offset((max(page, 1) - 1) * PER_PAGE)).all()
