"""ATS connections: connect (test first, then store encrypted), settings, stage mapping, status,
"Sync now", disconnect. The sync itself is services.ats_sync.

Only the company's owner manages its connection; everyone on the team can see how it is doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..integrations import ats as adapters
from ..integrations.ats import AdapterSettings, AtsAdapter, AtsError
from ..links import absolute_url
from ..models import (
    JOB_SOURCES,
    PROVIDER_LABELS,
    RECRUITER_STAGES,
    STAGE_LABELS,
    AtsApplicationLink,
    AtsConnection,
    AtsProvider,
    AtsRunStatus,
    AtsStatus,
    AtsSyncRun,
    Company,
    Job,
    JobStatus,
    User,
    utcnow,
)
from ..tasks import enqueue
from . import audit, credentials

INTERVALS = {15: "Every 15 minutes", 30: "Every 30 minutes", 60: "Every hour", 180: "Every 3 hours",
             360: "Every 6 hours", 720: "Every 12 hours", 1440: "Once a day"}  # fmt: skip
# What a synced job takes from the ATS; the rest (salary, skills, seniority...) stays ours to edit.
SYNCED_FIELDS = ("title", "description", "location")
MAX_STAGE_NAME = 200
MAX_STAGE_LINES = 200
# A starting map per ATS (the names their default pipelines use); the owner edits it.
DEFAULT_STAGE_MAPS = {
    AtsProvider.GREENHOUSE: {
        "application review": "screening", "preliminary phone screen": "screening", "phone interview": "screening",
        "recruiter phone screen": "screening", "face to face": "interview", "onsite interview": "interview",
        "technical interview": "interview", "offer": "offer", "hired": "hired", "rejected": "rejected",
    },
    AtsProvider.LEVER: {
        "new applicant": "applied", "recruiter screen": "screening", "phone screen": "screening",
        "on-site interview": "interview", "interview": "interview", "offer": "offer", "hired": "hired",
        "archived": "rejected",
    },
    AtsProvider.BAMBOOHR: {
        "new": "applied", "reviewed": "screening", "screened": "screening", "interviewed": "interview",
        "schedule interview": "interview", "offer sent": "offer", "hired": "hired", "not a fit": "rejected",
        "not qualified": "rejected", "declined offer": "rejected",
    },
}  # fmt: skip
PROVIDER_SUMMARIES = {
    AtsProvider.GREENHOUSE: "Harvest v3 with OAuth client credentials: jobs in, applications out, stage changes "
    "back by webhook and on every sync.",
    AtsProvider.GREENHOUSE_BOARD: "Import only, from your public Greenhouse job board: needs just the board token.",
    AtsProvider.LEVER: "Postings in, applications out as opportunities (with the resume), stage changes back by "
    "webhook and on every sync.",
    AtsProvider.BAMBOOHR: "Job openings in, applications out, statuses read back on every sync.",
    AtsProvider.WORKDAY: "Jobs in from a job-requisition report your Workday admin sets up. Candidates are not "
    "written into Workday.",
}


@dataclass(frozen=True)
class ProviderInfo:
    key: str
    label: str
    title: str
    summary: str
    adapter: type[AtsAdapter]


PROVIDERS = [
    ProviderInfo(p.value, PROVIDER_LABELS[p], title, PROVIDER_SUMMARIES[p], adapters.ADAPTERS[p.value])
    for p, title in (
        (AtsProvider.GREENHOUSE, "Greenhouse (Harvest)"),
        (AtsProvider.GREENHOUSE_BOARD, "Greenhouse job board (import only)"),
        (AtsProvider.LEVER, "Lever"),
        (AtsProvider.BAMBOOHR, "BambooHR"),
        (AtsProvider.WORKDAY, "Workday (job-requisition report)"),
    )
]
PROVIDERS_BY_KEY = {info.key: info for info in PROVIDERS}


# --- Access ------------------------------------------------------------------------------------


def owned_company(user: User) -> Company:
    """The company `user` owns; Forbidden for anyone else (a recruiter, a candidate)."""
    membership = user.membership
    if membership is None or not membership.is_owner:
        raise Forbidden("Only the company's owner can manage its ATS connection.")
    return membership.company


def connection_of(company: Company | None) -> AtsConnection | None:
    if company is None:
        return None
    return db.session.scalar(select(AtsConnection).where(AtsConnection.company_id == company.id))


def _own_connection(owner: User) -> AtsConnection:
    connection = connection_of(owned_company(owner))
    if connection is None:
        raise NotFound("Your company has no ATS connected.")
    return connection


def adapter_settings() -> AdapterSettings:
    config = current_app.config
    return AdapterSettings(
        urls={
            "greenhouse_api": config["ATS_GREENHOUSE_API_URL"],
            "greenhouse_auth": config["ATS_GREENHOUSE_AUTH_URL"],
            "greenhouse_boards": config["ATS_GREENHOUSE_BOARDS_URL"],
            "lever_api": config["ATS_LEVER_API_URL"],
            "bamboohr_api": config["ATS_BAMBOOHR_API_URL"],
            "bamboohr_careers": config["ATS_BAMBOOHR_CAREERS_URL"],
        },
        timeout=float(config["OUTBOUND_TIMEOUT_SECONDS"]),
        workday_allowed_hosts=tuple(config["ATS_WORKDAY_ALLOWED_HOSTS"]),
    )


def adapter_class(connection: AtsConnection) -> type[AtsAdapter]:
    """What the connection's ATS can do (no credentials needed)."""
    return adapters.ADAPTERS[connection.provider]


def adapter_for(connection: AtsConnection) -> AtsAdapter:
    """The connection's adapter over its decrypted credentials, with a circuit breaker of its own
    (one company's failing ATS never pauses another's). CredentialsUnreadable if the key is gone."""
    settings = adapter_settings()
    settings.breaker = f"ats-{connection.id}"
    return adapters.build(
        connection.provider, credentials.decrypt(connection.credentials), connection.options, settings
    )


# --- Connect, settings, test, disconnect ----------------------------------------------------------


def credential_fields(provider: str) -> tuple:
    info = PROVIDERS_BY_KEY.get(provider)
    if info is None:
        raise ValidationError("Choose one of the listed ATSs.", field="provider")
    return info.adapter.CREDENTIALS


def connect(owner: User, provider: str, values: dict, options: dict | None = None) -> tuple[AtsConnection, str]:
    """Test the credentials against the ATS, then store them encrypted (replacing any saved ones).

    A secret left blank keeps the saved one when the provider stays the same. Nothing is stored if
    the test fails: ValidationError with the ATS's answer in plain words. Flushes.
    Returns the connection and what the test reached.
    """
    company = owned_company(owner)
    fields = credential_fields(provider)
    existing = connection_of(company)
    previous = {}
    if existing is not None and existing.provider == provider:
        try:
            previous = credentials.decrypt(existing.credentials)
        except credentials.CredentialsUnreadable:
            previous = {}
    clean: dict[str, str] = {}
    for spec in fields:
        value = str(values.get(spec.name) or "").strip()[:2000]
        if not value and spec.secret:
            value = previous.get(spec.name, "")
        if spec.required and not value:
            raise ValidationError(f"Enter the {spec.label[0].lower() + spec.label[1:]}.", field=spec.name)
        if value:
            clean[spec.name] = value
    options = _clean_options(provider, options or {})
    token = credentials.encrypt(clean)  # fails early, before any call out, if ENCRYPTION_KEY is unset
    settings = adapter_settings()
    settings.breaker = f"ats-test-{company.id}"
    adapter = adapters.build(provider, clean, options, settings)
    try:
        reached = adapter.test_connection()
    except AtsError as error:
        raise ValidationError(f"The connection test failed, so nothing was saved: {error}") from None
    if existing is None:
        existing = AtsConnection(company_id=company.id, created_by_id=owner.id, provider=provider, credentials=token)
        existing.stage_map = dict(DEFAULT_STAGE_MAPS.get(provider, {}))
        existing.unmapped_stages = []
        db.session.add(existing)
    elif existing.provider != provider:
        existing.provider = provider
        existing.stage_map = dict(DEFAULT_STAGE_MAPS.get(provider, {}))
        existing.unmapped_stages = []
    existing.credentials = token
    existing.options = options
    existing.status = AtsStatus.CONNECTED
    existing.last_error = None
    audit.record(owner, "ats.connected", company, provider=provider)
    db.session.flush()
    return existing, reached


def _clean_options(provider: str, options: dict) -> dict:
    if provider != AtsProvider.WORKDAY:
        return {}
    return {
        key: str(options.get(key) or default).strip()[:200] or default
        for key, default in adapters.WORKDAY_FIELDS.items()
    }


def saved_public_values(connection: AtsConnection) -> dict:
    """The saved credentials that are not secret (a client ID, a subdomain, a report URL...) and the
    options, to pre-fill the form that replaces them. Never a secret field."""
    try:
        saved = credentials.decrypt(connection.credentials)
    except credentials.CredentialsUnreadable:
        saved = {}
    values = {spec.name: saved.get(spec.name, "") for spec in credential_fields(connection.provider) if not spec.secret}
    values.update({f"wd_{key}": value for key, value in (connection.options or {}).items()})
    return values


def test_saved(owner: User) -> tuple[bool, str]:
    """Test the saved credentials again; the answer is recorded on the connection. Flushes."""
    connection = _own_connection(owner)
    try:
        reached = adapter_for(connection).test_connection()
    except (AtsError, credentials.CredentialsUnreadable) as error:
        connection.status, connection.last_error = AtsStatus.ERROR, str(error)
        db.session.flush()
        return False, str(error)
    if connection.status == AtsStatus.ERROR:
        connection.status, connection.last_error = AtsStatus.CONNECTED, None
    db.session.flush()
    return True, reached


def update_settings(owner: User, data: dict) -> AtsConnection:
    """What to sync, how often, and the stage map (text, one 'ATS stage = our stage' per line). Flushes."""
    connection = _own_connection(owner)
    interval = data.get("interval_minutes")
    try:
        interval = int(interval)
    except (TypeError, ValueError):
        interval = 0
    if interval not in INTERVALS:
        raise ValidationError("Choose one of the listed intervals.", field="interval_minutes")
    connection.stage_map = parse_stage_map(data.get("stage_map") or "")
    connection.sync_jobs = bool(data.get("sync_jobs"))
    connection.sync_applications = bool(data.get("sync_applications"))
    connection.sync_candidates = bool(data.get("sync_candidates"))
    connection.interval_minutes = interval
    # Names now mapped are no longer reported as unmapped.
    connection.unmapped_stages = [
        s for s in connection.unmapped_stages or [] if s.casefold() not in connection.stage_map
    ]
    db.session.flush()
    return connection


def parse_stage_map(text: str) -> dict[str, str]:
    """'Phone Screen = Screening' per line -> {'phone screen': 'screening'}. ValidationError names the line."""
    ours = {stage.value: stage.value for stage in RECRUITER_STAGES}
    ours.update({STAGE_LABELS[stage].casefold(): stage.value for stage in RECRUITER_STAGES})
    mapping: dict[str, str] = {}
    lines = [line for line in text.replace("\r", "").split("\n") if line.strip()]
    if len(lines) > MAX_STAGE_LINES:
        raise ValidationError(f"Map at most {MAX_STAGE_LINES} stages.", field="stage_map")
    for number, line in enumerate(lines, start=1):
        name, sep, target = line.rpartition("=")
        name, target = name.strip(), target.strip().casefold()
        if not sep or not name:
            raise ValidationError(f"Line {number}: write it as 'ATS stage name = our stage'.", field="stage_map")
        if len(name) > MAX_STAGE_NAME:
            raise ValidationError(f"Line {number}: that stage name is too long.", field="stage_map")
        if target not in ours:
            names = ", ".join(STAGE_LABELS[s] for s in RECRUITER_STAGES)
            raise ValidationError(f"Line {number}: “{target}” is not one of our stages ({names}).", field="stage_map")
        mapping[name.casefold()] = ours[target]
    return mapping


def format_stage_map(mapping: dict[str, str]) -> str:
    return "\n".join(f"{name} = {STAGE_LABELS.get(stage, stage)}" for name, stage in sorted(mapping.items()))


def disconnect(owner: User) -> str:
    """Delete the connection with its stored credentials, sync log and application links. Synced
    jobs stay (their applications too); the open ones get the usual expiry date, since no ATS will
    close them any more. Flushes. Returns the ATS's name."""
    connection = _own_connection(owner)
    label, source, company = connection.label, connection.job_source, connection.company
    now = utcnow()
    db.session.execute(
        update(Job)
        .where(
            Job.company_id == company.id,
            Job.external_source == source,
            Job.status == JobStatus.PUBLISHED,
            Job.expires_at.is_(None),
        )
        .values(expires_at=now + timedelta(days=current_app.config["JOB_EXPIRY_DAYS"]), updated_at=now)
    )
    # Explicit, not only ON DELETE CASCADE: SQLite enforces foreign keys only when asked to.
    db.session.execute(delete(AtsApplicationLink).where(AtsApplicationLink.connection_id == connection.id))
    db.session.execute(delete(AtsSyncRun).where(AtsSyncRun.connection_id == connection.id))
    db.session.delete(connection)
    audit.record(owner, "ats.disconnected", company, provider=connection.provider)
    db.session.flush()
    return label


# --- Syncs -----------------------------------------------------------------------------------------


def request_sync(connection: AtsConnection, trigger: str = "manual") -> AtsSyncRun:
    """Queue a sync (it runs after the commit, on the `ats` queue). If one is already queued or
    running, that one is returned: clicking twice does not start two. Flushes."""
    active = db.session.scalar(
        select(AtsSyncRun)
        .where(
            AtsSyncRun.connection_id == connection.id,
            AtsSyncRun.status.in_((AtsRunStatus.QUEUED, AtsRunStatus.RUNNING)),
        )
        .order_by(AtsSyncRun.id.desc())
        .limit(1)
    )
    if active is not None:
        return active
    run = AtsSyncRun(connection_id=connection.id, trigger=trigger, status=AtsRunStatus.QUEUED, queued_at=utcnow())
    db.session.add(run)
    db.session.flush()
    enqueue("ats.sync", run.id)
    return run


def sync_now(owner: User) -> AtsSyncRun:
    """The owner's "Sync now". Flushes."""
    connection = _own_connection(owner)
    if not (connection.sync_jobs or connection.sync_applications):
        raise ValidationError("Turn on jobs or applications in the sync settings first.")
    return request_sync(connection, "manual")


def latest_run(connection: AtsConnection | None) -> AtsSyncRun | None:
    if connection is None:
        return None
    return db.session.scalar(
        select(AtsSyncRun).where(AtsSyncRun.connection_id == connection.id).order_by(AtsSyncRun.id.desc()).limit(1)
    )


def recent_runs(connection: AtsConnection | None, limit: int = 10) -> list[AtsSyncRun]:
    if connection is None:
        return []
    return list(
        db.session.scalars(
            select(AtsSyncRun)
            .where(AtsSyncRun.connection_id == connection.id)
            .order_by(AtsSyncRun.id.desc())
            .limit(limit)
        )
    )


def failed_sends(connection: AtsConnection | None, limit: int = 20) -> list[AtsApplicationLink]:
    if connection is None:
        return []
    return list(
        db.session.scalars(
            select(AtsApplicationLink)
            .where(AtsApplicationLink.connection_id == connection.id, AtsApplicationLink.last_error.is_not(None))
            .order_by(AtsApplicationLink.id.desc())
            .limit(limit)
        )
    )


def webhook_url(connection: AtsConnection) -> str | None:
    """The address to register in the ATS (from BASE_URL), if this ATS sends webhooks."""
    if not adapter_class(connection).supports_webhooks:
        return None
    return absolute_url("webhooks.receive", provider=connection.provider, connection_id=connection.id)


def admin_overview(limit: int = 50) -> dict:
    connections = list(db.session.scalars(select(AtsConnection).order_by(AtsConnection.id)))
    runs = list(db.session.scalars(select(AtsSyncRun).order_by(AtsSyncRun.id.desc()).limit(limit)))
    return {"connections": connections, "runs": runs}


# --- Synced jobs in our editor ----------------------------------------------------------------------


def synced_from(job: Job) -> str | None:
    """The ATS a job is kept in sync with (its name), or None when it is ours to edit."""
    if not job.external_source:
        return None
    connection = db.session.scalar(select(AtsConnection).where(AtsConnection.company_id == job.company_id))
    if connection is None or connection.job_source != job.external_source or not connection.sync_jobs:
        return None
    return connection.label


def locked_fields(job: Job) -> tuple[str, ...]:
    return SYNCED_FIELDS if synced_from(job) else ()


def ensure_editable_status(job: Job) -> None:
    """Whether a synced job is open is the ATS's call: ValidationError says where to change it."""
    label = synced_from(job)
    if label:
        raise ValidationError(f"“{job.title}” comes from {label}: open or close it there; the next sync follows.")


def rotate_credentials() -> int:
    """Re-encrypt every stored credential with the newest ENCRYPTION_KEY. Flushes; returns how many."""
    count = 0
    for connection in db.session.scalars(select(AtsConnection)):
        connection.credentials = credentials.rotate(connection.credentials)
        count += 1
    db.session.flush()
    return count


def job_source_of(provider: str) -> str:
    return JOB_SOURCES[provider]
