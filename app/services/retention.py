"""Retention (RETENTION_DAYS, off by default): candidates inactive that long lose their resumes and
profile, after an email warning RETENTION_WARNING_DAYS before. Logging in counts as activity and
cancels a warning. Applications stay (without the resume)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, func, or_, select

from ..database import insert_ignore
from ..extensions import db
from ..models import CandidateProfile, Document, Membership, RetentionNotice, User, utcnow
from . import audit, privacy
from .notifications import external_url, queue_email


def _activity():
    return func.coalesce(User.last_login_at, User.created_at)


def _candidates_with_data():
    has_data = or_(exists().where(CandidateProfile.user_id == User.id), exists().where(Document.owner_id == User.id))
    no_seat = ~exists().where(Membership.user_id == User.id)
    return select(User).where(User.role == "candidate", User.active.is_(True), no_seat, has_data)


def sweep(now=None) -> tuple[int, int]:
    """Warn who will be purged, purge who was warned and stayed away. Returns (warned, purged).
    Nothing at all with RETENTION_DAYS=0. Flushes; safe to run any time."""
    days = current_app.config["RETENTION_DAYS"]
    if not days:
        return 0, 0
    now = now or utcnow()
    warn_days = min(current_app.config["RETENTION_WARNING_DAYS"], days)
    warned = purged = 0
    # Warn: inactive for (days - warn_days), not warned since their last activity.
    quiet = _candidates_with_data().where(_activity() < now - timedelta(days=days - warn_days))
    for user in db.session.scalars(quiet.limit(500)).all():
        notice = db.session.get(RetentionNotice, user.id)
        last = user.last_login_at or user.created_at
        if notice is not None and notice.warned_at >= last and notice.purged_at is None:
            # Warned and still away: purge once the warning period is over and the full time has passed.
            if notice.warned_at <= now - timedelta(days=warn_days) and last < now - timedelta(days=days):
                privacy.erase_files_and_profile(user)
                notice.purged_at = now
                audit.record(None, "retention.purged", user, days=days)
                purged += 1
            continue
        if notice is not None and notice.purged_at is not None and notice.warned_at >= last:
            continue  # purged already; new data since is theirs to keep until the next round
        insert_ignore(RetentionNotice, {"user_id": user.id, "warned_at": now}, ["user_id"])
        notice = db.session.get(RetentionNotice, user.id, populate_existing=True)
        notice.warned_at, notice.purged_at = now, None
        queue_email(
            user.email,
            "retention_warning",
            user=user,
            name=user.display_name,
            days=warn_days,
            login_link=external_url("auth.login"),
        )
        warned += 1
    db.session.flush()
    return warned, purged
