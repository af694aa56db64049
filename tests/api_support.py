"""Helpers for the API tests: tokens for each role, and a small world of objects."""

from __future__ import annotations

from io import BytesIO

from factories import make_application, make_job, make_recruiter, make_user, pdf_bytes
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import API_SCOPES, ApplicationNote, Document
from app.services import api_tokens

ALL_SCOPES = list(API_SCOPES)


def token_for(user, scopes=None, days: int | None = 30) -> str:
    allowed = api_tokens.allowed_scopes(user)
    _, secret = api_tokens.create_token(user, "test", [s for s in (scopes or ALL_SCOPES) if s in allowed], days)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def stored_resume(user) -> Document:
    from app.services import documents

    document = documents.store_resume(
        user, FileStorage(BytesIO(pdf_bytes()), filename="resume.pdf", content_type="application/pdf")
    )
    db.session.commit()
    return document


def make_world() -> dict:
    """Company A (owner + a job with an application and a note), company B, two candidates, an
    admin: the objects every authorization row names, and a token per role."""
    owner_a = make_recruiter("Company A")
    owner_b = make_recruiter("Company B")
    job = make_job(owner_a)
    draft = make_job(owner_a, status="draft", title="Secret draft")
    candidate = make_user("candidate-a@example.com")
    other = make_user("candidate-b@example.com")
    admin = make_user("admin@example.com", role="admin")
    application = make_application(job, candidate)
    resume = stored_resume(candidate)
    note = ApplicationNote(application_id=application.id, author_id=owner_a.id, body="private")
    db.session.add(note)
    db.session.commit()
    return {
        "users": {"owner_a": owner_a, "owner_b": owner_b, "candidate": candidate, "other": other, "admin": admin},
        "tokens": {
            "anonymous": None,
            "candidate": token_for(candidate),
            "other_candidate": token_for(other),
            "recruiter_a": token_for(owner_a),
            "recruiter_b": token_for(owner_b),
            "admin": token_for(admin),
        },
        "ids": {
            "job": job.id,
            "draft": draft.id,
            "application": application.id,
            "note": note.id,
            "resume": resume.id,
            "candidate": candidate.id,
            "other": other.id,
            "company_a": owner_a.company.slug,
            "company_b": owner_b.company.slug,
        },
    }
