"""Job search as the jobs page asks for it: a search in, what the templates render out.

`search_jobs(params)` asks the configured backend (backend.py) for the page, the exact total, the
facet counts and a spelling suggestion, or, while the backend cannot answer, the database fallback
(fallback.py); then lays out the sidebar (facet groups with counts), the filter chips and the notices
as `SearchResults`, which the templates render as they are. The job alerts call it too.
"""

from __future__ import annotations

import heapq
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from markupsafe import escape

from ..models import Job, utcnow
from ..pagination import Paginated
from ..telemetry import metrics
from . import highlight
from .backend import POSTED, SALARY_STEPS, Hit, SearchOutcome, SearchUnavailable, featured
from .documents import location_key, location_label, plain_text
from .fallback import search_database
from .params import ENUMERATED, GROUPS, SearchParams, parse_params
from .registry import get_backend

__all__ = [
    "search_jobs",
    "index_version",
    "parse_params",
    "SearchParams",
    "SearchResults",
    "Hit",
    "FacetGroup",
    "FacetOption",
    "Chip",
]

log = logging.getLogger(__name__)

TOP_VALUES = 8  # options shown for company and location


@dataclass
class FacetOption:
    value: str
    label: str
    count: int | None
    selected: bool


@dataclass
class FacetGroup:
    name: str  # the query-string parameter
    legend: str
    kind: str  # "checkbox" or "radio"
    options: list[FacetOption]


@dataclass
class Chip:
    label: str  # what is filtered, e.g. "Remote" or "Posted: past 7 days"
    args: dict  # url_for arguments of the same search without it


@dataclass
class SearchResults(Paginated):
    params: SearchParams
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: list[FacetGroup]
    chips: list[Chip]
    suggestion: str | None = None
    degraded: bool = False  # answered by the database: may be incomplete, no counts
    notices: list[str] = field(default_factory=list)
    approximate: bool = False
    took_ms: float = 0.0

    @property
    def items(self) -> list[Job]:
        return [hit.job for hit in self.hits]

    @property
    def count_text(self) -> str:
        """'1 open job', '2,345 open jobs matching “python”' (announced to screen readers)."""
        total = self.total
        text = f"{'about ' if self.approximate else ''}{total:,} open job{'' if total == 1 else 's'}"
        return text + (f" matching “{self.params.q}”" if self.params.q else "")


def search_jobs(params: SearchParams, per_page: int | None = None) -> SearchResults:
    """Search open jobs for `params` with the configured backend. Reads only; never raises for a
    backend that cannot answer (the database answers, and the page says so)."""
    app = current_app._get_current_object()
    per_page = per_page or app.config["JOBS_PER_PAGE"]
    started = time.perf_counter()
    notices = list(params.notices)
    request = params.request(per_page, utcnow())
    try:
        backend = get_backend(app)
        outcome = backend.search(request)
        if outcome.total and request.offset >= outcome.total:
            last = max(1, -(-outcome.total // per_page))
            notices.append(
                f"There {'is' if last == 1 else 'are'} only {last} page{'s' if last > 1 else ''} "
                f"of results; showing the last."
            )
            params.page = last
            outcome = backend.search(request.with_offset((last - 1) * per_page))
        results = _results(params, per_page, outcome, notices)
    except SearchUnavailable:
        results = _search_database(params, request, notices)
    results.took_ms = (time.perf_counter() - started) * 1000
    metrics.search(app.config["SEARCH_BACKEND"], results.took_ms / 1000)
    return results


def index_version() -> tuple[str, datetime | None] | None:
    """(key, last change) of what a search would read now, if the backend keeps such a version
    (the Whoosh index: a key per commit it absorbed); None otherwise or while it cannot answer.
    The jobs page keys its ETag and its cache of rendered pages on it."""
    app = current_app._get_current_object()
    version = getattr(get_backend(app), "version", None)
    return version() if version is not None else None


def _results(params: SearchParams, per_page: int, outcome: SearchOutcome, notices: list[str]) -> SearchResults:
    return SearchResults(
        params=params,
        hits=outcome.hits,
        total=outcome.total,
        page=params.page,
        per_page=per_page,
        facets=_facet_groups(params, outcome.facets, outcome.labels),
        chips=_chips(params, outcome.labels),
        suggestion=outcome.suggestion,
        notices=notices,
    )


def _search_database(params: SearchParams, request, notices: list[str]) -> SearchResults:
    jobs, total = search_database(request, params.words())
    hits = [
        Hit(
            job=job,
            title_html=escape(job.title),
            snippet_html=highlight.snippet(plain_text(job.description_html, job.description), frozenset(), ()),
            featured=featured(job, request.now),
        )
        for job in jobs
    ]
    return SearchResults(
        params=params,
        hits=hits,
        total=total,
        page=params.page,
        per_page=request.limit,
        facets=_facet_groups(params, None, {}),
        chips=_chips(params, {}),
        degraded=True,
        notices=notices,
    )


def _facet_groups(params: SearchParams, counts: dict | None, labels: dict) -> list[FacetGroup]:
    """The sidebar: every group with its options and counts (None: counts unavailable)."""
    groups = []

    def count(group: str, value: str) -> int | None:
        return None if counts is None else counts.get(group, {}).get(value, 0)

    for name in ("workplace", "employment_type", "seniority"):
        legend = GROUPS[name]
        chosen = set(getattr(params, name))
        options = [
            FacetOption(value, label, count(name, value), value in chosen) for value, label in ENUMERATED[name].items()
        ]
        if counts is not None:
            options = [o for o in options if o.count or o.selected]
        groups.append(FacetGroup(name, legend, "checkbox", options))

    options = [FacetOption("", "Any time", count("posted", ""), not params.posted)]
    options += [
        FacetOption(key, label, count("posted", key), params.posted == key) for key, (label, _) in POSTED.items()
    ]
    groups.append(FacetGroup("posted", "Posted", "radio", options))

    options = [FacetOption("", "Any salary", count("salary_min", ""), not params.salary_min)]
    steps = list(SALARY_STEPS)
    if params.salary_min and params.salary_min not in steps:
        steps = sorted(steps + [params.salary_min])
    options += [
        FacetOption(str(step), f"{step:,}+", count("salary_min", str(step)), params.salary_min == step)
        for step in steps
    ]
    groups.append(FacetGroup("salary_min", "Salary (USD a year)", "radio", options))

    for name in ("location", "company"):
        legend = GROUPS[name]
        chosen = list(getattr(params, name))
        chosen_keys = {location_key(v) if name == "location" else v for v in chosen}
        names = labels.get(name, {})
        if name == "location":  # a backend may label a place by a posting's spelling: show the place's own
            names = {key: location_label(label) for key, label in names.items()}
        found = (counts or {}).get(name, {})
        top = _top_values(found, names)
        options = []
        for value in chosen:
            key = location_key(value) if name == "location" else value
            label = names.get(key, location_label(value) if name == "location" else value)
            options.append(FacetOption(label if name == "location" else value, label, count(name, key), True))
        for key, n in top:
            if key in chosen_keys:
                continue
            label = names.get(key, key)
            options.append(FacetOption(label if name == "location" else key, label, n, False))
        if options:
            groups.append(FacetGroup(name, legend, "checkbox", options))
    return groups


def _top_values(found: dict[str, int], names: dict[str, str]) -> list[tuple[str, int]]:
    """The TOP_VALUES most frequent values, ties by label (a company group can have thousands)."""
    if len(found) > TOP_VALUES:
        cut = heapq.nlargest(TOP_VALUES, found.values())[-1]
        found = {key: n for key, n in found.items() if n >= cut}
    return sorted(found.items(), key=lambda kv: (-kv[1], names.get(kv[0], kv[0]).casefold()))[:TOP_VALUES]


def _chips(params: SearchParams, labels: dict) -> list[Chip]:
    chips = []
    for name in GROUPS:
        names = labels.get(name, {})
        for value in getattr(params, name):
            if name in ENUMERATED:
                label = ENUMERATED[name].get(value, value)
            else:
                label = location_label(value) if name == "location" else names.get(value, value)
            prefix = {"location": "Location: ", "company": "Company: "}.get(name, "")
            chips.append(Chip(prefix + label, params.without(name, value)))
    if params.posted:
        chips.append(Chip(f"Posted: {POSTED[params.posted][0].lower()}", params.without("posted")))
    if params.salary_min:
        chips.append(Chip(f"Salary: {params.salary_min:,}+ USD a year", params.without("salary_min")))
    return chips
