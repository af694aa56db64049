"""Applications: apply, move through the pipeline, withdraw, notes. Every status change is an event."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..integrations.documents import PDF
from ..models import (
    PIPELINE_STAGES,
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
from ..telemetry import metrics
from . import ats_outbound, channels, documents, emails, mentions, outbound_webhooks, profiles, resumes

MAX_COVER_LETTER = 10_000
MAX_NOTE = 5_000
RECRUITERS_CANNOT_APPLY = (
    "Recruiter accounts cannot apply to jobs: applications come from candidate accounts. "
    "Sign up with another email address to apply as a candidate."
)

# Why a candidate was rejected: private to the team (recorded in the timeline note, which candidates
# never see), so the team can look back at its decisions.
REJECTION_REASONS = (
    "Not enough relevant experience",
    "Skills do not match the role",
    "Chose another candidate",
    "Position filled or closed",
    "Candidate not reachable",
    "Other",
)
MAX_BULK = 200


def existing_application(job: Job, candidate: User) -> Application | None:
    return db.session.scalar(
        select(Application).where(Application.job_id == job.id, Application.candidate_id == candidate.id)
    )


def already_applied(application: Application) -> Conflict:
    """The one "already applied" answer, for the form and for the API alike."""
    return Conflict(f"You already applied on {application.created_at:%B %-d, %Y}.")


def profile_resume(candidate: User) -> Document | None:
    """The resume on the candidate's profile, which they can apply with instead of uploading."""
    profile = profiles.get_profile(candidate)
    return profile.resume if profile is not None else None


def quick_apply_ready(candidate: User) -> bool:
    """One-click apply: a candidate (not a recruiter) whose profile is reviewed and has a resume."""
    if not candidate.is_authenticated or candidate.is_recruiter:
        return False
    profile = profiles.reviewed_profile(candidate)
    return profile is not None and profile.resume_id is not None


def apply(
    job: Job,
    candidate: User,
    resume_upload,
    cover_letter: str = "",
    source: str = "web",
    use_profile_resume: bool = False,
    stored_resume: Document | None = None,
) -> Application:
    """Create an application with its first timeline event and stored resume. Flushes.

    `use_profile_resume`: apply with the resume already on the candidate's profile (no upload).
    `stored_resume`: one of the candidate's earlier uploads (get_candidate_document) instead of a
    new file (the API's {"resume_id": ...}).

    Raises Forbidden (a recruiter), ValidationError (closed job, bad file), Conflict (already
    applied; the unique constraint on (job, candidate) backs this up against two submits racing).
    """
    if candidate.membership is not None and candidate.membership.company_id == job.company_id:
        raise ValidationError("You cannot apply to a job at your own company.")
    if candidate.membership is not None:
        # Recruiters see their company's pipelines, not a candidate's list: an application made
        # from their account could be neither followed nor withdrawn.
        raise Forbidden(RECRUITERS_CANNOT_APPLY)
    if not job.is_open:
        raise ValidationError("This job is no longer accepting applications.")
    previous = existing_application(job, candidate)
    if previous is not None:
        raise already_applied(previous)
    cover_letter = (cover_letter or "").strip()
    if len(cover_letter) > MAX_COVER_LETTER:
        raise ValidationError(f"Keep the cover letter under {MAX_COVER_LETTER:,} characters.", field="cover_letter")
    if stored_resume is not None and stored_resume.owner_id != candidate.id:
        raise NotFound("No such file.")
    if stored_resume is not None:
        resume = stored_resume
    elif use_profile_resume:
        resume = profile_resume(candidate)
        if resume is None:
            raise ValidationError("Your profile has no resume yet: upload one here.", field="resume")
    else:
        resume = documents.store_resume(candidate, resume_upload)
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
    metrics.application(job.employment_type, "submitted")
    resumes.application_submitted(application)  # parse into the profile if unreviewed; score
    channels.application_submitted(application)  # emails, and the company's Slack
    ats_outbound.application_submitted(application)  # to the company's ATS, after this commits
    _application_event(application, "application.created")
    return application


def _application_event(application: Application, event_type: str, from_status: str | None = None) -> None:
    data = {"application": {"id": application.id, "job_id": application.job_id, "status": application.status}}
    if from_status is not None:
        data["application"]["previous_status"] = from_status
    outbound_webhooks.emit(application.job.company_id, event_type, data)


def move_application(
    application: Application,
    actor: User | None,
    to_status: str,
    note: str = "",
    *,
    reason: str = "",
    email: str = emails.DEFAULT_STAGE_EMAIL,
) -> Application:
    """Recruiter moves an application to another stage; records who, from, to, when. Flushes.

    `actor` is None when the move comes from the company's ATS (the note says from where).
    A tampered stage name is a ValidationError; moving a withdrawn application is refused.
    Rejecting takes an optional `reason` (one of REJECTION_REASONS, kept in the private timeline
    note) and `email`: which message the candidate gets (emails.STAGE_EMAILS), or "none".
    """
    _check_move(to_status, reason, email)
    if application.status == "withdrawn":
        raise ValidationError("The candidate withdrew this application; it can no longer be moved.")
    if to_status == application.status:
        return application
    note = (note or "").strip()
    if to_status == "rejected" and reason:
        note = f"Reason: {reason}" + (f". {note}" if note else "")
    event = ApplicationEvent(
        actor_id=actor.id if actor else None,
        from_status=application.status,
        to_status=to_status,
        note=note[:MAX_NOTE],
    )
    application.events.append(event)
    from_status = application.status
    application.status = to_status
    db.session.flush()
    channels.application_moved(application, actor, event.id, email)  # email, SMS/WhatsApp, Slack
    _application_event(application, "application.stage_changed", from_status)
    return application


def _check_move(to_status: str, reason: str, email: str) -> None:
    if to_status not in RECRUITER_STAGES:
        raise ValidationError(f"Unknown stage {to_status!r}.", field="status")
    if reason and reason not in REJECTION_REASONS:
        raise ValidationError("Choose a rejection reason from the list.", field="reason")
    if email not in emails.STAGE_EMAILS:
        raise ValidationError("Choose an email from the list.", field="email")


def next_stage(application: Application) -> str | None:
    """The stage after this one in the pipeline (the board's one-click move), or None at the end."""
    if application.status not in PIPELINE_STAGES or application.status == PIPELINE_STAGES[-1]:
        return None
    return PIPELINE_STAGES[PIPELINE_STAGES.index(application.status) + 1]


def bulk_move(
    company: Company, job: Job, application_ids: list[int], actor: User, to_status: str, **options
) -> tuple[int, int]:
    """Move several of one job's applications at once: (moved, skipped). Every id must be an
    application to `job` of `company` (else NotFound, nothing moved); withdrawn ones are skipped."""
    _check_move(to_status, options.get("reason", ""), options.get("email", emails.DEFAULT_STAGE_EMAIL))
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        raise ValidationError("Select at least one candidate first.", field="ids")
    if len(ids) > MAX_BULK:
        raise ValidationError(f"Move at most {MAX_BULK} candidates at once.", field="ids")
    if job.company_id != company.id:
        raise NotFound("No such job in your company.")
    found = db.session.scalars(
        select(Application).where(Application.id.in_(ids), Application.job_id == job.id).order_by(Application.id)
    ).all()
    if len(found) != len(ids):
        raise NotFound("Some of those applications are not in this job's pipeline.")
    moved = skipped = 0
    for application in found:
        if application.status == "withdrawn" or application.status == to_status:
            skipped += 1
            continue
        move_application(application, actor, to_status, **options)
        moved += 1
    return moved, skipped


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
    """A private note by a teammate; each teammate it @mentions is emailed (services/mentions.py). Flushes."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write something first.", field="body")
    if len(body) > MAX_NOTE:
        raise ValidationError(f"Keep notes under {MAX_NOTE:,} characters.", field="body")
    note = ApplicationNote(application=application, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    mentions.note_added(note, author)
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


def resume_preview(application: Application) -> dict:
    """What the recruiter's application page shows of the resume: {"kind": "pdf"} (shown inline by
    the browser), {"kind": "text", "text": ...} for a DOCX (its extracted text), {"kind": "pending"}
    while the text is not read yet, or {"kind": "none"} without a resume."""
    document = application.resume
    if document is None:
        return {"kind": "none"}
    if document.content_type == PDF:
        return {"kind": "pdf"}
    if document.extracted_text is None:
        return {"kind": "pending"}
    return {"kind": "text", "text": document.extracted_text}


def inline_resume(company: Company | None, application_id: int) -> Document:
    """The PDF resume of an application to one of `company`'s jobs, to show inline; NotFound for
    anything else (another company's application, no resume, a DOCX)."""
    application = get_company_application(company, application_id)
    if application.resume is None or application.resume.content_type != PDF:
        raise NotFound("This application has no PDF resume to show.")
    return application.resume


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


def _board_order(sort: str) -> list:
    """The order of the cards within a stage on the pipeline board (and so of previous / next)."""
    order = [Application.created_at.desc(), Application.id.desc()]
    if sort == "score":
        order = [Application.match_score.desc().nulls_last()] + order
    return order


def pipeline(job: Job, sort: str = "newest") -> dict[str, list[Application]]:
    """The job's applications grouped by stage, in pipeline order."""
    applications = db.session.scalars(
        select(Application).where(Application.job_id == job.id).order_by(*_board_order(sort))
    ).all()
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


def neighbours(application: Application, sort: str = "newest") -> dict:
    """The applicants before and after `application` for the same job, in the pipeline board's
    order (stage by stage, then newest first or best score first): {"previous", "next"} (an
    Application or None), "position" (1-based) and "total". Only ids and stages are read, in one
    query; the neighbours belong to the same job, hence the same company."""
    rows = db.session.execute(
        select(Application.id, Application.status)
        .where(Application.job_id == application.job_id)
        .order_by(*_board_order(sort))
    ).all()
    stages = list(STAGE_LABELS)
    ids = [row.id for row in sorted(rows, key=lambda row: stages.index(row.status))]  # stable: keeps the order
    at = ids.index(application.id)
    return {
        "previous": db.session.get(Application, ids[at - 1]) if at > 0 else None,
        "next": db.session.get(Application, ids[at + 1]) if at + 1 < len(ids) else None,
        "position": at + 1,
        "total": len(ids),
    }
