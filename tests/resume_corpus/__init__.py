"""The resume corpus (files/, truth.json; built by build.py) and how a parser's answers are scored.

Shared by the regression test (tests/test_resume_corpus.py) and bench/resumes.py, so both count
the same way:
- name: the parsed name equals the true one (case and spacing aside);
- skills: precision, recall and F1 over all resumes, skills compared by their canonical name;
- jobs / schools: a true entry counts when a parsed one has the same title and company (jobs) or
  institution (schools); the score divides by the larger of the true and parsed counts, so a bullet
  taken for a new position costs as much as a position missed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
FILES = HERE / "files"


def load() -> list[dict]:
    return json.loads((HERE / "truth.json").read_text())


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip(" ,.").casefold()


@dataclass
class Score:
    resumes: int = 0
    names: int = 0
    skills_true: int = 0
    skills_found: int = 0
    skills_right: int = 0
    jobs_right: int = 0
    jobs_total: int = 0
    schools_right: int = 0
    schools_total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, truth: dict, parsed) -> None:
        from app.vocabulary import skill_key

        self.resumes += 1
        if _norm(parsed.contact.name) == _norm(truth["name"]):
            self.names += 1
        else:
            self.misses.append(f"{truth['file']}: name {parsed.contact.name!r}")
        want = {skill_key(s) for s in truth["skills"]}
        got = {skill_key(s) for s in parsed.skills}
        self.skills_true += len(want)
        self.skills_found += len(got)
        self.skills_right += len(want & got)
        if want ^ got:
            self.misses.append(f"{truth['file']}: skills missed {sorted(want - got)} extra {sorted(got - want)}")
        self._entries(
            truth["file"],
            "jobs",
            [(_norm(j["title"]), _norm(j["company"])) for j in truth["jobs"]],
            [(_norm(p.title), _norm(p.company)) for p in parsed.experience],
        )
        self._entries(
            truth["file"],
            "schools",
            [_norm(s["institution"]) for s in truth["schools"]],
            [_norm(s.institution) for s in parsed.education],
        )

    def _entries(self, file: str, kind: str, want: list, got: list) -> None:
        right = sum(1 for item in want if item in got)
        setattr(self, f"{kind}_right", getattr(self, f"{kind}_right") + right)
        setattr(self, f"{kind}_total", getattr(self, f"{kind}_total") + max(len(want), len(got)))
        if right < max(len(want), len(got)):
            self.misses.append(f"{file}: {kind} {got}")

    @property
    def precision(self) -> float:
        return self.skills_right / self.skills_found if self.skills_found else 0.0

    @property
    def recall(self) -> float:
        return self.skills_right / self.skills_true if self.skills_true else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def jobs(self) -> float:
        return self.jobs_right / self.jobs_total if self.jobs_total else 0.0

    @property
    def schools(self) -> float:
        return self.schools_right / self.schools_total if self.schools_total else 0.0


def score(read_text, parse) -> Score:
    """Read every corpus file with `read_text(data, content_type)` and score `parse(text)`."""
    from app.integrations.documents.sniff import DOCX, PDF

    result = Score()
    for truth in load():
        data = (FILES / truth["file"]).read_bytes()
        text = read_text(data, PDF if truth["file"].endswith(".pdf") else DOCX)
        result.add(truth, parse(text))
    return result
