"""The candidate's profile: what they tell recruiters, pre-filled from the latest parse of their
resume and saved only when they have reviewed it."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationError
from ..extensions import db
from ..integrations import ai
from ..models import CandidateProfile, User, utcnow
from .skills import normalize_skills

log = logging.getLogger(__name__)

MAX_SKILLS = 60
MAX_LINKS = 10
MAX_LINK_LENGTH = 300
MAX_ENTRIES = 30
FIELD_LIMITS = {"headline": 200, "summary": 5000, "location": 160, "phone": 40}
ENTRY_LIMITS = {
    "company": 200,
    "title": 200,
    "institution": 200,
    "degree": 200,
    "start": 20,
    "end": 20,
    "description": 4000,
}


def get_profile(user: User) -> CandidateProfile | None:
    return db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))


def reviewed_profile(user: User) -> CandidateProfile | None:
    """The profile as the candidate last saved it, for recruiters; None until they have reviewed
    it (an unreviewed parse is the machine's guess, not what the candidate tells recruiters)."""
    profile = get_profile(user)
    return profile if profile is not None and profile.reviewed_at is not None else None


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
        "headline": profile.headline if profile else "",
        "summary": profile.summary if profile else "",
        "location": profile.location if profile else "",
        "phone": profile.phone if profile else "",
        "skills": list(profile.skills or []) if profile else [],
        "experience": list(profile.experience or []) if profile else [],
        "education": list(profile.education or []) if profile else [],
        "links": list(profile.links or []) if profile else [],
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
        "links": _clean_links(parsed.contact.links, strict=False) or saved["links"],
    }
    return data, True


def save_reviewed_profile(user: User, data: dict) -> CandidateProfile:
    """Save what the candidate checked: the profile's own fields, marked reviewed now. Flushes.

    `data`: headline, summary, location, phone (str); skills (list or comma-separated str); links
    (list or one per line);
    experience [{company, title, start, end, description}], education [{institution, degree, start,
    end}]. Entries with nothing filled in are dropped. Raises ValidationError naming the field.
    """
    cleaned = {}
    for name, limit in FIELD_LIMITS.items():
        value = " ".join(str(data.get(name) or "").split()) if name != "summary" else str(data.get(name) or "").strip()
        if len(value) > limit:
            raise ValidationError(f"Keep this under {limit:,} characters.", field=name)
        cleaned[name] = value
    cleaned["skills"] = normalize_skills(data.get("skills"), limit=MAX_SKILLS)
    cleaned["experience"] = _clean_entries(
        data.get("experience"), ("company", "title", "start", "end", "description"), "experience"
    )
    cleaned["education"] = _clean_entries(data.get("education"), ("institution", "degree", "start", "end"), "education")
    cleaned["links"] = _clean_links(data.get("links"))
    profile = get_or_create_profile(user)
    for name, value in cleaned.items():
        setattr(profile, name, value)
    profile.reviewed_at = utcnow()
    db.session.flush()
    return profile


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


def _clean_links(raw, strict: bool = True) -> list[str]:
    """Web addresses, one per line or as a list: "linkedin.com/in/x" gets https://, anything that
    is not http(s) is refused (recruiters click these). `strict=False` (a parse) drops bad ones."""
    items = raw.splitlines() if isinstance(raw, str) else list(raw or [])
    links: list[str] = []
    for item in items:
        link = str(item or "").strip()
        if not link:
            continue
        if "://" not in link:
            link = "https://" + link
        parts = urlsplit(link)
        valid = parts.scheme in ("http", "https") and "." in parts.netloc and not any(c.isspace() for c in link)
        if not valid or len(link) > MAX_LINK_LENGTH:
            if not strict:
                continue
            raise ValidationError(
                f"“{str(item).strip()[:80]}” is not a web address (https://…, under {MAX_LINK_LENGTH} characters).",
                field="links",
            )
        if link not in links:
            links.append(link)
    if len(links) > MAX_LINKS:
        if not strict:
            return links[:MAX_LINKS]
        raise ValidationError(f"List at most {MAX_LINKS} links.", field="links")
    return links


# What a complete profile has, in the order the candidate fills it in: (key, what it is, the field on
# the profile page to jump to, whether this profile has it). Recruiters see only the saved profile,
# so "saved" counts too: an unsaved parse reaches nobody.
COMPLETENESS_ITEMS = (
    ("resume", "A resume", "resume-panel", lambda p: p.resume_id is not None),
    ("headline", "A headline", "headline", lambda p: bool(p.headline.strip())),
    ("summary", "A summary", "summary", lambda p: bool(p.summary.strip())),
    ("location", "Your location", "location", lambda p: bool(p.location.strip())),
    ("skills", "At least 3 skills", "skills", lambda p: len(p.skills or []) >= 3),
    ("experience", "Work experience", "experience-0-title", lambda p: bool(p.experience)),
    ("education", "Education", "education-0-institution", lambda p: bool(p.education)),
    ("links", "A link (portfolio, GitHub, LinkedIn…)", "links", lambda p: bool(p.links)),
    ("saved", "Checked and saved, so recruiters see it", "review-title", lambda p: p.reviewed_at is not None),
)


def completeness(profile: CandidateProfile | None) -> dict:
    """How complete the candidate's profile is: {"percent": 0–100, "done": [label...],
    "missing": [(label, anchor)...], "complete": bool}; an absent profile is 0%."""
    done, missing = [], []
    for _key, label, anchor, has in COMPLETENESS_ITEMS:
        if profile is not None and has(profile):
            done.append(label)
        else:
            missing.append((label, anchor))
    percent = round(100 * len(done) / len(COMPLETENESS_ITEMS))
    return {"percent": percent, "done": done, "missing": missing, "complete": not missing}
