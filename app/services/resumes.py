"""Resumes: text extraction, parsing into the candidate's profile, and the candidate's review.

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
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationError
from ..extensions import db
from ..integrations import ai
from ..integrations.ai import local_parser
from ..integrations.ai.vocabulary import canonical_skill, skill_key
from ..integrations.documents import DocumentUnreadable, IsolationFailed, run_isolated
from ..integrations.documents import extract_text as document_text
from ..models import Application, CandidateProfile, Document, User, utcnow
from . import documents

log = logging.getLogger(__name__)

NO_TEXT_MESSAGE = ("We could not read text from this file. It may be a scanned image; upload a PDF or Word "
                   "file with selectable text, or fill in your profile by hand.")
UNREADABLE_MESSAGE = ("We could not open this file to read it: it may be damaged or password-protected. "
                      "Upload another copy, or fill in your profile by hand.")
HOSTILE_MESSAGE = ("We could not read this file: it is too large or too complex to read safely. Upload a "
                   "simpler PDF or Word file, or fill in your profile by hand.")
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

MAX_SKILLS = 60
MAX_ENTRIES = 30
FIELD_LIMITS = {"headline": 200, "summary": 5000, "location": 160, "phone": 40}
ENTRY_LIMITS = {"company": 200, "title": 200, "institution": 200, "degree": 200, "start": 20, "end": 20,
                "description": 4000}


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
        text = run_isolated(read_document_text, document.data, document.content_type, config["PARSE_MAX_PDF_PAGES"],
                            config["PARSE_MAX_TEXT_CHARS"], documents.archive_limits(),
                            memory_mb=config["PARSE_MEMORY_MB"], timeout=config["PARSE_TIMEOUT_SECONDS"],
                            errors=(DocumentUnreadable,))
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

def get_profile(user: User) -> CandidateProfile | None:
    return db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))


def get_or_create_profile(user: User) -> CandidateProfile:
    """The user's profile, created empty if needed. Flushes; safe against two requests racing."""
    profile = get_profile(user)
    if profile is not None:
        return profile
    try:
        with db.session.begin_nested():
            profile = CandidateProfile(user_id=user.id)
            db.session.add(profile)
            db.session.flush()
    except IntegrityError:
        profile = get_profile(user)
        if profile is None:
            raise
    return profile


def request_parse(user: User, document: Document) -> CandidateProfile:
    """Record that `document` should be parsed into the user's profile and enqueue the job. Flushes.

    The pending status is written in the caller's transaction; the job runs after it commits.
    A newer request supersedes an older one still in flight (its result is then discarded).
    """
    from ..tasks import enqueue
    from ..tasks.resumes import parse_resume
    profile = get_or_create_profile(user)
    profile.resume_id = document.id
    profile.parse_status = "pending"
    profile.parse_attempts = 0
    profile.parse_error = None
    profile.parse_requested_at = utcnow()
    db.session.flush()
    enqueue(parse_resume, profile.id)
    return profile


def upload_resume(user: User, upload) -> CandidateProfile:
    """Store a resume uploaded only to fill the profile, and request its parse. Flushes.

    Same file checks as applying (documents.store_resume). Uploads are capped per hour: each one is
    kept in the database and may cost an OpenAI call. Raises ValidationError(field="resume").
    """
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(select(func.count(Document.id)).where(Document.owner_id == user.id,
                                                                     Document.created_at >= since))
    if recent >= MAX_UPLOADS_PER_HOUR:
        raise ValidationError("You have uploaded a lot of files in the last hour. Please try again later.",
                              field="resume")
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
    from ..tasks import enqueue
    from ..tasks.resumes import score_application
    profile = get_profile(application.candidate)
    if application.resume is not None and (profile is None or profile.reviewed_at is None):
        request_parse(application.candidate, application.resume)
    enqueue(score_application, application.id)


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
            return local_parser.parse_resume(text), "local_fallback", (
                f"The AI parser could not be used ({error}); the built-in parser filled this in instead.")
    return local_parser.parse_resume(text), "local", None


def run_parse(profile_id: int) -> str:
    """Parse the profile's resume. Commits each step so the candidate's status fragment sees progress.

    Idempotent: only a 'pending' profile is claimed; a result for a request superseded meanwhile
    (a newer upload) is dropped. Returns done|no_text|failed|skipped|superseded.
    """
    claimed = db.session.execute(
        update(CandidateProfile).where(CandidateProfile.id == profile_id, CandidateProfile.parse_status == "pending")
        .values(parse_status="parsing", parse_attempts=CandidateProfile.parse_attempts + 1))
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
        return _finish(profile_id, token, "done", parsed=parsed.model_dump(), confidence=parsed.confidence,
                       parser=parser, error=note)
    except Exception as error:  # includes RQ's job timeout; the row must not stay 'parsing' forever
        log.exception("Parsing the resume of profile %s failed", profile_id)
        db.session.rollback()
        timed_out = type(error).__name__ == "JobTimeoutException"
        _finish(profile_id, token, "failed",
                error="Reading your resume took too long. Try again, or fill in your profile by hand."
                if timed_out else CRASHED_MESSAGE)
        return "failed"


def _finish(profile_id: int, token, status: str, *, error: str | None = None, parsed: dict | None = None,
            confidence: float | None = None, parser: str | None = None) -> str:
    values = {"parse_status": status, "parse_error": error}
    if status == "done":
        values.update(parsed=parsed, parse_confidence=round(confidence or 0, 2), parser=parser)
    condition = (CandidateProfile.parse_requested_at == token) if token is not None \
        else CandidateProfile.parse_requested_at.is_(None)
    written = db.session.execute(
        update(CandidateProfile).where(CandidateProfile.id == profile_id, CandidateProfile.parse_status == "parsing",
                                       condition).values(**values))
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
    db.session.execute(update(CandidateProfile).where(stale, CandidateProfile.parse_attempts >= MAX_PARSE_ATTEMPTS)
                       .values(parse_status="failed", parse_error=HOSTILE_MESSAGE))
    db.session.execute(update(CandidateProfile).where(stale).values(parse_status="pending"))
    ids = list(db.session.scalars(
        select(CandidateProfile.id).where(
            CandidateProfile.parse_status == "pending",
            (CandidateProfile.parse_requested_at < now - STALE_PENDING) | CandidateProfile.parse_requested_at.is_(None),
        ).order_by(CandidateProfile.id).limit(500)))
    db.session.commit()
    return ids


# --- Review ---------------------------------------------------------------------------------------

def shows_parse(profile: CandidateProfile | None) -> bool:
    """True when the review form should be pre-filled from the latest parse: it finished and the
    candidate has not saved their profile since asking for it."""
    if profile is None or profile.parse_status != "done" or not profile.parsed:
        return False
    if profile.reviewed_at is None:
        return True
    return profile.parse_requested_at is not None and profile.parse_requested_at > profile.reviewed_at


def review_data(profile: CandidateProfile | None, use_saved: bool = False) -> tuple[dict, bool]:
    """(the values for the review form, whether they come from a parse the candidate has not reviewed).

    A parse fills what it found; anything it did not find keeps what the candidate saved before.
    """
    saved = {
        "headline": profile.headline if profile else "", "summary": profile.summary if profile else "",
        "location": profile.location if profile else "", "phone": profile.phone if profile else "",
        "skills": list(profile.skills or []) if profile else [],
        "experience": list(profile.experience or []) if profile else [],
        "education": list(profile.education or []) if profile else [],
    }
    if use_saved or not shows_parse(profile):
        return saved, False
    try:
        parsed = ai.ResumeProfile.model_validate(profile.parsed)
    except Exception:  # a parse stored by an older version of the schema: show what was saved
        log.warning("Profile %s has a parse that does not fit the schema", profile.id)
        return saved, False
    data = {
        "headline": parsed.headline or (parsed.experience[0].title if parsed.experience else "") or saved["headline"],
        "summary": parsed.summary or saved["summary"],
        "location": parsed.contact.location or saved["location"],
        "phone": parsed.contact.phone or saved["phone"],
        "skills": parsed.skills or saved["skills"],
        "experience": [p.model_dump() for p in parsed.experience] or saved["experience"],
        "education": [s.model_dump() for s in parsed.education] or saved["education"],
    }
    return data, True


def save_reviewed_profile(user: User, data: dict) -> CandidateProfile:
    """Save what the candidate checked: the profile's own fields, marked reviewed now. Flushes.

    `data`: headline, summary, location, phone (str); skills (list or comma-separated str);
    experience [{company, title, start, end, description}], education [{institution, degree, start,
    end}]. Entries with nothing filled in are dropped. Raises ValidationError naming the field.
    """
    cleaned = {}
    for name, limit in FIELD_LIMITS.items():
        value = " ".join(str(data.get(name) or "").split()) if name != "summary" else str(data.get(name) or "").strip()
        if len(value) > limit:
            raise ValidationError(f"Keep this under {limit:,} characters.", field=name)
        cleaned[name] = value
    cleaned["skills"] = clean_skills(data.get("skills"))
    cleaned["experience"] = _clean_entries(data.get("experience"), ("company", "title", "start", "end", "description"),
                                           "experience")
    cleaned["education"] = _clean_entries(data.get("education"), ("institution", "degree", "start", "end"), "education")
    profile = get_or_create_profile(user)
    for name, value in cleaned.items():
        setattr(profile, name, value)
    profile.reviewed_at = utcnow()
    db.session.flush()
    return profile


def clean_skills(raw) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else list(raw or [])
    skills: dict[str, str] = {}
    for item in items:
        name = canonical_skill(str(item))
        if not name:
            continue
        if len(name) > 60:
            raise ValidationError(f"“{name[:30]}…” is too long for a skill; separate skills with commas.",
                                  field="skills")
        skills.setdefault(skill_key(name), name)
    if len(skills) > MAX_SKILLS:
        raise ValidationError(f"List at most {MAX_SKILLS} skills.", field="skills")
    return list(skills.values())


def _clean_entries(raw, keys: tuple[str, ...], field: str) -> list[dict]:
    entries = []
    for item in raw or []:
        entry = {}
        for key in keys:
            value = str((item or {}).get(key) or "").strip()
            if key != "description":
                value = " ".join(value.split())
            if len(value) > ENTRY_LIMITS[key]:
                raise ValidationError(f"Keep each {key} under {ENTRY_LIMITS[key]:,} characters.", field=field)
            entry[key] = value
        if any(entry.values()):
            entries.append(entry)
    if len(entries) > MAX_ENTRIES:
        raise ValidationError(f"List at most {MAX_ENTRIES} entries.", field=field)
    return entries
