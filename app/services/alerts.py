"""Job alerts: a saved search, mailed as a digest of the jobs published since the last one."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from werkzeug.datastructures import MultiDict

from .. import search
from ..database import insert_ignore
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import ALERT_FREQUENCIES, EMPLOYMENT_TYPES, SENIORITIES, WORKPLACES, JobAlert, User, utcnow
from .notifications import external_url, queue_email

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# The hourly run should not slide a daily digest by an hour each day.
SLACK = timedelta(minutes=30)
MAX_ALERTS_PER_USER = 20
MAX_JOBS_PER_DIGEST = 20
# Only these query-string keys describe a search; paging and sorting are not part of an alert.
SEARCH_KEYS = ("q", "location", "workplace", "employment_type", "seniority", "salary_min", "company")


def _params(query: dict):
    return search.parse_params(
        MultiDict(
            [
                (key, value)
                for key, values in query.items()
                for value in (values if isinstance(values, list) else [values])
            ]
        )
    )


def clean_query(args: MultiDict) -> dict:
    """The search part of a query string, as {key: [values]} (what an alert stores)."""
    query = {}
    for key in SEARCH_KEYS:
        values = [v.strip()[:200] for v in args.getlist(key) if v and v.strip()]
        if values:
            query[key] = values[:20]
    return query


def describe(query: dict) -> str:
    """A short human name for a search: 'python · Remote · Berlin'."""
    params = _params(query)
    parts = [f"“{params.q}”"] if params.q else []
    parts += [WORKPLACES.get(v, v) for v in params.workplace]
    parts += [EMPLOYMENT_TYPES.get(v, v) for v in params.employment_type]
    parts += [SENIORITIES.get(v, v) for v in params.seniority]
    parts += list(params.location) + list(params.company)
    if params.salary_min:
        parts.append(f"from {params.salary_min:,} a year")
    return " · ".join(parts)[:200] or "All new jobs"


def query_key(query: dict) -> str:
    """The same search however it was written: keys sorted, values sorted and case-folded."""
    canonical = {key: sorted({str(v).strip().casefold() for v in values}) for key, values in query.items() if values}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def create_alert(user: User, query: dict, frequency: str) -> tuple[JobAlert, bool]:
    """Save a search as an alert. Flushes. Returns (alert, merged): saving a search the user already
    has an alert for updates that alert (frequency, active again) instead of making a second one —
    one atomic upsert on (user, query key), so two clicks at once also give one alert.
    ValidationError for a bad frequency or too many alerts."""
    if frequency not in ALERT_FREQUENCIES:
        raise ValidationError("Choose daily or weekly.", field="frequency")
    key = query_key(query)
    existing = _alert_for(user, key)
    if existing is None:
        count = db.session.scalar(
            select(db.func.count(JobAlert.id)).where(JobAlert.user_id == user.id, JobAlert.active)
        )
        if count >= MAX_ALERTS_PER_USER:
            raise ValidationError(f"You can have at most {MAX_ALERTS_PER_USER} alerts; delete one first.")
        created = insert_ignore(
            JobAlert,
            {
                "user_id": user.id,
                "name": describe(query),
                "query": query,
                "query_key": key,
                "frequency": frequency,
                "active": True,
                "unsubscribe_token": secrets.token_urlsafe(32),
            },
            ["user_id", "query_key"],
        )
        existing = _alert_for(user, key)
        if created:
            return existing, False
    existing.frequency, existing.active, existing.paused = frequency, True, False
    db.session.flush()
    return existing, True


def _alert_for(user: User, key: str) -> JobAlert | None:
    return db.session.scalar(
        select(JobAlert)
        .where(JobAlert.user_id == user.id, JobAlert.query_key == key)
        .execution_options(populate_existing=True)
    )


def user_alerts(user: User) -> list[JobAlert]:
    return list(
        db.session.scalars(
            select(JobAlert)
            .where(JobAlert.user_id == user.id, JobAlert.active)
            .order_by(JobAlert.created_at.desc(), JobAlert.id.desc())
        )
    )


def get_user_alert(user: User, alert_id: int) -> JobAlert:
    alert = db.session.get(JobAlert, alert_id)
    if alert is None or alert.user_id != user.id or not alert.active:
        raise NotFound("No such alert.")
    return alert


def update_alert(user: User, alert_id: int, frequency: str | None = None, paused: bool | None = None) -> JobAlert:
    """Edit one of the user's alerts: how often it comes, and paused or not. Flushes."""
    alert = get_user_alert(user, alert_id)
    if frequency is not None:
        if frequency not in ALERT_FREQUENCIES:
            raise ValidationError("Choose daily or weekly.", field="frequency")
        alert.frequency = frequency
    if paused is not None:
        alert.paused = paused
    db.session.flush()
    return alert


def delete_alert(user: User, alert_id: int) -> None:
    get_user_alert(user, alert_id).active = False
    db.session.flush()


def find_by_token(token: str) -> JobAlert:
    """The alert of an unsubscribe link (logged in or not); NotFound otherwise."""
    alert = db.session.scalar(select(JobAlert).where(JobAlert.unsubscribe_token == (token or "")[:64]))
    if alert is None:
        raise NotFound("This unsubscribe link is not valid.")
    return alert


def unsubscribe(token: str) -> JobAlert:
    """Stop an alert from its email link. Idempotent."""
    alert = find_by_token(token)
    alert.active = False
    db.session.flush()
    return alert


def resubscribe(token: str) -> JobAlert:
    alert = find_by_token(token)
    alert.active = True
    db.session.flush()
    return alert


def due_alert_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    conditions = [JobAlert.last_sent_at.is_(None)]
    for frequency, period in PERIODS.items():
        conditions.append((JobAlert.frequency == frequency) & (JobAlert.last_sent_at <= now - period + SLACK))
    return list(
        db.session.scalars(
            select(JobAlert.id).where(JobAlert.active, ~JobAlert.paused, or_(*conditions)).order_by(JobAlert.id)
        )
    )


def new_jobs_for(alert: JobAlert, since: datetime) -> list:
    """Open jobs matching the alert's search that were published after `since`, newest first."""
    params = _params(alert.query)
    params.sort, params.page = "newest", 1
    results = search.search_jobs(params, per_page=MAX_JOBS_PER_DIGEST * 3)
    return [job for job in results.items if job.published_at and job.published_at > since][:MAX_JOBS_PER_DIGEST]


def send_digest(alert_id: int, now: datetime | None = None) -> int:
    """Mail the jobs published since the last digest; nothing when there are none. Commits.

    The alert is claimed with a conditional UPDATE of last_sent_at in the same transaction as the
    outbox row, so two runs can never send the same digest twice.
    """
    now = now or utcnow()
    alert = db.session.get(JobAlert, alert_id)
    if alert is None or not alert.active or alert.user is None or not alert.user.active:
        return 0
    since = alert.last_sent_at or alert.created_at
    jobs = new_jobs_for(alert, since)
    if not jobs:
        db.session.rollback()
        return 0
    previous = alert.last_sent_at
    claimed = db.session.execute(
        update(JobAlert)
        .where(
            JobAlert.id == alert.id,
            JobAlert.last_sent_at.is_(None) if previous is None else JobAlert.last_sent_at == previous,
        )
        .values(last_sent_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return 0
    unsubscribe_url = external_url("candidate.alert_unsubscribe", token=alert.unsubscribe_token)
    queue_email(
        alert.user.email,
        "job_alert_digest",
        user=alert.user,
        name=alert.user.display_name,
        alert_name=alert.name,
        unsubscribe_url=unsubscribe_url,
        jobs=[
            {
                "title": j.title,
                "company": j.company.name,
                "location": j.location,
                "url": external_url("public.job_detail", job_id=j.id, slug=j.slug),
            }
            for j in jobs
        ],
        # RFC 2369 and RFC 8058: mail clients show their own one-click unsubscribe button.
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    db.session.commit()
    return len(jobs)
