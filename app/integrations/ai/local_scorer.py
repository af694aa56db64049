"""A deterministic match score, 0–100, with reasons a recruiter can check.

Weights: skills 60 (the job's skills found in the candidate's skills or resume text), experience
25 (years from the dated positions against what the job's seniority usually asks), title 15 (the
words of the job title in the candidate's headline or past titles). Same input, same score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ...vocabulary import canonical_skill, find_skills, skill_key
from .schema import MatchResult

WEIGHTS = {"skills": 60, "experience": 25, "title": 15}
# (minimum years, years past which the role is clearly below the candidate) per Job.seniority.
SENIORITY_YEARS = {
    "intern": (0, 2),
    "junior": (0, 3),
    "mid": (2, 8),
    "senior": (5, None),
    "lead": (7, None),
    "principal": (10, None),
    "executive": (12, None),
}
SENIORITY_LABELS = {
    "intern": "an intern",
    "junior": "a junior",
    "mid": "a mid-level",
    "senior": "a senior",
    "lead": "a lead",
    "principal": "a principal",
    "executive": "an executive",
}
TITLE_NOISE = {
    "senior",
    "sr",
    "junior",
    "jr",
    "lead",
    "principal",
    "staff",
    "mid",
    "level",
    "i",
    "ii",
    "iii",
    "iv",
    "head",
    "of",
    "and",
    "the",
    "a",
    "an",
    "for",
    "in",
    "at",
    "to",
    "with",
    "remote",
    "m",
    "f",
    "d",
    "w",
    "x",
    "intern",
    "trainee",
    "associate",
}
TITLE_SYNONYMS = {
    "developer": "engineer",
    "programmer": "engineer",
    "dev": "engineer",
    "swe": "engineer",
    "back": "backend",
    "front": "frontend",
    "fullstack": "full-stack",
    "full": "full-stack",
    "ops": "operations",
    "mgr": "manager",
    "rn": "nurse",
}
_YEARS_CLAIM = re.compile(
    r"(\d{1,2})\+?\s*(?:years|yrs)(?:\s+of)?\s+(?:professional\s+|industry\s+|work\s+)?experience", re.IGNORECASE
)


@dataclass
class JobFacts:
    title: str
    seniority: str = "mid"
    skills: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class CandidateFacts:
    headline: str = ""
    skills: list[str] = field(default_factory=list)
    experience: list[dict] = field(default_factory=list)  # {title, company, start, end, ...}
    text: str = ""  # the resume's text, searched for skills the profile does not list


def _month_index(value: str, today: date, is_end: bool) -> int | None:
    value = (value or "").strip()
    if value.lower() == "present":
        return today.year * 12 + today.month - 1
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", value)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2) or 1)
    if not 1900 <= year <= today.year + 1 or not 1 <= month <= 12:
        return None
    return year * 12 + month - 1


def years_of_experience(experience: list[dict], text: str = "", today: date | None = None) -> float | None:
    """Years covered by the dated positions (overlaps counted once), else a "N years of experience" claim."""
    today = today or date.today()
    spans = []
    for position in experience or []:
        start = _month_index(position.get("start", ""), today, False)
        end = _month_index(position.get("end", ""), today, True)
        if start is None:
            continue
        if end is None:
            end = start + 12  # a start without an end: count one year rather than nothing
        if end > start:
            spans.append((start, end))
    if spans:
        spans.sort()
        total, (cur_start, cur_end) = 0, spans[0]
        for start, end in spans[1:]:
            if start > cur_end:
                total += cur_end - cur_start
                cur_start, cur_end = start, end
            else:
                cur_end = max(cur_end, end)
        total += cur_end - cur_start
        return round(total / 12, 1)
    claims = [int(m.group(1)) for m in _YEARS_CLAIM.finditer(text or "")]
    return float(max(claims)) if claims else None


def _title_words(title: str) -> set[str]:
    words = re.findall(r"[a-z][a-z+#.-]*", (title or "").lower())
    return {TITLE_SYNONYMS.get(w, w) for w in words if w not in TITLE_NOISE}


def _years(years: float) -> str:
    shown = f"{years:.0f}" if years >= 2 else f"{years:g}"
    return f"{shown} year{'' if shown == '1' else 's'}"


def _experience_fit(years: float | None, seniority: str) -> tuple[float, str]:
    low, high = SENIORITY_YEARS.get(seniority, (2, 8))
    role = SENIORITY_LABELS.get(seniority, "this")
    asks = f"{role} role usually asks for {low} or more years"
    if years is None:
        return 0.5, "Could not tell the years of experience from the resume."
    described = f"About {_years(years)} of experience"
    if years < low:
        return round(years / low, 2), f"{described}; {asks}."
    if high is not None and years > high + 2:
        return 0.7, f"{described}; more than {role} role usually needs."
    return 1.0, f"{described}, in range for {role} role."


def _mentions(text: str, skill: str) -> bool:
    return bool(re.search(rf"(?<![A-Za-z0-9+#]){re.escape(skill)}(?![A-Za-z0-9+#])", text, re.IGNORECASE))


def score_match(job: JobFacts, candidate: CandidateFacts, today: date | None = None) -> tuple[MatchResult, dict]:
    """(the MatchResult, the weighted components 0..1 that produced its score)."""
    wanted = list(dict.fromkeys(canonical_skill(s) for s in job.skills if s and s.strip()))
    if not wanted:
        wanted = find_skills(job.description)[:15]
    have = {skill_key(s) for s in candidate.skills} | {skill_key(s) for s in find_skills(candidate.text)}
    matched = [s for s in wanted if skill_key(s) in have or _mentions(candidate.text, s)]
    missing = [s for s in wanted if s not in matched]
    skills_part = len(matched) / len(wanted) if wanted else 0.5

    years = years_of_experience(candidate.experience, candidate.text, today)
    experience_part, experience_fit = _experience_fit(years, job.seniority)

    job_words = _title_words(job.title)
    titles = [candidate.headline] + [p.get("title", "") for p in candidate.experience or []]
    best_title, title_part = "", 0.0
    for title in titles:
        if not title or not job_words:
            continue
        overlap = len(job_words & _title_words(title)) / len(job_words)
        if overlap > title_part:
            best_title, title_part = title, round(overlap, 2)

    components = {"skills": round(skills_part, 2), "experience": experience_part, "title": title_part}
    score = round(sum(WEIGHTS[name] * value for name, value in components.items()))

    strengths = []
    if matched:
        strengths.append(f"Has {len(matched)} of the {len(wanted)} skills asked for: {', '.join(matched[:6])}")
    if years is not None and experience_part >= 1.0:
        strengths.append(f"{_years(years)[0].upper()}{_years(years)[1:]} of experience")
    if title_part >= 0.5:
        strengths.append(f"Has worked as {best_title}")
    extra = [s for s in candidate.skills if skill_key(s) not in {skill_key(w) for w in wanted}][:4]
    if extra:
        strengths.append(f"Also brings {', '.join(extra)}")

    if wanted:
        skills_phrase = f"matches {len(matched)} of {len(wanted)} skills"
        if missing:
            skills_phrase += f" (missing {', '.join(missing[:3])}{'…' if len(missing) > 3 else ''})"
    else:
        skills_phrase = "the job lists no skills to compare"
    title_phrase = f"has worked as {best_title}" if title_part >= 0.5 else "no past title close to the job's"
    experience_phrase = f"{experience_fit[0].lower()}{experience_fit[1:].rstrip('.')}"
    summary = f"{skills_phrase[0].upper()}{skills_phrase[1:]}; {experience_phrase}; {title_phrase}."
    result = MatchResult(
        score=max(0, min(100, score)),
        skills_matched=matched,
        skills_missing=missing,
        experience_fit=experience_fit,
        strengths=strengths,
        summary=summary,
    )
    return result, components
