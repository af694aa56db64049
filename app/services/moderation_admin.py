"""The admin's side of moderation: take a job or a company down with a reason, answer review
requests (approve or reject), close reports. Every action is audit-logged with its reason and the
company's team is emailed. The rules a case enforces live in services.moderation."""

from __future__ import annotations

from sqlalchemy import select, update

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import MODERATION_REASONS, Company, Job, JobReport, Moderation, User, utcnow
from . import audit, jobs, moderation
from .notifications import external_url, queue_email


def _reason(reason: str, note: str) -> tuple[str, str]:
    if reason not in MODERATION_REASONS:
        raise ValidationError("Choose a reason from the list.", field="reason")
    note = (note or "").strip()[:2000]
    if reason == "other" and not note:
        raise ValidationError("Say what is wrong: “Other” needs a few words.", field="note")
    return reason, note


def _tell_team(company: Company, template: str, **context) -> None:
    for membership in company.memberships:
        user = membership.user
        queue_email(user.email, template, user=user, name=user.display_name, company=company.name, **context)


def take_down_job(admin: User, job_id: int, reason: str, note: str = "") -> Job:
    """Close the job and open its case: the recruiter sees why and cannot reopen it. Flushes."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job.")
    reason, note = _reason(reason, note)
    if job.status not in ("closed", "draft"):
        job.status, job.closed_at = "closed", utcnow()
    case = moderation.open_case(job, "moderated", reason, note, admin)
    resolve_reports_of(admin, job)
    audit.record(admin, "job.unpublished", job, title=job.title, reason=reason, note=note)
    _tell_team(
        job.company,
        "job_moderated",
        job_title=job.title,
        reason=case.reason_label,
        note=note,
        link=external_url("recruiter.edit_job", job_id=job.id),
    )
    db.session.flush()
    return job


def take_down_company(admin: User, company_id: int, reason: str, note: str = "") -> Company:
    """Close every open job of the company and stop it publishing until approved. Flushes."""
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound("No such company.")
    reason, note = _reason(reason, note)
    now = utcnow()
    db.session.execute(
        update(Job)
        .where(Job.company_id == company.id, Job.status == "published")
        .values(status="closed", closed_at=now, updated_at=now)
    )
    case = moderation.open_case(company, "moderated", reason, note, admin)
    audit.record(admin, "company.moderated", company, name=company.name, reason=reason, note=note)
    _tell_team(
        company,
        "company_moderated",
        reason=case.reason_label,
        note=note,
        link=external_url("recruiter.dashboard"),
    )
    db.session.flush()
    return company


def get_case(case_id: int) -> tuple[Moderation, object]:
    case = db.session.get(Moderation, case_id)
    subject = moderation.subject_of(case) if case is not None else None
    if case is None or subject is None:
        raise NotFound("No such moderation case.")
    return case, subject


def approve(admin: User, case_id: int, note: str = "") -> Moderation:
    """Close the case. An approved job goes (back) on the board; an approved company may publish again.
    Flushes."""
    case, subject = get_case(case_id)
    if not case.is_open:
        raise ValidationError("This case is already closed.")
    case.state, case.resolution, case.review_note = "resolved", "approved", (note or "").strip()[:2000]
    db.session.flush()
    kind = case.subject_type
    audit.record(admin, f"{kind}.approved", subject, reason=case.reason, note=case.review_note)
    if kind == "job":
        jobs.publish_job(subject, admin)
        _tell_team(
            subject.company,
            "moderation_approved",
            subject=f"“{subject.title}”",
            note=case.review_note,
            link=external_url("public.job_detail", job_id=subject.id, slug=subject.slug),
        )
    else:
        _tell_team(
            subject,
            "moderation_approved",
            subject=subject.name,
            note=case.review_note,
            link=external_url("recruiter.dashboard"),
        )
    return case


def reject(admin: User, case_id: int, note: str) -> Moderation:
    """Turn down a review request: the subject stays down and the recruiter reads why. Flushes."""
    case, subject = get_case(case_id)
    if case.state not in ("in_review", "awaiting_approval"):
        raise ValidationError("Only a case waiting for review can be rejected.")
    note = (note or "").strip()[:2000]
    if not note:
        raise ValidationError("Tell the recruiter what still needs to change.", field="note")
    case.state, case.review_note, case.review_requested_at = "moderated", note, None
    label = f"“{subject.title}”" if case.subject_type == "job" else subject.name
    audit.record(admin, f"{case.subject_type}.review_rejected", subject, reason=case.reason, note=note)
    company = subject.company if case.subject_type == "job" else subject
    link = (
        external_url("recruiter.edit_job", job_id=subject.id)
        if case.subject_type == "job"
        else external_url("recruiter.dashboard")
    )
    _tell_team(company, "moderation_rejected", subject=label, note=note, link=link)
    db.session.flush()
    return case


def open_reports() -> list[JobReport]:
    return db.session.scalars(
        select(JobReport).where(JobReport.resolved_at.is_(None)).order_by(JobReport.created_at, JobReport.id)
    ).all()


def dismiss_report(admin: User, report_id: int, note: str) -> JobReport:
    """Close a report without taking the job down (the reason is audit-logged). Flushes."""
    report = db.session.get(JobReport, report_id)
    if report is None:
        raise NotFound("No such report.")
    if report.resolved_at is None:
        report.resolved_at, report.resolved_by_id = utcnow(), admin.id
        audit.record(admin, "report.dismissed", report, job_id=report.job_id, reason=(note or "").strip()[:2000])
    db.session.flush()
    return report


def resolve_reports_of(admin: User, job: Job) -> None:
    """Taking a job down answers every open report about it."""
    db.session.execute(
        update(JobReport)
        .where(JobReport.job_id == job.id, JobReport.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=admin.id)
    )
