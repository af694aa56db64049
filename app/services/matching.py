"""Match scores: how well an application fits its job, 0–100, with a breakdown recruiters can check.

OpenAI scores when OPENAI_API_KEY is set; otherwise, and whenever OpenAI fails, the deterministic
local scorer does, and the breakdown records the fallback and its reason.
"""

from __future__ import annotations

import logging

from flask import current_app

from ..extensions import db
from ..integrations import ai
from ..integrations.ai import local_parser, local_scorer
from ..models import SENIORITIES, Application, utcnow
from . import profiles, resumes

log = logging.getLogger(__name__)
MAX_JOB_CHARS = 6_000
MAX_RESUME_EXCERPT = 8_000


def candidate_facts(application: Application) -> tuple[local_scorer.CandidateFacts, str]:
    """What we know about the applicant, best source first, and the name of that source.

    The candidate's reviewed profile, else their latest parse, else this application's resume parsed
    on the spot (so scoring never waits for the parse job). The resume's text is always searched too.
    """
    text = ""
    if application.resume is not None:
        try:
            text = resumes.extract_text(application.resume)
        except resumes.ResumeUnreadable as error:
            log.info("Application %s: resume unreadable for scoring: %s", application.id, error)
    profile = profiles.get_profile(application.candidate)
    if profile is not None and profile.reviewed_at is not None:
        return local_scorer.CandidateFacts(
            headline=profile.headline,
            skills=list(profile.skills or []),
            experience=list(profile.experience or []),
            text=text,
        ), "reviewed profile"
    parsed = None
    source = "parsed resume"
    if profile is not None and profile.parse_status == "done" and profile.parsed:
        try:
            parsed = ai.ResumeProfile.model_validate(profile.parsed)
        except Exception:
            parsed = None
    if parsed is None:
        parsed, source = local_parser.parse_resume(text), "resume text"
    return local_scorer.CandidateFacts(
        headline=parsed.headline,
        skills=parsed.skills,
        experience=[p.model_dump() for p in parsed.experience],
        text=text,
    ), source


def job_facts(job) -> local_scorer.JobFacts:
    return local_scorer.JobFacts(
        title=job.title, seniority=job.seniority, skills=list(job.skills or []), description=job.description or ""
    )


def job_summary(job) -> str:
    return "\n".join(
        [
            f"Title: {job.title}",
            f"Seniority: {SENIORITIES.get(job.seniority, job.seniority)}",
            f"Required skills: {', '.join(job.skills or []) or 'not listed'}",
            f"Location: {job.location} ({job.workplace_label})",
            "Description:",
            (job.description or "")[:MAX_JOB_CHARS],
        ]
    )


def profile_summary(facts: local_scorer.CandidateFacts) -> str:
    """The candidate as the scorer sees them. No name or contact details: they do not bear on fit."""
    lines = [
        f"Headline: {facts.headline or 'not given'}",
        f"Skills: {', '.join(facts.skills) or 'not listed'}",
        "Experience:",
    ]
    for position in facts.experience[:15]:
        dates = " – ".join(d for d in (position.get("start"), position.get("end")) if d)
        lines.append(
            f"- {position.get('title') or 'Role'} at {position.get('company') or 'unnamed company'}"
            f"{f' ({dates})' if dates else ''}"
        )
    if not facts.experience:
        lines.append("- none listed")
    if facts.text:
        lines += ["Resume text (excerpt, contact details removed):", redact_contact(facts.text[:MAX_RESUME_EXCERPT])]
    return "\n".join(lines)


def redact_contact(text: str) -> str:
    """Emails, phone numbers and links out: the scorer needs none of them."""
    text = local_parser.EMAIL.sub("[email]", text)
    text = local_parser.URL.sub("[link]", text)
    return local_parser.PHONE.sub(
        lambda m: "[phone]" if local_parser.looks_like_phone(m.group(0)) else m.group(0), text
    )


def score_application(application_id: int) -> Application | None:
    """Score one application and store match_score and match_breakdown. Flushes; idempotent (re-scores).

    None if the application no longer exists.
    """
    application = db.session.get(Application, application_id)
    if application is None:
        return None
    facts, source = candidate_facts(application)
    job = application.job
    breakdown: dict = {"source": source, "fallback": None}
    client = ai.from_config(current_app.config)
    result = None
    if client is not None:
        try:
            result = client.score_match(job_summary(job), profile_summary(facts))
            breakdown.update(scorer="openai", model=client.model)
        except ai.AIError as error:
            log.warning("OpenAI scoring of application %s failed, using the local scorer: %s", application_id, error)
            breakdown["fallback"] = f"The AI scorer could not be used ({error}); the built-in scorer was used instead."
    if result is None:
        result, components = local_scorer.score_match(job_facts(job), facts)
        breakdown.update(scorer="local", components=components)
    breakdown.update(result.model_dump(), scored_at=utcnow().isoformat())
    application.match_score = max(0, min(100, int(result.score)))
    application.match_breakdown = breakdown
    db.session.flush()
    return application


def candidate_explanation(application: Application) -> dict | None:
    """What a candidate sees of their own match score ("what matched, what's missing"), None until
    it is scored.

    Only the parts about the candidate and the job's published requirements: the score, the job's
    skills they have and lack, and how their experience fits the seniority. The summary, which is
    written for the recruiter who reads it first, and the scorer's internals (which model, fallback
    errors, weighted components) stay on the company's side.
    """
    if application.match_score is None:
        return None
    breakdown = application.match_breakdown or {}
    return {
        "score": application.match_score,
        "skills_matched": [str(s) for s in breakdown.get("skills_matched") or []],
        "skills_missing": [str(s) for s in breakdown.get("skills_missing") or []],
        "experience_fit": str(breakdown.get("experience_fit") or ""),
    }
