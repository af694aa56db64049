"""Moderation rules: what an open moderation case stops, and the recruiter's side of a case.

A job (or a whole company) an admin took down stays off the board until an admin approves it:
the recruiter cannot publish or reopen it (issue 13 defect 14), only edit it and "Ask for review".
With MODERATE_NEW_COMPANIES a company's first job waits for approval instead of going live.
The admin's side (take down, approve, reject) is services.moderation_admin, which uses publishing.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..database import insert_ignore
from ..errors import ValidationError
from ..extensions import db
from ..models import Company, Job, Moderation, User, utcnow
from . import audit


def case_for(subject) -> Moderation | None:
    return db.session.scalar(
        select(Moderation).where(Moderation.subject_type == _subject_type(subject), Moderation.subject_id == subject.id)
    )


def open_case_for(subject) -> Moderation | None:
    case = case_for(subject)
    return case if case is not None and case.is_open else None


def _subject_type(subject) -> str:
    if isinstance(subject, Job):
        return "job"
    if isinstance(subject, Company):
        return "company"
    raise TypeError(f"cannot moderate a {type(subject).__name__}")


def open_case(subject, state: str, reason: str = "other", note: str = "", actor: User | None = None) -> Moderation:
    """Open (or re-open) the subject's case. One row per subject, created atomically: two admins
    acting at once update the same case instead of racing into a unique-constraint error."""
    kind = _subject_type(subject)
    insert_ignore(
        Moderation,
        {"subject_type": kind, "subject_id": subject.id, "state": state, "reason": reason, "note": note},
        ["subject_type", "subject_id"],
    )
    case = case_for(subject)
    db.session.refresh(case)
    case.state, case.reason, case.note = state, reason, note
    case.review_note, case.resolution, case.review_requested_at = "", None, None
    case.moderated_by_id = getattr(actor, "id", None)
    case.updated_at = utcnow()
    db.session.flush()
    return case


def check_publishable(job: Job, actor: User) -> bool:
    """Called before a job goes live. Raises ValidationError while the job or its company is taken
    down; returns False (and opens an "awaiting approval" case) when the job must wait for an
    admin's approval; True when it may go live. Admins pass: they approve through this service."""
    if actor.is_admin:
        return True
    company_case = open_case_for(job.company)
    if company_case is not None:
        raise ValidationError(
            f"{job.company.name} was taken down by a moderator ({company_case.reason_label}): no job can be "
            "published until a moderator approves the company. See your dashboard."
        )
    case = case_for(job)
    if case is not None and case.state == "awaiting_approval":
        return False
    if case is not None and case.is_open:
        raise ValidationError(
            f"A moderator took this job down ({case.reason_label}), so it cannot be reopened. "
            "Edit it and ask for a review instead."
        )
    approved = case is not None and case.resolution == "approved"
    if current_app.config["MODERATE_NEW_COMPANIES"] and not approved and _first_job(job):
        open_case(job, "awaiting_approval", reason="other", note="A new company's first job", actor=actor)
        audit.record(actor, "job.awaiting_approval", job, title=job.title)
        return False
    return True


def keeps_down(job: Job) -> bool:
    """True while the job or its company is taken down (nothing may put it back on the board)."""
    case = open_case_for(job)
    return (case is not None and case.state != "awaiting_approval") or open_case_for(job.company) is not None


def sync_hold(company: Company, job: Job | None = None) -> str | None:
    """Why an ATS sync may not put this job (or, with job None, a new job of this company) on the
    board, or None when it may. Stricter than keeps_down: a job awaiting approval waits for the
    admin too, since the ATS listing it open is no approval. The reason is shown on the sync's report."""
    company_case = open_case_for(company)
    if company_case is not None:
        return (
            f"{company.name} was taken down by a moderator ({company_case.reason_label}): jobs listed open "
            "in the ATS stay off the board until a moderator approves the company."
        )
    case = open_case_for(job) if job is not None else None
    if case is None:
        return None
    if case.state == "awaiting_approval":
        return f"“{job.title}” waits for a moderator's approval: the sync does not publish it."
    return (
        f"A moderator took “{job.title}” down ({case.reason_label}): the sync does not reopen it. "
        "Edit it and ask for a review."
    )


def _first_job(job: Job) -> bool:
    """True when the company has never had a job on the board."""
    return (
        db.session.scalar(
            select(Job.id).where(Job.company_id == job.company_id, Job.published_at.is_not(None), Job.id != job.id)
        )
        is None
        and job.published_at is None
    )


def request_review(subject, actor: User) -> Moderation:
    """The recruiter edited the job (or company) and asks for a review: it goes to the admin queue. Flushes."""
    case = open_case_for(subject)
    if case is None or case.state == "awaiting_approval":
        raise ValidationError("There is nothing to review: this is not taken down.")
    if case.state == "in_review":
        return case  # asked already: idempotent
    case.state, case.review_requested_at = "in_review", utcnow()
    audit.record(actor, f"{_subject_type(subject)}.review_requested", subject, reason=case.reason)
    db.session.flush()
    return case


def cases_for_jobs(job_ids) -> dict[int, Moderation]:
    """Job id -> its case (open or not), in one query, for the recruiter's dashboard."""
    ids = list(job_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Moderation).where(Moderation.subject_type == "job", Moderation.subject_id.in_(ids))
    )
    return {row.subject_id: row for row in rows}


def review_queue() -> list[tuple[Moderation, object]]:
    """Cases waiting for an admin (review requested, or a first job awaiting approval), oldest first,
    each with its job or company."""
    cases = db.session.scalars(
        select(Moderation)
        .where(Moderation.state.in_(("in_review", "awaiting_approval")))
        .order_by(Moderation.updated_at, Moderation.id)
    ).all()
    return [(case, subject_of(case)) for case in cases]


def subject_of(case: Moderation):
    return db.session.get(Job if case.subject_type == "job" else Company, case.subject_id)
