"""People's control over their data: "Download my data" (a zip built in the background) and
"Delete my account" (a grace period with an undo link, then anonymisation).

Deleting an account keeps the companies' records whole but anonymous: applications stay (their
stage history and the recruiters' notes), without the person's name, email, cover letter or
resume; the profile, every uploaded file, saved jobs, alerts and exports are deleted.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, or_, select, update

from ..database import insert_ignore
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import (
    AccountDeletion,
    Application,
    CandidateProfile,
    Company,
    DataExport,
    Document,
    EmailMessage,
    EmailPreference,
    JobAlert,
    Membership,
    SavedJob,
    User,
    utcnow,
)
from ..tasks import enqueue
from . import accounts, audit, companies, preferences
from .notifications import external_url, queue_email

# --- Download my data -----------------------------------------------------------------------------


def request_export(user: User) -> DataExport:
    """Start building the user's zip (a background job, after commit). One at a time: a request
    while one is being built returns that one. Flushes."""
    running = db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id, DataExport.status.in_(("queued", "running")))
    )
    if running is not None:
        return running
    export = DataExport(user_id=user.id, status="queued", progress=0)
    db.session.add(export)
    db.session.flush()
    enqueue("privacy.build_export", export.id)
    return export


def get_export(user: User, export_id: int) -> DataExport:
    """The user's own export; anyone else's is 404 (ids are not confirmed)."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id:
        raise NotFound("No such export.")
    return export


def download(user: User, export_id: int) -> tuple[bytes, str]:
    export = get_export(user, export_id)
    if not export.is_downloadable:
        raise NotFound("This download has expired or is not ready. Ask for a new one.")
    return export.data, f"jobifies-data-{export.created_at:%Y-%m-%d}.zip"


def latest_export(user: User) -> DataExport | None:
    return db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc()).limit(1)
    )


def build_export(export_id: int, checkpoint: Callable[[], None]) -> DataExport | None:
    """Build the zip: data.json and the person's files. `checkpoint` commits, so the page polling
    the progress sees each step. Idempotent: a ready export is left alone."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.status == "ready":
        return export
    user = db.session.get(User, export.user_id)
    export.status, export.progress = "running", 5
    checkpoint()
    data = _personal_data(user)
    export.progress = 40
    checkpoint()
    buffer = io.BytesIO()
    documents = _own_documents(user)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, default=str, ensure_ascii=False))
        for position, document in enumerate(documents, start=1):
            name = "".join(c for c in document.filename if c.isalnum() or c in "._- ") or "file"
            archive.writestr(f"files/{document.id}-{name}", document.data)
            export.progress = 40 + int(50 * position / len(documents))
            checkpoint()
    export.data = buffer.getvalue()
    export.size = len(export.data)
    export.status, export.progress = "ready", 100
    export.finished_at = utcnow()
    export.expires_at = export.finished_at + timedelta(days=current_app.config["DATA_EXPORT_DAYS"])
    queue_email(
        user.email,
        "data_export_ready",
        user=user,
        name=user.display_name,
        link=external_url("trust.export_status", export_id=export.id),
        days=current_app.config["DATA_EXPORT_DAYS"],
    )
    checkpoint()
    return export


def fail_export(export_id: int, error: str) -> None:
    db.session.execute(update(DataExport).where(DataExport.id == export_id).values(status="failed", error=error[:500]))


def expire_exports(now=None) -> int:
    """Drop the bytes of expired exports (the row stays, saying it expired)."""
    now = now or utcnow()
    result = db.session.execute(
        update(DataExport)
        .where(DataExport.expires_at <= now, DataExport.data.is_not(None))
        .values(data=None, status="expired")
    )
    return result.rowcount or 0


def _own_documents(user: User) -> list[Document]:
    logos = select(Company.logo_id).where(Company.logo_id.is_not(None))
    return db.session.scalars(
        select(Document).where(Document.owner_id == user.id, Document.id.not_in(logos)).order_by(Document.id)
    ).all()


def _iso(value):
    return value.isoformat() if value is not None else None


def _personal_data(user: User) -> dict:
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
    applications = db.session.scalars(
        select(Application).where(Application.candidate_id == user.id).order_by(Application.id)
    ).all()
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "created_at": _iso(user.created_at),
            "verified_at": _iso(user.verified_at),
            "last_login_at": _iso(user.last_login_at),
            "company": user.company.name if user.company else None,
        },
        "email_preferences": preferences.get(user),
        "profile": None
        if profile is None
        else {
            "headline": profile.headline,
            "summary": profile.summary,
            "location": profile.location,
            "phone": profile.phone,
            "skills": profile.skills,
            "experience": profile.experience,
            "education": profile.education,
        },
        "applications": [
            {
                "job": a.job.title,
                "company": a.job.company.name,
                "status": a.status,
                "applied_at": _iso(a.created_at),
                "cover_letter": a.cover_letter,
                "timeline": [{"from": e.from_status, "to": e.to_status, "at": _iso(e.created_at)} for e in a.events],
            }
            for a in applications
        ],
        "saved_jobs": [
            {"job": s.job.title, "saved_at": _iso(s.created_at)}
            for s in db.session.scalars(select(SavedJob).where(SavedJob.user_id == user.id))
        ],
        "job_alerts": [
            {"name": a.name, "query": a.query, "frequency": a.frequency, "active": a.active}
            for a in db.session.scalars(select(JobAlert).where(JobAlert.user_id == user.id))
        ],
        "files": [
            {"filename": d.filename, "size": d.size, "uploaded_at": _iso(d.created_at)} for d in _own_documents(user)
        ],
    }


# --- Delete my account ----------------------------------------------------------------------------


def _undo_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="jobifies-undo-deletion")


def pending_deletion(user: User) -> AccountDeletion | None:
    row = db.session.scalar(select(AccountDeletion).where(AccountDeletion.user_id == user.id))
    return row if row is not None and row.is_pending else None


def request_deletion(user: User, password: str) -> AccountDeletion:
    """Close the account now and erase it after ACCOUNT_DELETION_GRACE_DAYS, unless the emailed
    undo link is used first. Every session ends. Flushes."""
    if user.is_admin:
        raise ValidationError("An admin account cannot be deleted here: ask another admin to remove your role first.")
    blocker = companies.ownership_blocker(user)
    if blocker:
        raise ValidationError(blocker)
    if not user.check_password(password or ""):
        raise ValidationError("Your current password is not correct.", field="password")
    now = utcnow()
    due = now + timedelta(days=current_app.config["ACCOUNT_DELETION_GRACE_DAYS"])
    insert_ignore(AccountDeletion, {"user_id": user.id, "requested_at": now, "due_at": due}, ["user_id"])
    row = db.session.scalar(select(AccountDeletion).where(AccountDeletion.user_id == user.id))
    db.session.refresh(row)
    row.requested_at, row.due_at, row.cancelled_at, row.completed_at = now, due, None, None
    user.active = False
    accounts.end_other_sessions(user)
    token = _undo_serializer().dumps({"uid": user.id, "at": now.isoformat()})
    queue_email(
        user.email,
        "account_deletion_scheduled",
        user=user,
        name=user.display_name,
        when=due.strftime("%b %-d, %Y"),
        link=external_url("trust.undo_deletion", token=token),
    )
    audit.record(user, "account.deletion_requested", user, due_at=due.isoformat())
    db.session.flush()
    return row


def deletion_from_token(token: str) -> AccountDeletion:
    """The pending deletion an undo link is for (ValidationError for a bad, old or used link)."""
    try:
        data = _undo_serializer().loads((token or "")[:1000])
    except BadSignature:
        raise ValidationError("This link is not valid. Check that you copied all of it.") from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int) or not 0 < data["uid"] < 2**31:
        raise ValidationError("This link is not valid. Check that you copied all of it.")
    row = db.session.scalar(select(AccountDeletion).where(AccountDeletion.user_id == data["uid"]))
    if row is None or row.requested_at.isoformat() != data.get("at"):
        raise ValidationError("This link is for an earlier request and no longer works.")
    if row.completed_at is not None:
        raise ValidationError("This account was already deleted; it cannot be restored.")
    if row.cancelled_at is not None:
        raise ValidationError("This deletion was already cancelled: your account is active. Log in as usual.")
    return row


def cancel_deletion(token: str) -> User:
    """The undo link: the account is active again, as it was. Flushes."""
    row = deletion_from_token(token)
    row.cancelled_at = utcnow()
    row.user.active = True
    audit.record(row.user, "account.deletion_cancelled", row.user)
    db.session.flush()
    return row.user


def due_deletions(now=None) -> list[int]:
    now = now or utcnow()
    return db.session.scalars(
        select(AccountDeletion.user_id).where(
            AccountDeletion.due_at <= now,
            AccountDeletion.cancelled_at.is_(None),
            AccountDeletion.completed_at.is_(None),
        )
    ).all()


def erase_files_and_profile(user: User) -> int:
    """Delete the person's profile and uploaded files (never a company's logo); applications keep
    their row without the resume. Returns how many files went."""
    documents = _own_documents(user)
    ids = [d.id for d in documents]
    if ids:
        db.session.execute(update(Application).where(Application.resume_id.in_(ids)).values(resume_id=None))
        db.session.execute(update(CandidateProfile).where(CandidateProfile.resume_id.in_(ids)).values(resume_id=None))
    db.session.execute(delete(CandidateProfile).where(CandidateProfile.user_id == user.id))
    if ids:
        db.session.execute(delete(Document).where(Document.id.in_(ids)))
    return len(ids)


def complete_deletion(user_id: int, now=None) -> bool:
    """Erase a due account: anonymise it for the companies, delete everything else. Idempotent;
    False if it is not (or no longer) due. Flushes."""
    now = now or utcnow()
    row = db.session.scalar(select(AccountDeletion).where(AccountDeletion.user_id == user_id).with_for_update())
    if row is None or not row.is_pending or row.due_at > now:
        return False
    user = db.session.get(User, user_id)
    old_email = user.email
    companies.owner_leaves(user)  # before the membership goes: never an ownerless company
    erase_files_and_profile(user)
    db.session.execute(update(Application).where(Application.candidate_id == user.id).values(cover_letter=""))
    for model in (SavedJob, JobAlert, DataExport, Membership):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(EmailPreference).where(EmailPreference.user_id == user.id))
    db.session.execute(
        delete(EmailMessage).where(or_(EmailMessage.user_id == user.id, EmailMessage.to_address == old_email))
    )
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.name = "Deleted user"
    user.password_hash = "!"  # noqa: S105  (not a hash: matches no password)
    user.active, user.verified_at = False, None
    user.session_version = (user.session_version or 1) + 1
    row.completed_at = now
    audit.record(None, "account.deleted", user)
    db.session.flush()
    return True
