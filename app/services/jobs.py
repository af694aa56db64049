"""Jobs: drafting, publishing, closing, reopening, expiry and the public listing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Application, Company, Job, Membership, User, utcnow
from ..pagination import MAX_PAGE, Paginated
from . import ats, audit, channels, credits, moderation, outbound_webhooks
from .markdown import render_markdown
from .skills import normalize_skills
from .slugs import slugify

MAX_JOB_SKILLS = 30
# The limits of a job's fields, for every way in (the recruiter form, the API).
MAX_TITLE = 160
MAX_DESCRIPTION = 50_000
MAX_LOCATION = 160
MAX_SALARY = 100_000_000
EDITABLE_FIELDS = (
    "title",
    "description",
    "location",
    "workplace",
    "employment_type",
    "seniority",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "skills",
)


def _apply_fields(job: Job, data: dict) -> None:
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(job, name, data[name])
    job.skills = normalize_skills(job.skills, limit=MAX_JOB_SKILLS)
    if job.salary_min is not None and job.salary_max is not None and job.salary_min > job.salary_max:
        raise ValidationError("The maximum salary must not be below the minimum.", field="salary_max")
    job.title = job.title.strip()
    job.slug = slugify(job.title, 150)
    job.description_html = render_markdown(job.description)


def create_job(company: Company, author: User, data: dict) -> Job:
    """A new draft job for `company`. Flushes."""
    job = Job(company=company, created_by_id=author.id, status="draft", skills=[])
    _apply_fields(job, data)
    db.session.add(job)
    db.session.flush()
    return job


def update_job(job: Job, data: dict) -> Job:
    """Edit a job. The fields a connected ATS keeps in sync are left as they are. Flushes."""
    locked = ats.locked_fields(job)
    _apply_fields(job, {name: value for name, value in data.items() if name not in locked})
    db.session.flush()
    return job


def publish_job(job: Job, actor: User) -> Job:
    """Draft, closed or expired -> published, with a fresh expiry date. Idempotent on an open job.

    With POSTINGS_REQUIRE_PAYMENT this spends one posting credit (its plan sets the posting and
    featured days) and raises credits.NoCredits without one; a closed job reopens free inside the
    period it was paid for."""
    if job.is_open:
        return job
    ats.ensure_editable_status(job)
    if actor.verified_at is None and not actor.is_admin:
        raise ValidationError(f"Confirm your email address before publishing: we sent a link to {actor.email}.")
    if not moderation.check_publishable(job, actor):  # raises while taken down by a moderator
        return job  # a new company's first job waits for an admin's approval (MODERATE_NEW_COMPANIES)
    now = utcnow()
    if credits.reopens_free(job, now):  # still inside the period it was paid for: no new credit
        job.status, job.closed_at = "published", None
        db.session.flush()
        channels.job_published(job)
        _job_event(job, "job.published")
        return job
    paid = credits.pay_for_publishing(job, actor)  # raises NoCredits; None when postings are free
    job.status = "published"
    job.published_at = now  # a reopened job is a fresh posting: it goes back to the top of the board
    job.expires_at = now + timedelta(days=paid.posting_days if paid else current_app.config["JOB_EXPIRY_DAYS"])
    if paid and paid.featured_days:
        job.featured_until = now + timedelta(days=paid.featured_days)
    job.closed_at = None
    db.session.flush()
    channels.job_published(job)  # the company's Slack, if it asked
    _job_event(job, "job.published")
    return job


reopen_job = publish_job


def _job_event(job: Job, event_type: str) -> None:
    """Tell the company's webhook endpoints (a delivery row in this transaction)."""
    outbound_webhooks.emit(
        job.company_id, event_type, {"job": {"id": job.id, "title": job.title, "status": job.status}}
    )


def close_job(job: Job, actor: User) -> Job:
    if job.status in ("closed", "draft"):
        return job
    ats.ensure_editable_status(job)
    job.status = "closed"
    job.closed_at = utcnow()
    db.session.flush()
    _job_event(job, "job.closed")
    return job


def unpublish_job(admin: User, job_id: int, reason: str = "") -> Job:
    """Admin moderation: take a job off the board (it is closed and the action audited)."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job.")
    job.status = "closed"
    job.closed_at = utcnow()
    audit.record(admin, "job.unpublished", job, title=job.title, reason=reason)
    db.session.flush()
    return job


def expire_due_jobs(now=None) -> int:
    """Mark published jobs past their expiry as expired. Returns how many. Safe to run any time."""
    now = now or utcnow()
    result = db.session.execute(
        update(Job).where(Job.status == "published", Job.expires_at <= now).values(status="expired", updated_at=now)
    )
    return result.rowcount or 0


def get_public_job(job_id: int) -> Job:
    """A job anyone may see: published at least once. Drafts are 404 to the public."""
    job = db.session.get(Job, job_id)
    if job is None or not job.is_public:
        raise NotFound("This job does not exist or is no longer listed.")
    return job


def get_job_for(user: User | None, job_id: int) -> Job:
    """A job as `user` may see it: their own company's in any state, anyone else's once public."""
    company = user.company if user is not None else None
    job = db.session.get(Job, job_id)
    if job is not None and company is not None and job.company_id == company.id:
        return job
    return get_public_job(job_id)


def get_company_job(company: Company | None, job_id: int) -> Job:
    """A job of the recruiter's own company; anything else is 404 (never 403: ids are not confirmed)."""
    job = db.session.get(Job, job_id)
    if job is None or company is None or job.company_id != company.id:
        raise NotFound("No such job in your company.")
    return job


@dataclass
class Page(Paginated):
    items: list
    page: int
    per_page: int
    total: int


def latest_open_jobs(limit: int) -> list[Job]:
    """The newest open jobs, for the home page: one query (the company comes joined)."""
    return list(
        db.session.scalars(
            select(Job).where(Job.open_clause()).order_by(Job.published_at.desc(), Job.id.desc()).limit(limit)
        )
    )


_open_count: dict[int, tuple[float, int]] = {}  # app id -> (valid until, count)


def open_job_count() -> int:
    """How many jobs are open, cached for OPEN_COUNT_CACHE_SECONDS per process (a COUNT over every
    open job is a full scan: 40 ms of PostgreSQL at 100k jobs, on every home page otherwise). A job
    changed by this process clears it at once; other processes' changes show within the TTL."""
    app = current_app._get_current_object()
    cached = _open_count.get(id(app))
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    count = db.session.scalar(select(func.count(Job.id)).where(Job.open_clause())) or 0
    _open_count[id(app)] = (now + app.config["OPEN_COUNT_CACHE_SECONDS"], count)
    return count


@event.listens_for(Session, "after_flush")
def _forget_open_count(session, flush_context) -> None:
    if _open_count and any(isinstance(obj, Job) for obj in (*session.new, *session.dirty, *session.deleted)):
        _open_count.clear()


def list_open_jobs(page: int = 1, company: Company | None = None, per_page: int | None = None) -> Page:
    """Open jobs, newest first, paginated (the home and company pages; /jobs uses app.search)."""
    per_page = per_page or current_app.config["JOBS_PER_PAGE"]
    page = max(1, min(page, MAX_PAGE))
    query = select(Job).where(Job.open_clause())
    if company is not None:
        query = query.where(Job.company_id == company.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Job.published_at.desc(), Job.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)


DASHBOARD_FILTERS = {"all": "All jobs", "open": "Open", "draft": "Drafts", "closed": "Closed or expired"}
VISIT_GAP = timedelta(minutes=30)


def dashboard_visit(membership: Membership) -> datetime | None:
    """Record a dashboard view; return where "new since your last visit" starts (None: first visit).

    Views less than VISIT_GAP apart are one visit, so a reload or a filter keeps the same "new"."""
    now = utcnow()
    if membership.dashboard_seen_at is None or now - membership.dashboard_seen_at > VISIT_GAP:
        membership.dashboard_since = membership.dashboard_seen_at
    membership.dashboard_seen_at = now
    db.session.flush()
    return membership.dashboard_since


def company_dashboard(company: Company, status: str = "all", q: str = "", since: datetime | None = None) -> list[dict]:
    """The company's jobs with their applicant counts per stage and applications `since`, newest
    first; `status` (DASHBOARD_FILTERS) and `q` (words in the title or location) narrow the list."""
    jobs = db.session.scalars(
        select(Job).where(Job.company_id == company.id).order_by(Job.created_at.desc(), Job.id.desc())
    ).all()
    if status == "open":
        jobs = [job for job in jobs if job.is_open]
    elif status == "draft":
        jobs = [job for job in jobs if job.status == "draft"]
    elif status == "closed":
        jobs = [job for job in jobs if job.effective_status in ("closed", "expired")]
    words = (q or "").casefold().split()[:10]
    if words:
        jobs = [job for job in jobs if all(w in f"{job.title} {job.location}".casefold() for w in words)]
    new: dict[int, int] = {}
    if since is not None:
        new = dict(
            db.session.execute(
                select(Application.job_id, func.count())
                .join(Job, Job.id == Application.job_id)
                .where(Job.company_id == company.id, Application.created_at > since)
                .group_by(Application.job_id)
            ).all()
        )
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(Application.job_id, Application.status, func.count())
        .join(Job, Job.id == Application.job_id)
        .where(Job.company_id == company.id)
        .group_by(Application.job_id, Application.status)
    )
    for job_id, status, n in rows:
        counts.setdefault(job_id, {})[status] = n
    return [
        {
            "job": job,
            "counts": counts.get(job.id, {}),
            "total": sum(counts.get(job.id, {}).values()),
            "new": new.get(job.id, 0),
        }
        for job in jobs
    ]
