"""Applications: apply, move through the pipeline, withdraw, notes. Every status change is an event."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import (
    RECRUITER_STAGES,
    STAGE_LABELS,
    Application,
    ApplicationEvent,
    ApplicationNote,
    Company,
    Document,
    Job,
    User,
)
from . import ats_sync, documents, emails, outbound_webhooks, resumes

MAX_COVER_LETTER = 10_000
MAX_NOTE = 5_000


def existing_application(job: Job, candidate: User) -> Application | None:
    return db.session.scalar(
        select(Application).where(Application.job_id == job.id, Application.candidate_id == candidate.id)
    )


def already_applied(application: Application) -> Conflict:
    """The one "already applied" answer, for the form and for the API alike."""
    return Conflict(f"You already applied on {application.created_at:%B %-d, %Y}.")


def apply(
    job: Job,
    candidate: User,
    resume_upload,
    cover_letter: str = "",
    source: str = "web",
    stored_resume: Document | None = None,
) -> Application:
    """Create an application with its first timeline event and stored resume. Flushes.

    `stored_resume`: one of the candidate's earlier uploads (get_candidate_document) instead of a
    new file (the API's {"resume_id": ...}).

    Raises ValidationError (closed job, bad file), Conflict (already applied; the unique constraint
    on (job, candidate) backs this up against two submits racing).
    """
    if not job.is_open:
        raise ValidationError("This job is no longer accepting applications.")
    if candidate.membership is not None and candidate.membership.company_id == job.company_id:
        raise ValidationError("You cannot apply to a job at your own company.")
    previous = existing_application(job, candidate)
    if previous is not None:
        raise already_applied(previous)
    cover_letter = (cover_letter or "").strip()
    if len(cover_letter) > MAX_COVER_LETTER:
        raise ValidationError(f"Keep the cover letter under {MAX_COVER_LETTER:,} characters.", field="cover_letter")
    if stored_resume is not None and stored_resume.owner_id != candidate.id:
        raise NotFound("No such file.")
    resume = stored_resume if stored_resume is not None else documents.store_resume(candidate, resume_upload)
    application = Application(
        job=job, candidate=candidate, resume=resume, cover_letter=cover_letter, status="applied", source=source
    )
    application.events.append(ApplicationEvent(actor_id=candidate.id, from_status=None, to_status="applied"))
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:
        previous = existing_application(job, candidate)
        if previous is None:
            raise
        raise already_applied(previous) from None
    resumes.application_submitted(application)  # parse into the profile if unreviewed; score
    emails.application_received(application)
    ats_sync.application_submitted(application)  # to the company's ATS, after this commits
    _application_event(application, "application.created")
    return application


def _application_event(application: Application, event_type: str, from_status: str | None = None) -> None:
    data = {"application": {"id": application.id, "job_id": application.job_id, "status": application.status}}
    if from_status is not None:
        data["application"]["previous_status"] = from_status
    outbound_webhooks.emit(application.job.company_id, event_type, data)


def move_application(application: Application, actor: User | None, to_status: str, note: str = "") -> Application:
    """Recruiter moves an application to another stage; records who, from, to, when. Flushes.

    `actor` is None when the move comes from the company's ATS (the note says from where).
    A tampered stage name is a ValidationError; moving a withdrawn application is refused.
    """
    if to_status not in RECRUITER_STAGES:
        raise ValidationError(f"Unknown stage {to_status!r}.", field="status")
    if application.status == "withdrawn":
        raise ValidationError("The candidate withdrew this application; it can no longer be moved.")
    if to_status == application.status:
        return application
    event = ApplicationEvent(
        actor_id=actor.id if actor else None,
        from_status=application.status,
        to_status=to_status,
        note=(note or "").strip()[:MAX_NOTE],
    )
    application.events.append(event)
    from_status = application.status
    application.status = to_status
    db.session.flush()
    emails.stage_changed(application)
    _application_event(application, "application.stage_changed", from_status)
    return application


def withdraw(application: Application, candidate: User) -> Application:
    """The candidate withdraws an open application; recorded on the timeline. Idempotent."""
    if application.status == "withdrawn":
        return application
    if not application.is_open:
        raise ValidationError(f"This application is already {STAGE_LABELS[application.status].lower()}.")
    application.events.append(
        ApplicationEvent(actor_id=candidate.id, from_status=application.status, to_status="withdrawn")
    )
    previous = application.status
    application.status = "withdrawn"
    db.session.flush()
    _application_event(application, "application.withdrawn", previous)
    return application


def add_note(application: Application, author: User, body: str) -> ApplicationNote:
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write something first.", field="body")
    if len(body) > MAX_NOTE:
        raise ValidationError(f"Keep notes under {MAX_NOTE:,} characters.", field="body")
    note = ApplicationNote(application=application, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def delete_note(company: Company | None, note_id: int) -> None:
    note = get_company_note(company, note_id)
    db.session.delete(note)
    db.session.flush()


def get_company_application(company: Company | None, application_id: int) -> Application:
    """An application to one of `company`'s jobs, else NotFound."""
    application = db.session.get(Application, application_id)
    if application is None or company is None or application.job.company_id != company.id:
        raise NotFound("No such application in your company.")
    return application


def get_company_note(company: Company | None, note_id: int) -> ApplicationNote:
    note = db.session.get(ApplicationNote, note_id)
    if note is None or company is None or note.application.job.company_id != company.id:
        raise NotFound("No such note.")
    return note


def get_visible_application(user: User, application_id: int) -> Application:
    """An application its candidate or its company's recruiters may see; NotFound for anyone else
    (ids are not confirmed)."""
    application = db.session.get(Application, application_id)
    if application is not None and application.candidate_id == user.id:
        return application
    return get_company_application(user.company, application_id)


def is_company_side(user: User, application: Application) -> bool:
    """True for a recruiter of the application's company (who sees notes and timeline notes)."""
    return user.company is not None and application.job.company_id == user.company.id


def change_status(application: Application, actor: User, to_status: str, note: str = "") -> Application:
    """One entry point for "set this application's status": the candidate withdraws their own,
    the company's recruiters move it through the pipeline. Anyone else: NotFound. Flushes."""
    if is_company_side(actor, application):
        return move_application(application, actor, to_status, note)
    if application.candidate_id == actor.id:
        if to_status != "withdrawn":
            raise ValidationError("Candidates can only withdraw an application.", field="status")
        return withdraw(application, actor)
    raise NotFound("No such application.")


def job_applications(job: Job, stages: list[str], page: int, per_page: int) -> tuple[list[Application], int]:
    """A page of one job's applications, newest first, optionally only in `stages`."""
    query = select(Application).where(Application.job_id == job.id)
    if stages:
        query = query.where(Application.status.in_(stages))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.order_by(Application.created_at.desc(), Application.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(items), total


def get_candidate_application(candidate: User, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.candidate_id != candidate.id:
        raise NotFound("No such application.")
    return application


def candidate_applications(candidate: User) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.candidate_id == candidate.id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


def pipeline(job: Job, sort: str = "newest") -> dict[str, list[Application]]:
    """The job's applications grouped by stage, in pipeline order."""
    order = [Application.created_at.desc(), Application.id.desc()]
    if sort == "score":
        order = [Application.match_score.desc().nulls_last()] + order
    applications = db.session.scalars(select(Application).where(Application.job_id == job.id).order_by(*order)).all()
    stages: dict[str, list[Application]] = {stage: [] for stage in STAGE_LABELS}
    for application in applications:
        stages.setdefault(application.status, []).append(application)
    return stages


def get_candidate_document(candidate: User, document_id: int):
    """One of the candidate's own uploads, else NotFound."""
    document = db.session.get(Document, document_id)
    if document is None or document.owner_id != candidate.id:
        raise NotFound("No such file.")
    return document
