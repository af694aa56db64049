"""Job search as the jobs page asks for it: read the query string, search, present the results.

`parse_params(args)` turns the GET form (q, location, workplace, employment_type, seniority,
salary_min, posted, company, sort, page) into `SearchParams`, ignoring or clamping anything odd with
a notice instead of an error. `search_jobs(params)` catches the index up with the database, runs
the engine (or the database fallback while the index is unavailable), loads the shown jobs from the
database, highlights them and returns `SearchResults`, which the templates render as they are.

Free text: English stemming, "phrases in quotes", prefixes (`pyth*`), AND/OR/NOT and `-word`
(Whoosh's parser, with field names, wildcards inside words, ranges and boosts switched off). If the
parser fails, the words are searched as plain terms. A word that is in no posting gets a "Did you
mean ...?" from the unstemmed title and skills vocabulary.
"""
from __future__ import annotations

import heapq
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app, has_request_context
from markupsafe import escape
from sqlalchemy import select
from whoosh import qparser
from whoosh import query as wq

from ..extensions import db
from ..models import EMPLOYMENT_TYPES, SENIORITIES, WORKPLACES, Job
from ..pagination import Paginated
from . import highlight
from .engine import RangeFacet, Request
from .fallback import search_database
from .index import IndexUnavailable, get_index
from .schema import TEXT_ANALYZER, TEXT_FIELDS, build_schema, plain_text
from .sync import MAX_INLINE_CHANGES, catch_up, start_background_rebuild

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_WORDS = 32
MAX_VALUES = 20            # per filter group
MAX_PAGE = 1000
MAX_SALARY = 10_000_000
SEARCH_LOCK_TIMEOUT = 0.25  # a search waits at most this long for another process's writer
TOP_VALUES = 8             # options shown for company and location
POSTED = {"24h": ("Past 24 hours", 1), "7d": ("Past 7 days", 7), "30d": ("Past 30 days", 30)}
SALARY_STEPS = (25_000, 50_000, 75_000, 100_000, 150_000, 200_000)
SORTS = {"relevance": "Relevance", "newest": "Newest"}
ENUMERATED = {"workplace": WORKPLACES, "employment_type": EMPLOYMENT_TYPES, "seniority": SENIORITIES}
# Query-string name -> (index field, legend)
GROUPS = {
    "workplace": ("workplace", "Workplace"),
    "employment_type": ("employment_type", "Employment type"),
    "seniority": ("seniority", "Seniority"),
    "location": ("location_key", "Location"),
    "company": ("company_slug", "Company"),
}
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"}


# ---------------------------------------------------------------------------------------------
# Parameters


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
        values = {"q": self.q, **{name: list(getattr(self, name)) for name in GROUPS},
                  "salary_min": self.salary_min, "posted": self.posted, "sort": self.sort, "page": self.page}
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

    def words(self) -> list[str]:
        """The plain words of q (no quotes, operators or wildcards), for the database fallback."""
        cleaned = re.sub(r'["()*^]', " ", self.q)
        return [w for w in cleaned.split() if w not in OPERATORS and w.strip("+-")]


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
                notes.append(f"Ignored an unknown {GROUPS[name][1].lower()} filter: “{value}”.")
                continue
            seen.add(value.casefold())
            values.append(value)
        if len(values) > MAX_VALUES:
            notes.append(f"Only the first {MAX_VALUES} {GROUPS[name][1].lower()} filters were used.")
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


# ---------------------------------------------------------------------------------------------
# Query text


class _Parser:
    """Whoosh's multi-field parser, configured once per process, with a small cache of parses."""

    def __init__(self):
        parser = qparser.MultifieldParser(list(TEXT_FIELDS), build_schema())
        for plugin in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin,
                       qparser.EveryPlugin, qparser.SingleQuotePlugin):
            parser.remove_plugin_class(plugin)
        parser.add_plugin(qparser.PrefixPlugin())     # "pyth*" (only at the end of a word)
        parser.add_plugin(qparser.PlusMinusPlugin())  # "-java" excludes, "+python" requires
        self.parser = parser
        self.plain = qparser.MultifieldParser(list(TEXT_FIELDS), build_schema())
        self.plain.remove_plugin_class(qparser.FieldsPlugin)
        self._cache: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def parse(self, text: str):
        """A whoosh Query, or None for "no words" (empty, only stop words or only punctuation)."""
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
            query = self._parse(text)
            self._cache[text] = query
            if len(self._cache) > 2000:
                self._cache.popitem(last=False)
            return query

    def _parse(self, text: str):
        if not text.strip():
            return None
        try:
            query = self.parser.parse(text).normalize()
        except Exception:
            # Anything the grammar cannot digest is searched as its plain words.
            words = re.sub(r'[^\w\s.+#-]', " ", text)
            words = " ".join(w for w in words.split() if w.upper() not in OPERATORS)
            try:
                query = self.plain.parse(words, normalize=True) if words else None
            except Exception:
                return None
        if query is None or query is wq.NullQuery:
            return None
        return query


_parser: _Parser | None = None
_parser_lock = threading.Lock()


def parse_query(text: str):
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = _Parser()
    return _parser.parse(text)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class Hit:
    job: Job
    title_html: object
    snippet_html: object
    featured: bool = False


@dataclass
class FacetOption:
    value: str
    label: str
    count: int | None
    selected: bool


@dataclass
class FacetGroup:
    name: str                 # the query-string parameter
    legend: str
    kind: str                 # "checkbox" or "radio"
    options: list[FacetOption]


@dataclass
class Chip:
    label: str                # what is filtered, e.g. "Remote" or "Posted: past 7 days"
    args: dict                # url_for arguments of the same search without it


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
    degraded: bool = False    # answered by the database: may be incomplete, no counts
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


def _posted_days() -> dict[str, int]:
    return {key: days for key, (_, days) in POSTED.items()}


def _range_facets(now: int) -> tuple[RangeFacet, ...]:
    posted = (("", 0),) + tuple((key, now - days * 86400) for key, (_, days) in POSTED.items())
    salary = (("", -(2 ** 62)),) + tuple((str(step), step) for step in SALARY_STEPS)
    return (RangeFacet("posted", "published", posted), RangeFacet("salary_min", "salary_year", salary))


def _engine_request(params: SearchParams, query, now: int, per_page: int) -> Request:
    terms = {}
    for name, (fieldname, _) in GROUPS.items():
        values = getattr(params, name)
        if values:
            terms[fieldname] = tuple(v.casefold() for v in values) if name == "location" else values
    ranges = {}
    if params.posted:
        ranges["posted"] = now - POSTED[params.posted][1] * 86400
    if params.salary_min:
        ranges["salary_min"] = params.salary_min
    return Request(query=query, now=now, terms=terms, ranges=ranges, range_facets=_range_facets(now),
                   sort=params.sort, offset=(params.page - 1) * per_page, limit=per_page)


def search_jobs(params: SearchParams, per_page: int | None = None) -> SearchResults:
    """Search open jobs for `params`. Reads only; never raises for index trouble (it answers from
    the database and says so)."""
    app = current_app._get_current_object()
    per_page = per_page or app.config["JOBS_PER_PAGE"]
    started = time.perf_counter()
    notices = list(params.notices)
    try:
        results = _search_index(app, params, per_page, notices)
    except IndexUnavailable as error:
        if error.state == "broken":
            log.warning("search: %s; answering from the database", error)
        # The web process owns the index (ARCHITECTURE.md): a worker or CLI that searches (job
        # alerts) and finds no index answers from the database and leaves the rebuild to it.
        if has_request_context():
            start_background_rebuild(app)
        results = _search_database(params, per_page, notices)
    results.took_ms = (time.perf_counter() - started) * 1000
    return results


def _search_index(app, params: SearchParams, per_page: int, notices: list[str]) -> SearchResults:
    idx = get_index(app)
    # Changes by other processes (the worker, a CLI, an ATS sync) appear on the next search.
    try:
        catch_up(app, lock_timeout=SEARCH_LOCK_TIMEOUT, max_inline=MAX_INLINE_CHANGES)
    except IndexUnavailable:
        raise
    except Exception:
        log.exception("search: catch-up before a search failed; answering from the index as it is")
    query = parse_query(params.q)
    now = int(time.time())
    with idx.lock:
        try:
            snapshot = idx.snapshot()
            request = _engine_request(params, query, now, per_page)
            result = snapshot.search(request)
            if result.total and request.offset >= result.total:
                last = max(1, -(-result.total // per_page))
                notices.append(f"There {'is' if last == 1 else 'are'} only {last} page{'s' if last > 1 else ''} "
                               f"of results; showing the last.")
                params.page = last
                request.offset = (last - 1) * per_page
                result = snapshot.search(request)
            suggestion = _suggest(snapshot, params, query) if query is not None else None
        except IndexUnavailable:
            raise
        except Exception as error:
            # A damaged segment surfaces while reading postings: rebuild, answer from the database.
            log.exception("search: the index could not be read")
            idx.mark_broken(f"{type(error).__name__}: {error}")
            raise IndexUnavailable("broken", str(error)) from error
    hits = _hydrate(idx, result.job_ids, query)
    return SearchResults(params=params, hits=hits, total=result.total, page=params.page, per_page=per_page,
                         facets=_facet_groups(params, result.facets, result.labels),
                         chips=_chips(params, result.labels),
                         suggestion=suggestion, notices=notices)


def _search_database(params: SearchParams, per_page: int, notices: list[str]) -> SearchResults:
    now = datetime.now(timezone.utc)
    jobs, total = search_database(params, now, per_page, _posted_days())
    hits = [Hit(job=job, title_html=escape(job.title),
                snippet_html=highlight.snippet(plain_text(job.description_html, job.description), frozenset(), ()),
                featured=_featured(job, now))
            for job in jobs]
    return SearchResults(params=params, hits=hits, total=total, page=params.page, per_page=per_page,
                         facets=_facet_groups(params, None, {}), chips=_chips(params, {}), degraded=True,
                         notices=notices)


def _hydrate(idx, job_ids: list[int], query) -> list[Hit]:
    """The shown jobs from the database, in rank order. A job the index lists but the database no
    longer has open (a change not yet absorbed) is left out, and the next catch-up reconciles."""
    if not job_ids:
        return []
    now = datetime.now(timezone.utc)
    rows = {job.id: job for job in db.session.scalars(select(Job).where(Job.id.in_(job_ids)))}
    stems, prefixes = highlight.query_words(query)
    hits = []
    for job_id in job_ids:
        job = rows.get(job_id)
        if job is None or job.status != "published" or (job.expires_at is not None and job.expires_at <= now):
            idx.needs_reconcile = True
            continue
        text = plain_text(job.description_html, job.description)
        hits.append(Hit(job=job, title_html=escape(job.title),
                        snippet_html=highlight.snippet(text, stems, prefixes), featured=_featured(job, now)))
    return hits


def _featured(job: Job, now: datetime) -> bool:
    return job.featured_until is not None and job.featured_until > now


def _suggest(snapshot, params: SearchParams, query) -> str | None:
    """'Did you mean ...?': replace each word found in no posting by its closest indexed word."""
    replaced, changed = [], False
    for word in params.q.split():
        bare = word.strip('"()+-')
        if (len(bare) < 3 or word.upper() in OPERATORS or "*" in word or not bare.isalpha()
                or _word_found(snapshot, bare)):
            replaced.append(word)
            continue
        better = snapshot.suggest(bare)
        if better is None:
            replaced.append(word)
            continue
        replaced.append(word.replace(bare, better))
        changed = True
    return " ".join(replaced) if changed else None


def _word_found(snapshot, word: str) -> bool:
    tokens = [t.text for t in TEXT_ANALYZER(word)]
    if not tokens:
        return True   # a stop word: nothing to correct
    return any(snapshot.word_found(fieldname, token) for token in tokens for fieldname in TEXT_FIELDS)


def _facet_groups(params: SearchParams, counts: dict | None, labels: dict) -> list[FacetGroup]:
    """The sidebar: every group with its options and counts (None: counts unavailable)."""
    groups = []

    def count(fieldname: str, value: str) -> int | None:
        return None if counts is None else counts.get(fieldname, {}).get(value, 0)

    for name in ("workplace", "employment_type", "seniority"):
        fieldname, legend = GROUPS[name]
        chosen = set(getattr(params, name))
        options = [FacetOption(value, label, count(fieldname, value), value in chosen)
                   for value, label in ENUMERATED[name].items()]
        if counts is not None:
            options = [o for o in options if o.count or o.selected]
        groups.append(FacetGroup(name, legend, "checkbox", options))

    options = [FacetOption("", "Any time", count("posted", ""), not params.posted)]
    options += [FacetOption(key, label, count("posted", key), params.posted == key)
                for key, (label, _) in POSTED.items()]
    groups.append(FacetGroup("posted", "Posted", "radio", options))

    options = [FacetOption("", "Any salary", count("salary_min", ""), not params.salary_min)]
    steps = list(SALARY_STEPS)
    if params.salary_min and params.salary_min not in steps:
        steps = sorted(steps + [params.salary_min])
    options += [FacetOption(str(step), f"{step:,}+", count("salary_min", str(step)), params.salary_min == step)
                for step in steps]
    groups.append(FacetGroup("salary_min", "Salary (USD a year)", "radio", options))

    for name in ("location", "company"):
        fieldname, legend = GROUPS[name]
        chosen = list(getattr(params, name))
        chosen_keys = {v.casefold() if name == "location" else v for v in chosen}
        names = labels.get(fieldname, {})
        found = (counts or {}).get(fieldname, {})
        top = _top_values(found, names)
        options = []
        for value in chosen:
            key = value.casefold() if name == "location" else value
            label = names.get(key, value)
            options.append(FacetOption(label if name == "location" else value, label, count(fieldname, key), True))
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
    for name, (fieldname, _) in GROUPS.items():
        names = labels.get(fieldname, {})
        for value in getattr(params, name):
            if name in ENUMERATED:
                label = ENUMERATED[name].get(value, value)
            else:
                label = names.get(value.casefold() if name == "location" else value, value)
            prefix = {"location": "Location: ", "company": "Company: "}.get(name, "")
            chips.append(Chip(prefix + label, params.without(name, value)))
    if params.posted:
        chips.append(Chip(f"Posted: {POSTED[params.posted][0].lower()}", params.without("posted")))
    if params.salary_min:
        chips.append(Chip(f"Salary: {params.salary_min:,}+ USD a year", params.without("salary_min")))
    return chips
