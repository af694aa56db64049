"""A candidate's saved jobs."""

from __future__ import annotations

from sqlalchemy import literal, select, union_all
from sqlalchemy.exc import IntegrityError

from ..errors import Forbidden
from ..extensions import db
from ..models import Application, Job, SavedJob, User


def is_saved(user: User, job: Job) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(select(SavedJob.id).where(SavedJob.user_id == user.id, SavedJob.job_id == job.id)) is not None
    )


def job_marks(user: User, job_ids: list[int]) -> tuple[set[int], set[int]]:
    """(saved, applied): which of a page's jobs the signed-in candidate saved and applied to, for
    the "Saved" and "Applied" badges on its cards. One query for the whole page, never one per card;
    no query at all for anonymous visitors (whose pages are cached for everyone) or recruiters (who
    neither save nor apply)."""
    if not getattr(user, "is_authenticated", False) or user.is_recruiter or not job_ids:
        return set(), set()
    ids = sorted(set(job_ids))
    rows = db.session.execute(
        union_all(
            select(SavedJob.job_id, literal("saved")).where(SavedJob.user_id == user.id, SavedJob.job_id.in_(ids)),
            select(Application.job_id, literal("applied")).where(
                Application.candidate_id == user.id, Application.job_id.in_(ids)
            ),
        )
    ).all()
    return {job_id for job_id, kind in rows if kind == "saved"}, {job_id for job_id, kind in rows if kind == "applied"}


RECRUITERS_CANNOT_SAVE = "Recruiter accounts cannot save jobs: saved jobs are for candidates looking for work."


def set_saved(user: User, job: Job, saved: bool) -> bool:
    """Save or unsave; idempotent either way (a double click never errors). Returns the new state.

    Raises Forbidden for a recruiter: saved jobs are a candidate's list (a recruiter has no page
    showing them)."""
    if user.is_recruiter:
        raise Forbidden(RECRUITERS_CANNOT_SAVE)
    existing = db.session.scalar(select(SavedJob).where(SavedJob.user_id == user.id, SavedJob.job_id == job.id))
    if saved and existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(SavedJob(user_id=user.id, job_id=job.id))
        except IntegrityError:
            pass  # saved by a concurrent request: the outcome the user asked for
    elif not saved and existing is not None:
        db.session.delete(existing)
    db.session.flush()
    return saved


def saved_jobs(user: User) -> list[SavedJob]:
    return list(
        db.session.scalars(
            select(SavedJob).where(SavedJob.user_id == user.id).order_by(SavedJob.created_at.desc(), SavedJob.id.desc())
        )
    )
