"""Skills, written one way everywhere: a job's required skills and a candidate's profile go through
the same normaliser, so "postgres", "PostgreSQL" and "psql" are one skill to the matcher, the
search index and the recruiter alike."""

from __future__ import annotations

from ..errors import ValidationError
from ..vocabulary import canonical_skill, skill_key

MAX_SKILL_CHARS = 60


def normalize_skills(raw, *, limit: int, field: str = "skills") -> list[str]:
    """'python, Postgres,  PYTHON' -> ['Python', 'PostgreSQL']: comma-separated text or a list, each
    item trimmed and written the vocabulary's way, duplicates (ignoring case and aliases) dropped,
    order kept. ValidationError(field) for an item that is too long or more than `limit` items."""
    items = raw.split(",") if isinstance(raw, str) else list(raw or [])
    skills: dict[str, str] = {}
    for item in items:
        name = canonical_skill(str(item))
        if not name:
            continue
        if len(name) > MAX_SKILL_CHARS:
            raise ValidationError(f"“{name[:30]}…” is too long for a skill; separate skills with commas.", field=field)
        skills.setdefault(skill_key(name), name)
    if len(skills) > limit:
        raise ValidationError(f"List at most {limit} skills.", field=field)
    return list(skills.values())
