"""The one interface every search backend offers, and the types that cross it.

The jobs page, the job alerts and (later) the API call `search_jobs` (query.py), which builds a
`SearchRequest`, asks the configured backend, and turns its `SearchOutcome` into what the templates
render. A backend never sees a query string or a template; the page never sees an engine.

    search(request)   -> SearchOutcome: exact total, the page of hits (jobs loaded, highlighted),
                         facet counts within the search, a spelling suggestion
    catch_up()        -> SyncReport: follow what the database changed (Whoosh: absorb it into the
                         index; PostgreSQL: the database already has; refresh the spelling list)
    rebuild(progress) -> SyncReport: rebuild the backend's data from the database, calling
                         progress(done, total) as it goes
    status()          -> BackendStatus: is it ready, how many jobs, backend-specific details

Facet semantics, shared by every backend: a group's counts are computed within the current search
with every filter applied except the group's own ("how many would I get if I chose this instead"),
so ticking "Remote" still shows how many hybrid jobs there are. Range groups (posted, salary) count
each bucket as "at least this bound".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from ..models import Job, utcnow

# "Posted within": key -> (label, days)
POSTED = {"24h": ("Past 24 hours", 1), "7d": ("Past 7 days", 7), "30d": ("Past 30 days", 30)}
SALARY_STEPS = (25_000, 50_000, 75_000, 100_000, 150_000, 200_000)
SORTS = {"relevance": "Relevance", "newest": "Newest"}
# Groups whose counts come per value, named as in the query string.
TERM_GROUPS = ("workplace", "employment_type", "seniority", "location", "company")
RANGE_GROUPS = ("posted", "salary_min")
# Featured jobs come first; then relevance x (1 + RECENCY_WEIGHT x 0.5 ** (age / half-life)):
# a gentle boost, so a fresh weak match never beats an old strong one by much.
RECENCY_WEIGHT = 0.25
RECENCY_HALF_LIFE = 14 * 86400.0

Progress = Callable[[int, int], None]


class SearchUnavailable(Exception):
    """The backend cannot answer now (index missing, being built or unreadable; search objects
    missing from the database): the caller answers from the database fallback instead."""

    def __init__(self, state: str, detail: str = ""):
        self.state = state
        super().__init__(f"search {state}" + (f": {detail}" if detail else ""))


@dataclass(frozen=True)
class SearchRequest:
    """One search, independent of the query string it came from."""

    text: str = ""  # the search box as typed (syntax: query.py)
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # TERM_GROUPS -> accepted values
    posted: str | None = None  # a POSTED key
    salary_min: int | None = None  # US dollars a year
    sort: str = "relevance"  # or "newest"
    offset: int = 0
    limit: int = 20
    now: datetime = field(default_factory=utcnow)

    def posted_since(self, key: str | None = None) -> datetime | None:
        key = self.posted if key is None else key
        return self.now - timedelta(days=POSTED[key][1]) if key else None

    def with_offset(self, offset: int) -> SearchRequest:
        return SearchRequest(
            self.text, self.filters, self.posted, self.salary_min, self.sort, offset, self.limit, self.now
        )


@dataclass
class Hit:
    job: Job
    title_html: object
    snippet_html: object
    featured: bool = False


@dataclass
class SearchOutcome:
    total: int  # exact
    hits: list[Hit]  # the requested page, in rank order
    facets: dict[str, dict[str, int]]  # group -> value -> count (location: its key)
    labels: dict[str, dict[str, str]]  # "location" / "company": value -> label
    suggestion: str | None = None  # the search with misspelled words replaced


@dataclass
class SyncReport:
    updated: int = 0
    deleted: int = 0
    reconciled: bool = False
    skipped: str | None = None  # why nothing was written ("locked", "deferred", ...)
    seconds: float = 0.0
    details: dict = field(default_factory=dict)

    @property
    def wrote(self) -> bool:
        return bool(self.updated or self.deleted or self.details.get("meta"))


@dataclass
class BackendStatus:
    backend: str
    state: str  # "ready", or why not ("missing", "broken", ...)
    documents: int | None = None  # open jobs the backend can find
    detail: str | None = None
    rebuilding: bool = False
    facts: dict[str, str] = field(default_factory=dict)  # backend-specific lines for `flask search status`


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    def search(self, request: SearchRequest) -> SearchOutcome:
        """Never returns a closed, draft or expired job. Raises SearchUnavailable."""
        ...

    def catch_up(self) -> SyncReport: ...

    def rebuild(self, progress: Progress | None = None) -> SyncReport | None: ...

    def status(self) -> BackendStatus: ...


def featured(job: Job, now: datetime) -> bool:
    return job.featured_until is not None and job.featured_until > now
