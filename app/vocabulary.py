"""The skills vocabulary shipped in skills.txt: recognise skills in free text, and name them one way.

Both the local parser (skills found in a resume) and the local scorer (job skills against candidate
skills) go through `canonical_skill`, so "postgres", "PostgreSQL" and "psql" count as one skill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).with_name("skills.txt")
# A skill is a whole token: "Java" is not found in "JavaScript", "SQL" not in "PostgreSQL",
# "C" not in "C++" or "R&D".
_EDGE = r"A-Za-z0-9+#&"
# One-letter names also stop at initials and compounds ("John R. Smith", "C-level", "C/C++" keeps C++).
_EDGE_LETTER = _EDGE + r".'’/\-"


@dataclass(frozen=True)
class Vocabulary:
    canonical: dict[str, str]  # lower-cased name or alias -> the name we show
    exact: dict[str, str]  # exact-case-only term -> the name we show
    folded_pattern: re.Pattern | None
    exact_pattern: re.Pattern | None

    def find(self, text: str) -> list[str]:
        """Canonical skills mentioned in `text`, in order of first mention, each once."""
        hits: list[tuple[int, str]] = []
        if self.folded_pattern is not None:
            hits += [(m.start(), self.canonical[_key(m.group(0))]) for m in self.folded_pattern.finditer(text)]
        if self.exact_pattern is not None:
            hits += [(m.start(), self.exact[_space(m.group(0))]) for m in self.exact_pattern.finditer(text)]
        seen: dict[str, None] = {}
        for _, name in sorted(hits):
            seen.setdefault(name, None)
        return list(seen)


def _space(term: str) -> str:
    return re.sub(r"\s+", " ", term.strip())


def _key(term: str) -> str:
    return _space(term).lower()


def _alternation(terms: list[str], flags: int) -> re.Pattern | None:
    if not terms:
        return None
    groups = []
    for edge, group in ((_EDGE, [t for t in terms if len(t) > 1]), (_EDGE_LETTER, [t for t in terms if len(t) == 1])):
        if not group:
            continue
        # Longest first, so "Spring Boot" wins over a shorter name starting at the same place. One
        # lookbehind in front of the whole group: most positions (inside words) fail it at once.
        bodies = [r"\s+".join(re.escape(w) for w in t.split()) for t in sorted(set(group), key=lambda t: (-len(t), t))]
        groups.append(rf"(?<![{edge}])(?:{'|'.join(bodies)})(?![{edge}])")
    return re.compile("|".join(groups), flags)


def parse_vocabulary(lines) -> Vocabulary:
    canonical: dict[str, str] = {}
    exact: dict[str, str] = {}
    folded_terms: list[str] = []
    exact_terms: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        strict = line.startswith("!")
        name, _, aliases = line.lstrip("!").partition(" = ")
        name = _space(name)
        terms = [name] + [_space(a) for a in aliases.split(",") if a.strip()]
        for term in terms:
            canonical.setdefault(_key(term), name)
            if strict or len(term) <= 2:
                # Short names match as written or in capitals ("ml" and "ML", "Go" and "GO"), never "go".
                for variant in {term, term.upper()}:
                    exact[variant] = name
                    exact_terms.append(variant)
            else:
                folded_terms.append(term)
    return Vocabulary(canonical, exact, _alternation(folded_terms, re.IGNORECASE), _alternation(exact_terms, 0))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return parse_vocabulary(VOCABULARY_FILE.read_text(encoding="utf-8").splitlines())


MAX_SEARCH_CHARS = 50_000  # resumes are ~10,000 characters; the search is linear but not free


def find_skills(text: str) -> list[str]:
    return vocabulary().find((text or "")[:MAX_SEARCH_CHARS])


def canonical_skill(name: str) -> str:
    """The vocabulary's name for a skill ("postgres" -> "PostgreSQL"); unknown skills keep their spelling."""
    cleaned = _space(name or "").strip(" .;:,")
    return vocabulary().canonical.get(cleaned.lower(), cleaned)


def known_skill(name: str) -> bool:
    """Whether the vocabulary names this skill (or an alias of it) exactly: "A/B Testing" is one skill."""
    return _key((name or "").strip(" .;:,")) in vocabulary().canonical


def skill_key(name: str) -> str:
    """Compare skills by this: the canonical name, lower-cased."""
    return canonical_skill(name).lower()
