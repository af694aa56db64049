"""The jobs page's query string as a search: `parse_params(args) -> SearchParams`.

Reads the GET form (q, location, workplace, employment_type, seniority, salary_min, posted, company,
sort, page), ignoring or clamping anything odd with a notice instead of an error, and turns it into
the backend-neutral `SearchRequest` (backend.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ..models import EMPLOYMENT_TYPES, SENIORITIES, WORKPLACES
from .backend import POSTED, SORTS, SearchRequest
from .documents import location_key
from .syntax import OPERATORS

MAX_QUERY_CHARS = 200
MAX_WORDS = 32
MAX_VALUES = 20  # per filter group
MAX_PAGE = 1000
MAX_SALARY = 10_000_000
ENUMERATED = {"workplace": WORKPLACES, "employment_type": EMPLOYMENT_TYPES, "seniority": SENIORITIES}
# Query-string name -> legend
GROUPS = {
    "workplace": "Workplace",
    "employment_type": "Employment type",
    "seniority": "Seniority",
    "location": "Location",
    "company": "Company",
}


@dataclass
class SearchParams:
    q: str = ""
    workplace: tuple[str, ...] = ()
    employment_type: tuple[str, ...] = ()
    seniority: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    company: tuple[str, ...] = ()
    salary_min: int | None = None
    posted: str | None = None
    sort: str = "relevance"
    page: int = 1
    notices: list[str] = field(default_factory=list)

    def args(self, **changes) -> dict:
        """The query string as url_for arguments, without defaults (short, shareable URLs)."""
        values = {
            "q": self.q,
            **{name: list(getattr(self, name)) for name in GROUPS},
            "salary_min": self.salary_min,
            "posted": self.posted,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changes)
        defaults = {"q": "", "salary_min": None, "posted": None, "sort": "relevance", "page": 1}
        return {k: v for k, v in values.items() if v not in ([], (), None, "") and defaults.get(k, object()) != v}

    def without(self, name: str, value=None) -> dict:
        """Arguments for the same search without one filter value (a chip's link)."""
        if name in GROUPS:
            return self.args(**{name: [v for v in getattr(self, name) if v != value]}, page=1)
        return self.args(**{name: None}, page=1)

    def cleared(self) -> dict:
        return {k: v for k, v in {"q": self.q, "sort": self.sort if self.sort != "relevance" else None}.items() if v}

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, name) for name in GROUPS) or bool(self.salary_min or self.posted)

    @property
    def filter_count(self) -> int:
        """How many filter values are chosen (the "Filters (n)" button on phones)."""
        return sum(len(getattr(self, name)) for name in GROUPS) + bool(self.salary_min) + bool(self.posted)

    def words(self) -> list[str]:
        """The plain words of q (no quotes, operators or wildcards), for the database fallback."""
        cleaned = re.sub(r'["()*^]', " ", self.q)
        return [w for w in cleaned.split() if w not in OPERATORS and w.strip("+-")]

    def request(self, per_page: int, now: datetime) -> SearchRequest:
        """This search as a backend sees it (location values as facet keys)."""
        filters = {}
        for name in GROUPS:
            values = getattr(self, name)
            if values:
                filters[name] = tuple(location_key(v) for v in values) if name == "location" else values
        return SearchRequest(
            text=self.q,
            filters=filters,
            posted=self.posted,
            salary_min=self.salary_min,
            sort=self.sort,
            offset=(self.page - 1) * per_page,
            limit=per_page,
            now=now,
        )


def _clean_text(value: str) -> str:
    return " ".join("".join(ch for ch in value if ch.isprintable()).split())


def parse_params(args) -> SearchParams:
    """SearchParams from a query string. Never raises: bad values are dropped or clamped, each
    with a short notice for the page."""
    params = SearchParams()
    notes = params.notices
    raw_q = _clean_text(args.get("q", "") or "")
    if len(raw_q) > MAX_QUERY_CHARS:
        notes.append(f"Your search was shortened to its first {MAX_QUERY_CHARS} characters.")
        raw_q = raw_q[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] if " " in raw_q[:MAX_QUERY_CHARS] else raw_q[:MAX_QUERY_CHARS]
    words = raw_q.split()
    if len(words) > MAX_WORDS:
        notes.append(f"Only the first {MAX_WORDS} words of your search were used.")
        raw_q = " ".join(words[:MAX_WORDS])
    params.q = raw_q

    for name in GROUPS:
        values, seen = [], set()
        for raw in args.getlist(name) if hasattr(args, "getlist") else [args.get(name)]:
            value = _clean_text(raw or "")[:160]
            if not value or value.casefold() in seen:
                continue
            if name in ENUMERATED and value not in ENUMERATED[name]:
                notes.append(f"Ignored an unknown {GROUPS[name].lower()} filter: “{value}”.")
                continue
            seen.add(value.casefold())
            values.append(value)
        if len(values) > MAX_VALUES:
            notes.append(f"Only the first {MAX_VALUES} {GROUPS[name].lower()} filters were used.")
            values = values[:MAX_VALUES]
        setattr(params, name, tuple(values))

    salary = (args.get("salary_min") or "").strip().replace(",", "").replace("_", "")
    if salary:
        multiplier = 1000 if salary[-1:].lower() == "k" else 1
        try:
            amount = int(float(salary[:-1] if multiplier == 1000 else salary) * multiplier)
        except (ValueError, OverflowError):
            notes.append("The minimum salary must be a number; it was ignored.")
        else:
            if amount <= 0:
                notes.append("The minimum salary must be above zero; it was ignored.")
            elif amount > MAX_SALARY:
                notes.append(f"The minimum salary was lowered to {MAX_SALARY:,}.")
                params.salary_min = MAX_SALARY
            else:
                params.salary_min = amount

    posted = (args.get("posted") or "").strip()
    if posted and posted in POSTED:
        params.posted = posted
    elif posted and posted not in ("any", "all"):
        notes.append("Unknown “posted within” value ignored: choose 24 hours, 7 days or 30 days.")

    sort = (args.get("sort") or "").strip()
    if sort in SORTS:
        params.sort = sort
    elif sort:
        notes.append("Unknown sort order ignored: sorted by relevance.")

    page = (args.get("page") or "").strip()
    if page:
        try:
            number = int(page)
        except ValueError:
            notes.append("The page number must be a whole number; showing page 1.")
            number = 1
        if number < 1:
            notes.append("Page numbers start at 1; showing page 1.")
            number = 1
        params.page = min(number, MAX_PAGE)
    return params
