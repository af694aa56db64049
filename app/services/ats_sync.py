"""The ATS sync: jobs in, applications out, stages back; scheduling and the webhook intake.

Jobs from the ATS are matched by (company, source, external id) (the uq_jobs_external constraint):
created, updated or closed here, never duplicated, never another company's. A job that is gone
from the ATS is closed, never deleted (its applications stay). A second sync of an unchanged ATS
writes nothing.

A sync holds its connection's lease (AtsConnection.sync_lease_until), taken with one conditional
UPDATE, so two never run at once; it commits page by page, so the page shows progress and a crash
loses one page at most. Applications go out after their own commit, one RQ job each on the `ats`
queue, and are idempotent: the adapter looks the candidate up by email + job before creating
anything. Stage changes come back by webhook (re-read from the ATS before moving anything, since
deliveries arrive out of order) and by reading the stages of sent applications on every sync.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..integrations.ats import AtsError, AtsNotSupported, AtsWebhookRejected, CandidateSubmission, split_name
from ..integrations.ats import Resume as ResumeFile
from ..integrations.webhooks import IncomingEvent, WebhookRejected, load_json
from ..models import (
    CLOSED_STAGES,
    Application,
    AtsApplicationLink,
    AtsConnection,
    AtsRunStatus,
    AtsSendStatus,
    AtsStatus,
    AtsSyncRun,
    Job,
    JobStatus,
    utcnow,
)
from . import applications, ats, credentials, moderation
from .markdown import html_to_markdown, render_markdown
from .slugs import slugify

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # renewed after every page; a dead worker's lease runs out
QUEUED_TOO_LONG = timedelta(minutes=15)  # a queued run whose job was lost is enqueued again
CLAIM_LEASE = timedelta(minutes=10)  # one sender per application at a time
MAX_SEND_ATTEMPTS = 8
STAGE_BATCH = 50
MAX_UNMAPPED = 50
NO_DESCRIPTION = "The full description is on our careers site."
UNEXPECTED = "Something went wrong on our side during the sync. It has been logged; the next sync tries again."


# --- The sync run ----------------------------------------------------------------------------------


def run_sync(run_id: int) -> Iterator[str]:
    """Run one queued sync. A generator: it yields after every step it has flushed (the claim, each
    page of jobs, closing the missing ones, each batch of sends and stage reads, the finish) and the
    caller commits at every yield. Raises AtsError (or anything unexpected): the caller rolls back
    and calls fail_run(). A run whose connection is already syncing is marked skipped."""
    run = db.session.get(AtsSyncRun, run_id)
    if run is None or run.status != AtsRunStatus.QUEUED:
        return
    connection = run.connection
    now = utcnow()
    claimed = db.session.execute(
        update(AtsConnection)
        .where(
            AtsConnection.id == connection.id,
            or_(AtsConnection.sync_lease_until.is_(None), AtsConnection.sync_lease_until < now),
        )
        .values(sync_lease_until=now + LEASE, sync_run_id=run.id, status=AtsStatus.SYNCING)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        run.status, run.finished_at = AtsRunStatus.SKIPPED, now
        run.error = "Another sync of this connection was running; this one was skipped."
        db.session.flush()
        yield "skipped"
        return
    db.session.refresh(connection)
    run.status, run.started_at = AtsRunStatus.RUNNING, now
    db.session.flush()
    yield "claimed"

    adapter = ats.adapter_for(connection)
    if connection.sync_jobs:
        seen: set[str] = set()
        for page in adapter.list_jobs():
            _apply_jobs(connection, run, adapter, page, seen)
            run.requests_made = adapter.requests_made
            _renew(connection, run)
            db.session.flush()
            yield "jobs"
        # Only after the whole list came through: a sync that failed half-way closes nothing.
        run.jobs_closed += _close_missing(connection, seen)
        db.session.flush()
        yield "closed"
    if connection.sync_applications and adapter.supports_applications:
        for link in _stale_pending_links(connection):
            if not claim_send(link.application_id):
                continue
            yield "claimed-send"
            try:
                send_application(link.application_id, adapter)
                run.applications_sent += 1
            except AtsError as error:
                record_send_failure(link.application_id, error)
            run.requests_made = adapter.requests_made
            _renew(connection, run)
            db.session.flush()
            yield "sent"
        for batch in _links_to_read(connection):
            _read_stages(connection, run, adapter, batch)
            run.requests_made = adapter.requests_made
            _renew(connection, run)
            db.session.flush()
            yield "stages"
    finish = utcnow()
    run.status, run.finished_at, run.requests_made = AtsRunStatus.SUCCEEDED, finish, adapter.requests_made
    connection.status, connection.last_sync_at, connection.last_error = AtsStatus.SYNCED, finish, None
    _release(connection, run)
    db.session.flush()
    yield "done"


def fail_run(run_id: int, message: str) -> None:
    """Record a failed run (after the caller rolled back the step that failed). Flushes."""
    run = db.session.get(AtsSyncRun, run_id)
    if run is None:
        return
    now = utcnow()
    run.status, run.finished_at, run.error = AtsRunStatus.FAILED, now, message[:2000]
    connection = run.connection
    connection.status, connection.last_error, connection.last_sync_at = AtsStatus.ERROR, message[:2000], now
    _release(connection, run)
    db.session.flush()


def plain_error(error: Exception) -> str:
    """What to tell the company owner about a failure: an ATS's own words, or that it was us."""
    if isinstance(error, (AtsError, credentials.CredentialsUnreadable)):
        return str(error)
    return UNEXPECTED


def _renew(connection: AtsConnection, run: AtsSyncRun) -> None:
    """Extend the lease, if this run still holds it (a run that stalled past its lease and was
    overtaken stops here rather than race the one that took over)."""
    held = db.session.execute(
        update(AtsConnection)
        .where(AtsConnection.id == connection.id, AtsConnection.sync_run_id == run.id)
        .values(sync_lease_until=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not held:
        raise AtsError("This sync lost its lock on the connection (it stalled for too long); the next one starts over.")


def _release(connection: AtsConnection, run: AtsSyncRun) -> None:
    if connection.sync_run_id == run.id:
        connection.sync_lease_until = None


# --- Jobs ------------------------------------------------------------------------------------------


def _apply_jobs(connection: AtsConnection, run: AtsSyncRun, adapter, page: list, seen: set[str]) -> None:
    """Create, update or close this page's jobs (matched by company + source + external id)."""
    source = connection.job_source
    ids = [item.external_id[:120] for item in page]
    existing = {
        job.external_id: job
        for job in db.session.scalars(
            select(Job).where(
                Job.company_id == connection.company_id, Job.external_source == source, Job.external_id.in_(ids)
            )
        )
    }
    now = utcnow()
    company_hold = moderation.sync_hold(connection.company)  # one read per page, not one per job
    for item in page:
        external_id = item.external_id[:120]
        if external_id in seen:
            continue  # listed twice (a page boundary moved): once is enough
        seen.add(external_id)
        run.jobs_seen += 1
        job = existing.get(external_id)
        title, location = item.title.strip()[:160] or "Untitled job", item.location.strip()[:160]
        if job is None:
            if not item.is_open:
                continue  # a closed job we never listed stays out
            if company_hold:
                # Not created at all while the company is down: the first sync after the approval
                # creates it, so nothing half-imported waits in the database meanwhile.
                _hold(run, company_hold)
                continue
            description = _description(adapter, item)
            job = Job(
                company_id=connection.company_id,
                created_by_id=connection.created_by_id,
                title=title,
                slug=slugify(title, 150),
                description=description,
                description_html=render_markdown(description),
                location=location,
                workplace=item.workplace or "onsite",
                employment_type=item.employment_type or "full_time",
                skills=[],
                status=JobStatus.PUBLISHED,
                published_at=now,
                expires_at=None,  # the ATS decides when it closes
                external_source=source,
                external_id=external_id,
            )
            db.session.add(job)
            run.jobs_created += 1
            continue
        changed = False
        # A moderator's take-down outranks the ATS: a held job is updated but never (re)published.
        held = (
            item.is_open
            and job.status != JobStatus.PUBLISHED
            and (company_hold or moderation.sync_hold(job.company, job))
        )
        reopening = item.is_open and not held and job.status != JobStatus.PUBLISHED
        hinted = job.title != title or job.location != location or reopening
        if item.description_html is not None or hinted:
            description = _description(adapter, item)
        else:
            description = job.description  # not in the list, and nothing hints at a change
        for name, value in (("title", title), ("location", location), ("description", description)):
            if getattr(job, name) != value:
                setattr(job, name, value)
                changed = True
        if changed:
            job.slug = slugify(title, 150)
            job.description_html = render_markdown(job.description)
        if held:
            _hold(run, company_hold or moderation.sync_hold(job.company, job) or held)  # named as now titled
        elif item.is_open and (job.status != JobStatus.PUBLISHED or job.expires_at is not None):
            reopened = job.status != JobStatus.PUBLISHED
            job.status, job.closed_at, job.expires_at = JobStatus.PUBLISHED, None, None
            if reopened:
                job.published_at = now
            changed = True
        elif not item.is_open and job.status in (JobStatus.PUBLISHED, JobStatus.DRAFT, JobStatus.EXPIRED):
            job.status, job.closed_at = JobStatus.CLOSED, now
            run.jobs_closed += 1
            continue
        if changed:
            run.jobs_updated += 1


def _hold(run: AtsSyncRun, reason: str) -> None:
    """Count a job kept off the board and keep the first reason for the owner's sync report."""
    run.jobs_held += 1
    if not run.held_note:
        run.held_note = reason[:2000]


def _description(adapter, item) -> str:
    """The job's description as our Markdown (fetched when the list did not carry it)."""
    html = item.description_html
    if html is None:
        html = adapter.fetch_description(item.external_id)
    return html_to_markdown(html) or NO_DESCRIPTION


def _close_missing(connection: AtsConnection, seen: set[str]) -> int:
    """Close (never delete) this connection's open jobs the ATS no longer lists. Reads ids only and
    closes in batches: a company with thousands of jobs is not loaded into memory."""
    now = utcnow()
    rows = db.session.execute(
        select(Job.id, Job.external_id).where(
            Job.company_id == connection.company_id,
            Job.external_source == connection.job_source,
            Job.status.in_((JobStatus.PUBLISHED, JobStatus.DRAFT)),
        )
    ).all()
    missing = [job_id for job_id, external_id in rows if external_id not in seen]
    for start in range(0, len(missing), 500):
        db.session.execute(
            update(Job)
            .where(Job.id.in_(missing[start : start + 500]))
            .values(status=JobStatus.CLOSED, closed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(missing)


# --- Applications out ------------------------------------------------------------------------------


def claim_send(application_id: int) -> bool:
    """Take the right to send this application now (one sender at a time; a crashed sender's claim
    lapses after CLAIM_LEASE). Flushes; the caller commits before calling out."""
    now = utcnow()
    return bool(
        db.session.execute(
            update(AtsApplicationLink)
            .where(
                AtsApplicationLink.application_id == application_id,
                AtsApplicationLink.status == AtsSendStatus.PENDING,
                or_(AtsApplicationLink.claimed_at.is_(None), AtsApplicationLink.claimed_at < now - CLAIM_LEASE),
            )
            .values(claimed_at=now, attempts=AtsApplicationLink.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def send_application(application_id: int, adapter=None) -> str:
    """Send a claimed application to the ATS: name, email, phone, resume file, source; plus the
    profile when candidate sync is on. Idempotent: the adapter finds an existing application by
    email + job first. Stores the ATS's ids. Flushes. Raises AtsError."""
    link = db.session.scalar(select(AtsApplicationLink).where(AtsApplicationLink.application_id == application_id))
    if link is None:
        return "not linked"
    db.session.refresh(link)
    if link.status == AtsSendStatus.SENT:
        return "already sent"
    connection, application = link.connection, link.application
    job = application.job
    if job.external_source != connection.job_source or not job.external_id:
        raise AtsNotSupported(f"“{job.title}” is not a {connection.label} job, so there is nowhere to send it.")
    adapter = adapter or ats.adapter_for(connection)
    sent = adapter.create_application(_submission(connection, application))
    link.external_id, link.external_candidate_id = sent.external_id[:120], (sent.external_candidate_id or "")[:120]
    link.status, link.sent_at, link.last_error, link.claimed_at = AtsSendStatus.SENT, utcnow(), None, None
    db.session.flush()
    return "sent" if sent.created else "found"


def _submission(connection: AtsConnection, application: Application) -> CandidateSubmission:
    candidate = application.candidate
    profile = getattr(candidate, "profile", None)
    first, last = split_name(candidate.name, candidate.email)
    resume = None
    if application.resume is not None:
        document = application.resume
        resume = ResumeFile(document.filename, document.content_type, document.data)
    extra = {}
    if connection.sync_candidates and profile is not None:
        links = [str(link) for link in ((profile.parsed or {}).get("contact") or {}).get("links") or []][:5]
        extra = {"headline": profile.headline, "location": profile.location, "links": links}
        extra = {key: value for key, value in extra.items() if value}
    return CandidateSubmission(
        ats_job_id=application.job.external_id,
        first_name=first,
        last_name=last,
        email=candidate.email,
        phone=(profile.phone if profile is not None else "") or "",
        resume=resume,
        source=current_app.config["SITE_NAME"],
        profile=extra,
    )


def record_send_failure(application_id: int, error: Exception) -> bool:
    """Note why a send failed and free the claim; returns whether another attempt makes sense
    (not for 'not supported', nor after MAX_SEND_ATTEMPTS). Flushes."""
    link = db.session.scalar(select(AtsApplicationLink).where(AtsApplicationLink.application_id == application_id))
    if link is None:
        return False
    link.last_error, link.claimed_at = plain_error(error)[:2000], None
    retry = not isinstance(error, AtsNotSupported) and link.attempts < MAX_SEND_ATTEMPTS
    if not retry:
        link.status = AtsSendStatus.FAILED
    db.session.flush()
    return retry


def _stale_pending_links(connection: AtsConnection) -> list[AtsApplicationLink]:
    """Pending sends whose own job should have run by now (Redis was down, a worker died)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])
    return list(
        db.session.scalars(
            select(AtsApplicationLink)
            .where(
                AtsApplicationLink.connection_id == connection.id,
                AtsApplicationLink.status == AtsSendStatus.PENDING,
                AtsApplicationLink.created_at <= cutoff,
            )
            .order_by(AtsApplicationLink.id)
            .limit(100)
        )
    )


def stale_send_ids(limit: int = 500) -> list[int]:
    """Applications whose send is pending past the grace period and not being sent right now."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])
    return list(
        db.session.scalars(
            select(AtsApplicationLink.application_id)
            .where(
                AtsApplicationLink.status == AtsSendStatus.PENDING,
                AtsApplicationLink.created_at <= cutoff,
                or_(AtsApplicationLink.claimed_at.is_(None), AtsApplicationLink.claimed_at < now - CLAIM_LEASE),
            )
            .order_by(AtsApplicationLink.id)
            .limit(limit)
        )
    )


# --- Stages back -----------------------------------------------------------------------------------


def _links_to_read(connection: AtsConnection) -> Iterator[list[AtsApplicationLink]]:
    """Sent applications still open here, least recently checked first, ATS_STAGE_READS_PER_SYNC in all."""
    links = list(
        db.session.scalars(
            select(AtsApplicationLink)
            .join(Application, Application.id == AtsApplicationLink.application_id)
            .where(
                AtsApplicationLink.connection_id == connection.id,
                AtsApplicationLink.status == AtsSendStatus.SENT,
                AtsApplicationLink.external_id.is_not(None),
                Application.status.not_in([stage.value for stage in CLOSED_STAGES]),
            )
            .order_by(AtsApplicationLink.stage_checked_at.is_not(None), AtsApplicationLink.stage_checked_at)
            .limit(current_app.config["ATS_STAGE_READS_PER_SYNC"])
        )
    )
    for start in range(0, len(links), STAGE_BATCH):
        yield links[start : start + STAGE_BATCH]


def _read_stages(connection: AtsConnection, run: AtsSyncRun, adapter, batch: list[AtsApplicationLink]) -> None:
    by_id = {link.external_id: link for link in batch}
    now = utcnow()
    for external_id, stage in adapter.application_stages(list(by_id)):
        link = by_id.get(external_id)
        if link is None:
            continue
        run.stages_read += 1
        if apply_stage(connection, link, stage, via="read on sync") == "moved":
            run.stages_moved += 1
    for link in batch:
        link.stage_checked_at = now


def apply_stage(connection: AtsConnection, link: AtsApplicationLink, stage: str | None, via: str,
                actor: str | None = None) -> str:  # fmt: skip
    """Move the application to the stage mapped from the ATS's stage name, with an event saying
    where it came from. An unmapped name moves nothing and is reported on the settings page.
    Returns "moved", "unchanged", "unmapped", "unknown" or "closed". Flushes."""
    link.stage_checked_at = utcnow()
    if not stage:
        return "unknown"
    link.last_stage = stage[:200]
    target = (connection.stage_map or {}).get(stage.casefold())
    if target is None:
        unmapped = list(connection.unmapped_stages or [])
        if stage not in unmapped and len(unmapped) < MAX_UNMAPPED:
            connection.unmapped_stages = [*unmapped, stage[:200]]
        return "unmapped"
    application = link.application
    if application.status == target:
        return "unchanged"
    if application.status == "withdrawn":
        return "closed"
    note = f"Moved in {connection.label}" + (f" by {actor}" if actor else "") + f" (stage “{stage[:200]}”, {via})"
    try:
        applications.move_application(application, None, target, note)
    except ValidationError:
        return "closed"
    return "moved"


# --- Webhooks --------------------------------------------------------------------------------------


class AtsWebhookIntake:
    """The gateway's adapter for one connection's webhook endpoint: verifies with the connection's
    own secret, and stores each event under "<connection id>:<the ATS's event id>"."""

    queue = "default"  # ATS events have medium priority (the seed's order: payments, ATS, email)

    def __init__(self, name: str, connection: AtsConnection):
        self.name = name
        self.connection_id = connection.id
        try:
            self.adapter = ats.adapter_for(connection)
        except credentials.CredentialsUnreadable:
            self.adapter = None
        self._headers: dict = {}

    def verify(self, body: bytes, headers) -> None:
        if self.adapter is None:
            raise WebhookRejected("this endpoint cannot verify deliveries right now")
        self._headers = headers
        try:
            self.adapter.verify_webhook(body, headers)
        except AtsWebhookRejected as error:
            raise WebhookRejected(str(error)) from None

    def parse(self, body: bytes) -> list[IncomingEvent]:
        data = load_json(body)
        try:
            notice = self.adapter.parse_webhook(body, data, self._headers)
        except AtsWebhookRejected as error:
            raise WebhookRejected(str(error)) from None
        change = notice.stage_change
        payload = {
            "connection_id": self.connection_id,
            "stage_change": None
            if change is None
            else {"application": change.external_application_id, "stage": change.stage, "actor": change.actor},
        }
        return [
            IncomingEvent(
                event_id=f"{self.connection_id}:{notice.event_id}"[:255],
                event_type=notice.event_type[:80],
                payload=json.dumps(payload, separators=(",", ":")),
            )
        ]


def webhook_intake(provider: str, connection_id: int) -> AtsWebhookIntake:
    """The intake for /webhooks/<provider>/<connection id>; NotFound unless that connection is
    this provider's and it sends webhooks."""
    connection = db.session.get(AtsConnection, connection_id)
    if connection is None or connection.provider != provider or not ats.adapter_class(connection).supports_webhooks:
        raise NotFound("No webhook endpoint here.")
    return AtsWebhookIntake(provider, connection)


def handle_webhook_event(event_type: str, payload: dict) -> str:
    """Process one stored ATS event: re-read the application's current stage from the ATS (events
    arrive out of order; the ATS's present state is the truth) and move it here. Idempotent.
    Raises AtsError (the gateway records it and RQ retries)."""
    change = payload.get("stage_change") if isinstance(payload, dict) else None
    connection = db.session.get(AtsConnection, payload.get("connection_id")) if change else None
    if connection is None or not connection.sync_applications:
        return "ignored"
    link = db.session.scalar(
        select(AtsApplicationLink).where(
            AtsApplicationLink.connection_id == connection.id,
            AtsApplicationLink.external_id == str(change.get("application")),
        )
    )
    if link is None:
        return "ignored"  # not an application we sent
    stage = ats.adapter_for(connection).get_application_stage(link.external_id)
    apply_stage(connection, link, stage, via="webhook", actor=change.get("actor"))
    return "processed"


# --- Scheduling ------------------------------------------------------------------------------------


def schedule_due_syncs(now=None) -> list[int]:
    """Queue a sync for every connection whose interval has passed since its last one (none while
    one is queued or running). Flushes; the syncs start after the caller's commit. Returns run ids."""
    now = now or utcnow()
    queued = []
    for connection in db.session.scalars(select(AtsConnection).order_by(AtsConnection.id)):
        if not (connection.sync_jobs or connection.sync_applications):
            continue
        last = ats.latest_run(connection)
        if last is not None and last.is_active:
            continue
        since = last.queued_at if last is not None else None
        if since is not None and since + timedelta(minutes=connection.interval_minutes) > now:
            continue
        queued.append(ats.request_sync(connection, "scheduled").id)
    return queued


def recover_stale_runs(now=None) -> tuple[list[int], int]:
    """Queued runs whose job was lost (returned, to enqueue again) and running runs whose worker
    died (their lease ran out: marked failed, so the next scheduled sync starts over). Flushes."""
    now = now or utcnow()
    lost = list(
        db.session.scalars(
            select(AtsSyncRun.id).where(
                AtsSyncRun.status == AtsRunStatus.QUEUED, AtsSyncRun.queued_at < now - QUEUED_TOO_LONG
            )
        )
    )
    dead = 0
    for run in db.session.scalars(select(AtsSyncRun).where(AtsSyncRun.status == AtsRunStatus.RUNNING)):
        connection = run.connection
        if connection.sync_run_id != run.id or connection.sync_lease_until is None or connection.sync_lease_until < now:
            fail_run(
                run.id, "The sync stopped before it finished (the worker was restarted); the next one starts over."
            )
            dead += 1
    db.session.flush()
    return lost, dead
