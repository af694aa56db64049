"""Resumes: text extraction and the parse lifecycle that fills a candidate's profile (the review of
what a parse found is services.profiles).

The parse lifecycle lives on CandidateProfile.parse_status:
    none → pending (request_parse, in the caller's transaction) → parsing (run_parse claimed it)
         → done | no_text | failed (with parse_error)
A pending row is written before any job runs, so a lost job (Redis down, worker killed) is found by
sweep_stale_parses and enqueued again. The parse result is kept in `parsed` and only copied into the
profile's own fields when the candidate reviews and saves it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..errors import ValidationError
from ..extensions import db
from ..integrations import ai
from ..integrations.ai import local_parser
from ..integrations.documents import DocumentUnreadable, IsolationFailed, run_isolated
from ..integrations.documents import extract_text as document_text
from ..models import Application, CandidateProfile, Document, User, utcnow
from ..tasks import enqueue
from . import documents
from .profiles import get_or_create_profile, get_profile

log = logging.getLogger(__name__)

NO_TEXT_MESSAGE = (
    "We could not read text from this file. It may be a scanned image; upload a PDF or Word "
    "file with selectable text, or fill in your profile by hand."
)
UNREADABLE_MESSAGE = (
    "We could not open this file to read it: it may be damaged or password-protected. "
    "Upload another copy, or fill in your profile by hand."
)
HOSTILE_MESSAGE = (
    "We could not read this file: it is too large or too complex to read safely. Upload a "
    "simpler PDF or Word file, or fill in your profile by hand."
)
CRASHED_MESSAGE = "Something went wrong while reading your resume. Try again in a few minutes."
# A parse whose worker died this many times (killed, out of memory) is not tried again.
MAX_PARSE_ATTEMPTS = 3
MIN_LETTERS = 20  # fewer letters than this is a scan with a stray page number, not a resume
# A pending parse older than this lost its job; a 'parsing' one older than this lost its worker
# (the job timeout is 300 s).
STALE_PENDING = timedelta(minutes=3)
STALE_PARSING = timedelta(minutes=10)
ACTIVE_STATUSES = ("pending", "parsing")
MAX_UPLOADS_PER_HOUR = 20


ResumeUnreadable = DocumentUnreadable  # the name the services and tests use


# --- Text ------------------------------------------------------------------------------------------


def extract_text(document: Document) -> str:
    """The document's plain text, extracted once and kept in Document.extracted_text. Flushes.

    "" means the file has no text layer (a scan). The reading runs in a forked child with
    PARSE_MEMORY_MB and PARSE_TIMEOUT_SECONDS, after the archive checks, so a hostile file fails
    only its own job. Raises ResumeUnreadable for a damaged, password-protected or hostile file.
    """
    if document.extracted_text is not None:
        return document.extracted_text
    config = current_app.config
    try:
        text = run_isolated(
            read_document_text,
            document.data,
            document.content_type,
            config["PARSE_MAX_PDF_PAGES"],
            config["PARSE_MAX_TEXT_CHARS"],
            documents.archive_limits(),
            memory_mb=config["PARSE_MEMORY_MB"],
            timeout=config["PARSE_TIMEOUT_SECONDS"],
            errors=(DocumentUnreadable,),
        )
    except IsolationFailed as error:
        log.warning("Reading document %s stopped (%s)", document.id, error)
        raise ResumeUnreadable(HOSTILE_MESSAGE) from error
    document.extracted_text = text
    db.session.flush()
    return text


def read_document_text(data: bytes, content_type: str, max_pages: int, max_chars: int, limits) -> str:
    """What the sandboxed child runs (module level, so the fork finds it by reference)."""
    return document_text(data, content_type, max_pages=max_pages, max_chars=max_chars, archive_limits=limits)


def has_text(text: str | None) -> bool:
    return sum(c.isalpha() for c in (text or "")[:2000]) >= MIN_LETTERS


# --- Profiles and parse requests ------------------------------------------------------------------


def request_parse(user: User, document: Document) -> CandidateProfile:
    """Record that `document` should be parsed into the user's profile and enqueue the job. Flushes.

    The pending status is written in the caller's transaction; the job runs after it commits.
    A newer request supersedes an older one still in flight (its result is then discarded).
    """
    profile = get_or_create_profile(user)
    profile.resume_id = document.id
    profile.parse_status = "pending"
    profile.parse_attempts = 0
    profile.parse_error = None
    profile.parse_requested_at = utcnow()
    db.session.flush()
    enqueue("resumes.parse", profile.id)
    return profile


def upload_resume(user: User, upload) -> CandidateProfile:
    """Store a resume uploaded only to fill the profile, and request its parse. Flushes.

    Same file checks as applying (documents.store_resume). Uploads are capped per hour: each one is
    kept in the database and may cost an OpenAI call. Raises ValidationError(field="resume").
    """
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        select(func.count(Document.id)).where(Document.owner_id == user.id, Document.created_at >= since)
    )
    if recent >= MAX_UPLOADS_PER_HOUR:
        raise ValidationError(
            "You have uploaded a lot of files in the last hour. Please try again later.", field="resume"
        )
    return request_parse(user, documents.store_resume(user, upload))


def retry_parse(user: User) -> CandidateProfile:
    """Parse the profile's current resume again (after a failure). Flushes."""
    profile = get_profile(user)
    if profile is None or profile.resume is None:
        raise ValidationError("Upload a resume first.", field="resume")
    if profile.parse_status in ACTIVE_STATUSES:
        return profile
    return request_parse(user, profile.resume)


def application_submitted(application: Application) -> None:
    """After apply: fill the profile from this resume unless the candidate already reviewed it, and
    score the application. Flushes; jobs run after commit (the scorer reads the resume itself, so it
    does not depend on the parse having finished)."""
    profile = get_profile(application.candidate)
    unreviewed = profile is None or profile.reviewed_at is None
    # Applying with the profile's own resume asks for nothing new: it is read (or being read) already.
    already_read = profile is not None and profile.resume_id == application.resume_id and profile.parse_status != "none"
    if application.resume is not None and unreviewed and not already_read:
        request_parse(application.candidate, application.resume)
    enqueue("resumes.score", application.id)


# --- Running a parse (in a job) -------------------------------------------------------------------


def parse_text(text: str) -> tuple[ai.ResumeProfile, str, str | None]:
    """(profile, parser name, note) for resume text: OpenAI when configured, else the local parser.

    If OpenAI fails (down, timeout, breaker open, refusal...) the local parser answers and the note
    says why, so the fallback is visible on the profile.
    """
    client = ai.from_config(current_app.config)
    if client is not None:
        try:
            return client.parse_resume(text), "openai", None
        except ai.AIError as error:
            log.warning("OpenAI resume parse failed, using the local parser: %s", error)
            return (
                local_parser.parse_resume(text),
                "local_fallback",
                (f"The AI parser could not be used ({error}); the built-in parser filled this in instead."),
            )
    return local_parser.parse_resume(text), "local", None


def run_parse(profile_id: int) -> str:
    """Parse the profile's resume. Commits each step so the candidate's status fragment sees progress.

    Idempotent: only a 'pending' profile is claimed; a result for a request superseded meanwhile
    (a newer upload) is dropped. Returns done|no_text|failed|skipped|superseded.
    """
    claimed = db.session.execute(
        update(CandidateProfile)
        .where(CandidateProfile.id == profile_id, CandidateProfile.parse_status == "pending")
        .values(parse_status="parsing", parse_attempts=CandidateProfile.parse_attempts + 1)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return "skipped"
    profile = db.session.get(CandidateProfile, profile_id)
    token = profile.parse_requested_at
    try:
        document = profile.resume
        if document is None:
            return _finish(profile_id, token, "failed", error="The resume file is no longer there; upload it again.")
        try:
            text = extract_text(document)
            db.session.commit()
        except ResumeUnreadable as error:
            log.info("Resume %s unreadable: %s", document.id, error)
            db.session.rollback()
            hostile = isinstance(error.__cause__, IsolationFailed) or str(error) == HOSTILE_MESSAGE
            return _finish(profile_id, token, "failed", error=HOSTILE_MESSAGE if hostile else UNREADABLE_MESSAGE)
        if not has_text(text):
            return _finish(profile_id, token, "no_text", error=NO_TEXT_MESSAGE)
        parsed, parser, note = parse_text(text)
        return _finish(
            profile_id,
            token,
            "done",
            parsed=parsed.model_dump(),
            confidence=parsed.confidence,
            parser=parser,
            error=note,
        )
    except Exception as error:  # includes RQ's job timeout; the row must not stay 'parsing' forever
        log.exception("Parsing the resume of profile %s failed", profile_id)
        db.session.rollback()
        timed_out = type(error).__name__ == "JobTimeoutException"
        _finish(
            profile_id,
            token,
            "failed",
            error="Reading your resume took too long. Try again, or fill in your profile by hand."
            if timed_out
            else CRASHED_MESSAGE,
        )
        return "failed"


def _finish(
    profile_id: int,
    token,
    status: str,
    *,
    error: str | None = None,
    parsed: dict | None = None,
    confidence: float | None = None,
    parser: str | None = None,
) -> str:
    values = {"parse_status": status, "parse_error": error}
    if status == "done":
        values.update(parsed=parsed, parse_confidence=round(confidence or 0, 2), parser=parser)
    condition = (
        (CandidateProfile.parse_requested_at == token)
        if token is not None
        else CandidateProfile.parse_requested_at.is_(None)
    )
    written = db.session.execute(
        update(CandidateProfile)
        .where(CandidateProfile.id == profile_id, CandidateProfile.parse_status == "parsing", condition)
        .values(**values)
    )
    db.session.commit()
    return status if written.rowcount == 1 else "superseded"


def stale_parse_ids(now=None) -> list[int]:
    """Profiles whose parse job was lost: pending too long, or 'parsing' past any job's timeout.

    Stale 'parsing' rows are put back to 'pending' (so the re-enqueued job can claim them), unless
    their worker already died MAX_PARSE_ATTEMPTS times on this file: those fail for good, so a file
    that kills its reader is not retried forever. Commits.
    """
    now = now or utcnow()
    stale = (CandidateProfile.parse_status == "parsing") & (CandidateProfile.updated_at < now - STALE_PARSING)
    db.session.execute(
        update(CandidateProfile)
        .where(stale, CandidateProfile.parse_attempts >= MAX_PARSE_ATTEMPTS)
        .values(parse_status="failed", parse_error=HOSTILE_MESSAGE)
    )
    db.session.execute(update(CandidateProfile).where(stale).values(parse_status="pending"))
    ids = list(
        db.session.scalars(
            select(CandidateProfile.id)
            .where(
                CandidateProfile.parse_status == "pending",
                (CandidateProfile.parse_requested_at < now - STALE_PENDING)
                | CandidateProfile.parse_requested_at.is_(None),
            )
            .order_by(CandidateProfile.id)
            .limit(500)
        )
    )
    db.session.commit()
    return ids
