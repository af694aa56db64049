""" "Report this job": anyone, logged in or not, may report a public job once, with a reason."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from ..database import insert_ignore
from ..errors import ValidationError
from ..models import REPORT_REASONS, JobReport, User
from . import jobs

MAX_DETAILS = 2000


def reporter_key(user: User | None, ip: str) -> str:
    """Who reported, for deduplication: the account, else a keyed hash of the IP (the address
    itself is never stored)."""
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.id}"
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), (ip or "").encode(), hashlib.sha256).hexdigest()
    return f"ip:{digest[:64]}"


def file_report(job_id: int, user: User | None, ip: str, reason: str, details: str = "") -> bool:
    """Record the report. True if it is new; False if this reporter already reported this job
    (one atomic INSERT .. ON CONFLICT DO NOTHING: a double submit cannot add two). Flushes."""
    job = jobs.get_public_job(job_id)
    if reason not in REPORT_REASONS:
        raise ValidationError("Choose what is wrong with this job.", field="reason")
    details = (details or "").strip()[:MAX_DETAILS]
    if reason == "other" and not details:
        raise ValidationError("Tell us what is wrong in a few words.", field="details")
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return insert_ignore(
        JobReport,
        {
            "job_id": job.id,
            "reporter_id": user.id if authenticated else None,
            "reporter_key": reporter_key(user, ip),
            "reason": reason,
            "details": details,
        },
        ["job_id", "reporter_key"],
    )
