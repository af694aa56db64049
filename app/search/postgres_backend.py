"""SEARCH_BACKEND=postgres: full-text search in the database itself. No index directory, nothing to
rebuild on deploy, one index shared by every web instance and the worker.

What the database keeps (migration 0007): `jobs.search_vector`, a weighted tsvector (title A, skills
B, company and location C, description D) written by triggers on every change; `search_vocabulary`,
a materialized view of the words of published titles and skills with a trigram index (pg_trgm), for
"Did you mean ...?". And (migration 0027) `search.jobs`, what searches read: one narrow row per
published job (facet columns, the times that decide open/featured/posted, the salary as entered, the
tsvector, lz4-compressed) with the GIN index, kept by triggers on jobs; `search.changes`, a sequence
every committed change of search.jobs advances (the count cache's version). And (migration 0030)
`search.jobs.salary_usd`, the yearly USD salary, stored; `search.facet_counts`, how many rows of
search.jobs carry each facet value (and, as "x_<facet>", how many of them expired by
`search.facet_watermark`), appended to by triggers and folded now and then: the board's counts. And
(migration 0031) a GIN index on `search.word_pairs(search_vector)`, the adjacent word pairs of each
field, which answers quoted phrases; `search.jobs.cell`, the workplace, employment type, seniority
and salary bucket of a job as one small integer, which the facet counts group by.

A search is a few short round trips:
1. normalize: each word, phrase and prefix of the search box (syntax.py, the same grammar as the
   Whoosh backend) becomes a tsquery (`websearch_to_tsquery` for words and phrases, `to_tsquery`
   with `:*` for prefixes, typed and stemmed, as Whoosh expands both), and the ids of filtered
   companies; the planner options of the search's transaction are set. Python composes the
   tsqueries: the match query (AND, OR, NOT as typed; a phrase must sit inside one field), the
   pairs query (the adjacent word pairs of the phrases every match must contain: a two-word phrase
   is then left out of the match query, GIN's answer from the pairs is exact; a longer one stays,
   its positions checked only for the jobs holding all its pairs) and the ranking query (every
   positive leaf).
2. count and rank, one statement (compiled once per shape of search): the open rows of search.jobs
   matching the query (`@@`, GIN) and each filter's verdict; the exact total and every facet
   group's counts within the search (a filtered group counts with the other filters only, as the
   Whoosh engine does), in one pass: one aggregate of three grouping sets (the five small groups
   as combinations of their values and the verdicts, added up in Python; location; company, named
   by id and labelled from a per-process map); the requested page, featured jobs first, found
   through the partial index of featured_until. When they fill the page (a broad search's first
   pages), the matches are counted straight from the scan and never kept; otherwise they are kept
   (a MATERIALIZED CTE) for both the counts and the page. Only the jobs failing at most one filter
   are counted (a job failing two counts nowhere). A browse (no words) with no filter counts no
   job: every count comes from search.facet_counts (_BOARD_SQL) and the page through the
   published_at index; with one filter, that group's own counts come from there and only the jobs
   passing the filter are counted.
3. the page's jobs, then their `ts_headline` snippets.
4. with plain words in the search: which of them are in no open job, and their trigram neighbours
   in `search_vocabulary` ("Did you mean").

Order: featured first; then `ts_rank_cd` (weights in the ratio of the Whoosh field boosts, length
normalised) x the same recency boost as Whoosh; ties newest first. `sort=newest`: published_at desc.
Ranking reads each candidate's tsvector, so when a search matches more than RANK_WINDOW open jobs,
the ranking considers the RANK_WINDOW most recently published of them (featured ones first) and the
rest follow newest first. Totals and counts are always exact. The Whoosh backend ranks every match.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from markupsafe import Markup, escape
from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    column,
    exists,
    extract,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..models import EMPLOYMENT_TYPES, SENIORITIES, WORKPLACES, Company, Job, JobStatus, utcnow
from . import highlight, sql, suggest, syntax
from .backend import (
    POSTED,
    RECENCY_HALF_LIFE,
    RECENCY_WEIGHT,
    SALARY_STEPS,
    BackendStatus,
    Hit,
    Progress,
    SearchOutcome,
    SearchRequest,
    SearchUnavailable,
    SyncReport,
    featured,
)
from .documents import card_rows, location_key, plain_text

log = logging.getLogger(__name__)

RANK_WINDOW = 2000
# Counting and ranking (step 2) is cached per process for this long, keyed by the search, the data
# version (search.changes and the newest companies.updated_at, read in step 1) and the time rounded
# down to it.
COUNT_CACHE_SECONDS = 10
# The cache's size in rows (a browse at 100k has ~4,000: one per company and location): about 8 MB
# of tuples. Measured: 512 entries of any size grew a query process from 107 to 426 MB.
COUNT_CACHE_ROWS = 60_000
# ts_rank_cd weights {D, C, B, A}: description 1, company/location 1.35, skills 2, title 3 (the Whoosh
# field boosts, company 1.5 and location 1.2 averaged), scaled into (0, 1] as PostgreSQL requires.
RANK_WEIGHTS = "'{0.3333, 0.45, 0.6667, 1.0}'::real[]"
RANK_NORMALIZATION = 1  # rank / (1 + log(document length)): long postings do not win by length
HEADLINE = "StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=15, ShortWord=2, HighlightAll=false"
VOCABULARY_MAX_AGE = timedelta(minutes=10)  # older: refreshed in the background on the next suggestion
VOCABULARY_SIMILARITY = "0.2"  # pg_trgm threshold for spelling candidates (two edits in a short word)
SETTINGS = ("jit", "work_mem", "pg_trgm.similarity_threshold", "enable_seqscan")  # set by step 1, for the search
RESET_SETTINGS = "; ".join(f"SET LOCAL {name} TO DEFAULT" for name in SETTINGS)
_WEIGHT_CLASSES = "ABCD"
GROUPS = ("workplace", "employment_type", "seniority", "location", "company", "posted", "salary_min")
CELL_GROUPS = ("workplace", "employment_type", "seniority", "posted", "salary_min")  # a few values each
# search.jobs.cell (migration 0031): workplace x 1000 + employment type x 100 + seniority x 10 +
# salary bucket, each value numbered from 1 in this order (the migration holds a frozen copy; a
# test compares them). NULL for a value it does not number: that row's texts are read instead.
CELL_VALUES = {
    "workplace": tuple(WORKPLACES),
    "employment_type": tuple(EMPLOYMENT_TYPES),
    "seniority": tuple(SENIORITIES),
}
_CELLS = {
    w * 1000 + e * 100 + n * 10 + bucket: (workplace, employment_type, seniority, str(bucket))
    for w, workplace in enumerate(CELL_VALUES["workplace"], 1)
    for e, employment_type in enumerate(CELL_VALUES["employment_type"], 1)
    for n, seniority in enumerate(CELL_VALUES["seniority"], 1)
    for bucket in range(len(SALARY_STEPS) + 1)
}
_ODD = "\x1f"  # joins the texts of a row without a cell number
POSTED_BUCKETS = ["", *reversed(POSTED)]  # "", 30d, 7d, 24h: ever narrower
SALARY_BUCKETS = ["", *(str(step) for step in SALARY_STEPS)]
# A browse (no words) with at most one filter reads its counts from search.facet_counts (migration
# 0030), not from every open job; False: from the jobs, as every other search (tests compare both).
BOARD_COUNTS = True
BOARD_KIND = "board_"  # step 2's rows of the board's counts: "board_<facet>"
# The facet of search.facet_counts that counts each group ("posted": from the publication hours).
BOARD_FACETS = {group: group for group in ("workplace", "employment_type", "seniority", "location", "company")}
BOARD_FACETS["salary_min"] = "salary"
# search.facet_counts is folded back into one row per value (two with its expired count) when it
# holds more appended rows than three per value plus this many.
COMPACT_SLACK = 2000
# ... and its watermark moved to the present when a search finds more rows than this between the two.
SHIFTED_SLACK = 200
_LEXEME = re.compile(r"'(?:[^']|'')*'")
_NOT_WORD = re.compile(r"[^\w]")


class PostgresBackend:
    """The SearchBackend on PostgreSQL full-text search, through the app's database session."""

    name = "postgres"

    def __init__(self, app):
        self.app = app

    # -- the protocol
    def search(self, request: SearchRequest) -> SearchOutcome:
        """Raises SearchUnavailable when the search objects are missing or broken (the migration did
        not run): the caller answers from the database fallback."""
        try:
            return self._search(request)
        except DBAPIError as error:
            db.session.rollback()
            log.exception("search: PostgreSQL full-text search failed; answering from the database")
            raise SearchUnavailable("broken", str(error.orig or error).splitlines()[0]) from error

    def catch_up(self) -> SyncReport:
        """The database keeps every job's search_vector itself: nothing to absorb. Refreshes the
        spelling vocabulary (concurrently: searches are not blocked) and folds the board's
        appended counts."""
        started = time.perf_counter()
        refresh_vocabulary()
        compact_facet_counts()
        return SyncReport(
            skipped="kept current by the database",
            seconds=time.perf_counter() - started,
            details={"vocabulary": True, "facet counts": "compacted"},
        )

    def rebuild(self, progress: Progress | None = None) -> SyncReport:
        """Recompute every job's search_vector and its row of search.jobs (after a change of how
        they are built, or to repair rows written while the triggers were disabled), 1,000 jobs per
        transaction, then the board's facet counts, the spelling vocabulary and the planner's
        statistics."""
        started = time.perf_counter()
        report = SyncReport()
        total = db.session.scalar(select(func.count()).select_from(Job)) or 0
        last, done = 0, 0
        while True:
            ids = db.session.scalars(select(Job.id).where(Job.id > last).order_by(Job.id).limit(1000)).all()
            if not ids:
                break
            db.session.execute(
                Job.__table__.update()
                .where(Job.id.in_(ids), Company.id == Job.company_id)
                .values(
                    search_vector=func.job_search_vector(
                        Job.title, Job.skills, Company.name, Job.location, Job.description_html, Job.description
                    )
                )
            )
            db.session.commit()
            done += len(ids)
            last = ids[-1]
            if progress is not None:
                progress(done, total)
        if progress is not None and done == 0:
            progress(0, 0)
        # The update above rewrote every published job's row of search.jobs (its trigger); rows of
        # jobs that stopped being published while the triggers were off go here.
        db.session.execute(
            text(
                "DELETE FROM search.jobs AS s WHERE NOT EXISTS"
                " (SELECT FROM jobs AS j WHERE j.id = s.id AND j.status = :published)"
            ),
            {"published": JobStatus.PUBLISHED},
        )
        # And the board's counts, recounted from search.jobs (exact beside concurrent writers: see
        # RECOUNT_FACETS).
        db.session.execute(text(RECOUNT_FACETS))
        db.session.commit()
        refresh_vocabulary(concurrently=False)
        with db.engine.connect() as conn:  # ANALYZE cannot run inside the session's transaction block
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE jobs, search.jobs")
        report.updated = done
        report.seconds = time.perf_counter() - started
        return report

    def status(self) -> BackendStatus:
        now = utcnow()
        try:
            documents, missing, refreshed = db.session.execute(
                select(
                    select(func.count()).select_from(Job).where(Job.open_clause(now)).scalar_subquery(),
                    select(func.count())
                    .select_from(Job)
                    .where(
                        Job.open_clause(now),
                        ~exists().where(SEARCH_JOBS.c.id == Job.id, SEARCH_JOBS.c.search_vector.is_not(None)),
                    )
                    .scalar_subquery(),
                    select(func.max(VOCABULARY.c.refreshed_at)).scalar_subquery(),
                )
            ).one()
        except DBAPIError as error:
            db.session.rollback()
            return BackendStatus(
                backend=self.name,
                state="broken",
                detail=str(error.orig or error).splitlines()[0],
                facts={"Database": _database_name()},
            )
        facts = {
            "Database": _database_name(),
            "Vocabulary": f"refreshed {refreshed.isoformat(timespec='seconds')}" if refreshed else "empty",
        }
        state, detail = "ready", None
        if missing:
            state, detail = "incomplete", f"{missing:,} open job(s) without a search vector: run `flask search reindex`"
        return BackendStatus(backend=self.name, state=state, documents=documents, detail=detail, facts=facts)

    # -- searching
    def _search(self, request: SearchRequest) -> SearchOutcome:
        tree = syntax.parse(syntax.with_skill_aliases(request.text))
        plan = _Plan(self.app, request, tree)
        plan.normalize()
        counts, page = plan.count_and_rank()
        hits = plan.hydrate(page)
        suggestion = plan.suggestion(counts.total)
        # The rest of the request's transaction plans as usual again.
        db.session.connection().exec_driver_sql(RESET_SETTINGS)
        return SearchOutcome(
            total=counts.total, hits=hits, facets=counts.facets, labels=counts.labels, suggestion=suggestion
        )


def _positions(query, first: str):
    """Rows of `query` (ordered ids) as ("hit", id, 0, NULL, position from the parameter `first`).
    The numbering follows the subquery's order: PostgreSQL keeps it through a plain subquery scan."""
    rows = query.subquery()
    return select(
        literal("hit"),
        cast(rows.c.id, Text),
        literal(0),
        cast(literal(None), String),
        func.row_number().over() + bindparam(first, type_=Integer),
    ).select_from(rows)


def _ranked_newest(rows, size):
    """The ids of the `size` newest of `rows` (a select of id and published_at), ranked: ts_rank_cd
    of the search's ranking query x the recency boost, ties newest first; at most `window_end`."""
    rows = rows.subquery("rows")
    newest = (
        select(rows.c.id, rows.c.published_at)
        .order_by(rows.c.published_at.desc().nulls_last(), rows.c.id.desc())
        .limit(size)
        .subquery("newest")
    )
    age = func.greatest(0.0, extract("epoch", bindparam("now", type_=DateTime(timezone=True)) - newest.c.published_at))
    boost = func.coalesce(1 + RECENCY_WEIGHT * func.power(0.5, age / RECENCY_HALF_LIFE), 1.0)
    score = (
        func.ts_rank_cd(
            literal_column(RANK_WEIGHTS),
            SEARCH_JOBS.c.search_vector,
            cast(bindparam("rank", type_=Text), TSQUERY),
            RANK_NORMALIZATION,
        )
        * boost
    )
    ranked = (
        select(newest.c.id)
        .select_from(newest.join(SEARCH_JOBS, SEARCH_JOBS.c.id == newest.c.id))
        .order_by(score.desc(), newest.c.published_at.desc().nulls_last(), newest.c.id.desc())
        .limit(bindparam("window_end", type_=Integer))
        .subquery("ranked")
    )
    return select(ranked.c.id)


# The narrow copy of the published jobs that searches read (migration 0027, kept by triggers on jobs).
SEARCH_JOBS = table(
    "jobs",
    column("id", Integer),
    column("company_id", Integer),
    column("published_at", DateTime(timezone=True)),
    column("expires_at", DateTime(timezone=True)),
    column("featured_until", DateTime(timezone=True)),
    column("salary_upper", Integer),
    column("workplace", Text),
    column("employment_type", Text),
    column("seniority", Text),
    column("salary_currency", Text),
    column("salary_period", Text),
    column("location", Text),
    column("location_key", Text),
    column("search_vector", TSVECTOR),
    column("salary_usd", Float),
    column("cell", Integer),
    schema="search",
).alias("search_jobs")  # the same name as the jobs table: statements reading both must tell them apart
# The same table once more in one statement: the featured jobs of a search (see _Plan._page).
SEARCH_JOBS_FEATURED = SEARCH_JOBS.element.alias("featured_jobs")


def _salary_bucket(usd: str) -> str:
    """SQL: the salary bucket number of search.facet_counts (migration 0030) of a yearly USD amount."""
    steps = " ".join(f"WHEN {usd} >= {step} THEN {n}" for n, step in reversed(list(enumerate(SALARY_STEPS, 1))))
    return f"CASE {steps} ELSE 0 END"


# Every open job's facet counts, with no pass over the jobs. search.facet_counts counts every row of
# search.jobs by value, kept by triggers (migration 0030), and once more as "x_<facet>" the rows
# whose expiry is at or before search.facet_watermark: open = counted - "x_" counted, corrected by
# the few rows whose expiry lies between the watermark and the search's time ("shifted": expired
# since, -1; or, for a search's time behind the watermark, still open, +1), found through the index
# on expires_at. "Posted within": the publication hours after each boundary's hour, likewise, plus
# the open jobs published in that hour after the boundary (the index on published_at). One
# statement: one snapshot, so the counts agree with each other and with the page.
_BOARD_SQL = f"""
WITH stored AS (
  SELECT CASE WHEN left(facet, 2) = 'x_' THEN substr(facet, 3) ELSE facet END AS facet, value,
         coalesce(sum(n) FILTER (WHERE left(facet, 2) <> 'x_'), 0)
         - coalesce(sum(n) FILTER (WHERE left(facet, 2) = 'x_'), 0) AS n,
         count(*) AS kept
  FROM search.facet_counts GROUP BY 1, 2
), shifted AS MATERIALIZED (
  SELECT s.workplace, s.employment_type, s.seniority, s.location, s.company_id,
         {_salary_bucket("s.salary_usd")} AS salary, s.published_at,
         CASE WHEN s.expires_at <= :now THEN -1 ELSE 1 END AS sign
  FROM search.jobs AS s, search.facet_watermark AS w
  WHERE (s.expires_at > w.at AND s.expires_at <= :now) OR (s.expires_at > :now AND s.expires_at <= w.at)
), shifted_counts AS (
  SELECT CASE WHEN grouping(workplace) = 0 THEN 'workplace' WHEN grouping(employment_type) = 0 THEN 'employment_type'
              WHEN grouping(seniority) = 0 THEN 'seniority' WHEN grouping(location) = 0 THEN 'location'
              WHEN grouping(company_id) = 0 THEN 'company' ELSE 'salary' END AS facet,
         coalesce(workplace, employment_type, seniority, location, company_id::text, salary::text) AS value,
         sum(sign) AS n
  FROM shifted
  GROUP BY GROUPING SETS ((workplace), (employment_type), (seniority), (location), (company_id), (salary))
), wanted AS (
  SELECT o.facet, o.value, o.n + coalesce(x.n, 0) AS n
  FROM stored AS o LEFT JOIN shifted_counts AS x ON x.facet = o.facet AND x.value = o.value
  WHERE o.facet IN ({{facets}}) AND o.n + coalesce(x.n, 0) > 0
), edges AS (
  SELECT key, since, floor(extract(epoch FROM since) / 3600)::bigint AS hour
  FROM (VALUES ('24h', CAST(:posted_24h AS timestamptz)), ('7d', CAST(:posted_7d AS timestamptz)),
               ('30d', CAST(:posted_30d AS timestamptz))) AS edge (key, since)
)
SELECT '{BOARD_KIND}' || o.facet AS kind, coalesce(c.slug, o.value) AS value, o.n::bigint AS n, c.name AS label
FROM wanted AS o
LEFT JOIN companies AS c ON c.id = CASE WHEN o.facet = 'company' THEN o.value::integer END
UNION ALL
SELECT '{BOARD_KIND}posted', e.key,
  (coalesce((SELECT sum(s.n) FROM stored AS s
             WHERE s.facet = 'published'
               AND CASE WHEN s.facet = 'published' AND s.value <> '' THEN s.value::bigint END > e.hour), 0)
   + (SELECT count(*) FROM search.jobs AS j
      WHERE j.published_at >= e.since AND j.published_at < to_timestamp((e.hour + 1) * 3600)
        AND (j.expires_at IS NULL OR j.expires_at > :now))
   + (SELECT coalesce(sum(x.sign), 0) FROM shifted AS x
      WHERE x.published_at >= to_timestamp((e.hour + 1) * 3600)))::bigint,
  NULL
FROM edges AS e
UNION ALL
SELECT '{BOARD_KIND}stored', 'rows', coalesce(sum(kept), 0)::bigint, NULL FROM stored
UNION ALL
SELECT '{BOARD_KIND}stored', 'values', count(*)::bigint, NULL FROM stored
UNION ALL
SELECT '{BOARD_KIND}stored', 'shifted', count(*)::bigint, NULL FROM shifted
"""  # noqa: S608


def _board_rows(groups: tuple):
    """(kind, value, count, label, NULL) rows of the board's counts (_BOARD_SQL) of `groups`."""
    # The workplaces always: their counts add up to the total (every job has one).
    facets = list(dict.fromkeys(["workplace", *(BOARD_FACETS[group] for group in groups if group != "posted")]))
    board = (
        text(_BOARD_SQL.format(facets=", ".join(f"'{facet}'" for facet in facets) or "NULL"))
        .bindparams(
            bindparam("now", type_=DateTime(timezone=True)),
            *[bindparam(f"posted_{key}", type_=DateTime(timezone=True)) for key in POSTED],
        )
        .columns(column("kind", Text), column("value", Text), column("n", Integer), column("label", Text))
        .subquery("board")
    )
    wanted = [BOARD_KIND + facet for facet in facets] + [BOARD_KIND + "stored"]
    if "posted" in groups:
        wanted.append(BOARD_KIND + "posted")
    # Constants in the SQL text: the statement is compiled once per shape and run as text.
    return select(board.c.kind, board.c.value, board.c.n, board.c.label, cast(literal(None), Integer)).where(
        board.c.kind.in_([literal_column(f"'{kind}'") for kind in wanted])
    )


def _board_page(sort: str):
    """("hit", job id, 0, NULL, position) of a page of the whole board: the newest open jobs, the
    featured ones first (unless sorted by newest). Each part reads its jobs in order through an index
    (published_at; the partial index of featured_until) and stops at the page's end."""
    now = bindparam("now", type_=DateTime(timezone=True))
    s = SEARCH_JOBS.c
    depth = bindparam("page_offset", type_=Integer) + bindparam("page_limit", type_=Integer)

    def part(featured: bool, *where):
        return (
            select(s.id, literal(featured).label("featured"), s.published_at)
            .where(_open(now), *where)
            .order_by(s.published_at.desc().nulls_last(), s.id.desc())
            .limit(depth)
        )

    if sort == "newest":
        parts = [part(False)]
    else:
        not_featured = or_(s.featured_until.is_(None), s.featured_until <= now)
        parts = [part(True, s.featured_until > now), part(False, not_featured)]
    rows = union_all(*parts).subquery("board_page")
    return _positions(
        select(rows.c.id)
        .order_by(rows.c.featured.desc(), rows.c.published_at.desc().nulls_last(), rows.c.id.desc())
        .offset(bindparam("page_offset"))
        .limit(bindparam("page_limit")),
        "page_offset",
    )


def _open(now, jobs=SEARCH_JOBS):
    """Job.open_clause on search.jobs (`jobs`: under this alias): every row there is published; open
    until its expiry.

    Written so that no index on expires_at can serve it (migration 0030 adds one, for the few rows
    that expire between the board's watermark and now): nearly every row is open, and a search
    that found them through that index would recheck each one's tsvector instead of asking GIN."""
    return func.coalesce(jobs.c.expires_at, literal_column("'infinity'::timestamptz")) > now


_statements: OrderedDict[tuple, tuple[str, dict]] = OrderedDict()
_statements_lock = threading.Lock()


def _compiled(shape: tuple, build) -> tuple[str, dict]:
    """(SQL text, default parameters) of the statement for `shape`, compiled once (LRU of 256)."""
    with _statements_lock:
        got = _statements.get(shape)
        if got is not None:
            _statements.move_to_end(shape)
            return got
    compiled = build().compile(dialect=db.engine.dialect)
    got = (str(compiled), dict(compiled.params))
    with _statements_lock:
        _statements[shape] = got
        if len(_statements) > 256:
            _statements.popitem(last=False)
    return got


def _database_name() -> str:
    return db.engine.url.render_as_string(hide_password=True)


# ---------------------------------------------------------------------------------------------
# The count cache (step 2)


_TIMED = {"now", "posted", *(f"posted_{key}" for key in POSTED)}


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


class _CountCache:
    """Step 2's rows per (shape, data version, parameters), least recently used out.

    Totals and facet counts stay exact: the key holds search.changes, a sequence that every change of
    search.jobs advances when its transaction commits (insert, edit, close, delete: migration 0027),
    and the newest companies.updated_at (a slug or name for the labels), both read in step 1, so any
    committed change makes a new key; and the key holds the time in COUNT_CACHE_SECONDS buckets, so
    an entry computed at its request's exact time answers for the rest of its bucket at most. What it
    can miss for at most that long: a job whose expiry passes (no row changes), and a search that
    read the sequence in the instant between a writer's deferred trigger and its commit. Jobs that
    closed meanwhile are never shown (step 3 checks each at the request's time). A repeat within the
    window costs the step 1 round trip instead of counting the search's jobs again."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.rows = 0  # rows held, over every entry
        self._rows: OrderedDict[tuple, list] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> list | None:
        with self._lock:
            rows = self._rows.get(key)
            if rows is not None:
                self._rows.move_to_end(key)
            return rows

    def put(self, key: tuple, rows: list) -> None:
        if len(rows) > self.max_rows // 4:
            return  # one answer never takes over the cache
        with self._lock:
            old = self._rows.pop(key, None)
            self.rows -= len(old) if old is not None else 0
            self._rows[key] = rows
            self.rows += len(rows)
            while self.rows > self.max_rows:
                _, dropped = self._rows.popitem(last=False)
                self.rows -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self.rows = 0


_count_cache = _CountCache(COUNT_CACHE_ROWS)


class _CompanyLabels:
    """The slug and name of each company by id, kept per process for the companies' version (the
    newest companies.updated_at, read in step 1: any edit of a company makes a new one) and read
    from the database only for the ids not yet held. Step 2's statement then names a company facet
    value by its id, without joining the companies table for thousands of rows a search."""

    def __init__(self, max_companies: int):
        self.max_companies = max_companies
        self.version = None
        self.labels: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def of(self, ids: set[str], version) -> dict[str, tuple[str, str]]:
        """(slug, name) by company id (as text, as step 2's rows name it) for `ids`, at least; a
        company gone meanwhile is left out."""
        with self._lock:
            if self.version != version or len(self.labels) > self.max_companies:
                self.labels, self.version = {}, version
            held = self.labels
        missing = [int(i) for i in ids if i not in held]
        if not missing:
            return held
        read = {
            str(id_): (slug, name)
            for id_, slug, name in db.session.execute(
                select(Company.id, Company.slug, Company.name).where(
                    Company.id == any_(bindparam("ids", missing, type_=ARRAY(Integer)))
                )
            )
        }
        with self._lock:
            if self.version == version:
                self.labels.update(read)
        return {**held, **read}


_company_labels = _CompanyLabels(50_000)


# ---------------------------------------------------------------------------------------------
# One search


class _Counts:
    def __init__(self):
        self.total = 0
        self.facets: dict[str, dict[str, int]] = {}
        self.labels: dict[str, dict[str, str]] = {"location": {}, "company": {}}

    def add_cell(self, value: str, n: int, filtered: tuple) -> None:
        """Adds `n` jobs of one cell (see _Plan._facet_rows) to the total, when they pass every
        filter, and to each small group's value, when they pass every filter but the group's own."""
        in_total, counted_in = _cell_groups(value, filtered)
        if in_total:
            self.total += n
        for group, cell_value in counted_in:
            values = self.facets.setdefault(group, {})
            values[cell_value] = values.get(cell_value, 0) + n


@functools.lru_cache(maxsize=16_384)
def _cell_groups(value: str, filtered: tuple) -> tuple[bool, tuple]:
    """(whether its jobs count in the total, the (group, value) pairs they count in) of a cell row:
    the same few thousand cells come back search after search, so each is read once."""
    head, posted, *flags = value.split("|")
    failed = [group for group, flag in zip(filtered, flags, strict=True) if flag != "1"]
    if len(failed) > 1:
        return False, ()  # counts in no group
    workplace, employment_type, seniority, salary = _CELLS[int(head)] if _ODD not in head else head.split(_ODD)
    values_of = (workplace, employment_type, seniority, posted, salary)
    return not failed, tuple(
        (group, cell_value)
        for group, cell_value in zip(CELL_GROUPS, values_of, strict=True)
        if not failed or failed[0] == group
    )


def _counts_of(rows, filtered: tuple, companies: dict | None = None) -> _Counts:
    """The total and facets from step 2's rows (cells, location, company; see _Plan._facet_rows).
    `companies`: (slug, name) by the id a company row names; None: the rows name the slug, and
    carry the name."""
    counts = _Counts()
    location: dict[str, int] = {}
    # Most jobs first; a tie in the order of the values, so that the label of a place written two
    # ways (the most common spelling) does not depend on the order the database grouped them in.
    for kind, value, n, label, _ in sorted(rows, key=lambda r: (-r[2], r[1])):
        if kind == "cell":
            counts.add_cell(value, n, filtered)
        elif kind == "location":
            key = location_key(value)
            location[key] = location.get(key, 0) + n
            counts.labels["location"].setdefault(key, " ".join(value.split()))  # the most common spelling
        elif kind == "company":
            if companies is not None:  # a company gone meanwhile: its id, no name
                value, label = companies.get(value, (value, None))
            counts.facets.setdefault("company", {})[value] = n
            counts.labels["company"][value] = label
    counts.facets["location"] = location
    for group, keys in (("posted", POSTED_BUCKETS), ("salary_min", SALARY_BUCKETS)):
        by_bucket = {int(b): n for b, n in counts.facets.get(group, {}).items()}
        counts.facets[group] = {key: sum(n for b, n in by_bucket.items() if b >= k) for k, key in enumerate(keys)}
    return counts


def _board_counts(rows) -> _Counts:
    """The total and every facet over all open jobs, from _board_rows(), in the form _counts_of
    gives them for a search of every open job."""
    counts = _counts_of([(kind[len(BOARD_KIND) :], *rest) for kind, *rest in rows], ())
    salary: dict[int, int] = {}
    posted: dict[str, int] = {}
    for kind, value, n, _, _ in rows:
        group = kind[len(BOARD_KIND) :]
        if group in ("workplace", "employment_type", "seniority"):
            counts.facets.setdefault(group, {})[value] = n
        elif group == "salary":
            salary[int(value)] = n
        elif group == "posted":
            posted[value] = n
    counts.total = sum(counts.facets.get("workplace", {}).values())  # every job has one workplace
    counts.facets["salary_min"] = {
        key: sum(n for b, n in salary.items() if b >= k) for k, key in enumerate(SALARY_BUCKETS)
    }
    counts.facets["posted"] = {"": counts.total, **{key: posted.get(key, 0) for key in POSTED}}
    return counts


class _Plan:
    """The SQL of one search, built and run step by step (see the module docstring)."""

    def __init__(self, app, request: SearchRequest, tree):
        self.app = app
        self.request = request
        self.tree = tree
        self.leaves: list = []
        _collect_leaves(tree, self.leaves)
        self.spelling = list(dict.fromkeys(syntax.spelling_candidates(request.text))) if tree is not None else []
        self.match: str | None = None  # tsquery text; None: no words (every open job)
        # tsquery of adjacent word pairs (migration 0031) every match must hold: the quoted phrases
        # that every match must contain, answered by the pairs' GIN index instead of rechecking the
        # positions of every job holding their words. None: no such phrase.
        self.pairs: str | None = None
        self.rank: str | None = None
        self.company_ids: list[int] = []
        self.version: tuple = ()

    # -- 1. normalize
    def normalize(self) -> None:
        request = self.request
        # For this transaction (the request's): no JIT (compiling costs more than it saves here);
        # the matched rows of step 2 stay in memory; the trigram threshold of step 4. With words to
        # match, no sequential scan: the planner prices `@@` as cheap, but on a scan it reads every
        # job's out-of-line tsvector, while the GIN index answers most queries without reading one.
        columns = [
            func.set_config("jit", "off", True),
            func.set_config("work_mem", "64MB", True),
            func.set_config("pg_trgm.similarity_threshold", VOCABULARY_SIMILARITY, True),
            func.set_config("enable_seqscan", "off" if self.leaves else "on", True),
        ]
        leaf_columns: list[list[int]] = []
        for leaf in self.leaves:
            positions = []
            for expression in _leaf_tsqueries(leaf):
                positions.append(len(columns))
                columns.append(cast(expression, Text))
            leaf_columns.append(positions)
        version_at = len(columns)
        columns += [
            # A sequence never advanced shows last_value 1 with is_called false, and still 1 after its
            # first nextval: without is_called that first change would not make a new cache key.
            select(literal_column("CASE WHEN is_called THEN last_value ELSE 0 END"))
            .select_from(text("search.changes"))
            .scalar_subquery(),
            select(func.max(Company.updated_at)).scalar_subquery(),
        ]
        company_at = len(columns)
        slugs = request.filters.get("company")
        if slugs:
            columns.append(select(func.array_agg(Company.id)).where(Company.slug.in_(slugs)).scalar_subquery())
        row = db.session.execute(select(*columns)).one()
        texts = {}
        for leaf, positions in zip(self.leaves, leaf_columns, strict=False):
            texts[id(leaf)] = list(dict.fromkeys(row[p] for p in positions if row[p]))
        if slugs:
            self.company_ids = list(row[company_at] or [])
        self.version = (row[version_at], row[version_at + 1])
        pairs: list[str] = []
        answered: set[int] = set()  # phrases their pairs decide alone: left out of the match query
        for leaf in _required_leaves(self.tree):
            lexemes = _phrase_lexemes(texts.get(id(leaf), [])) if isinstance(leaf, syntax.Phrase) else None
            if lexemes:
                pairs += [f"'{a} {b}'" for a, b in zip(lexemes, lexemes[1:], strict=False)]
                if len(lexemes) == 2:
                    answered.add(id(leaf))
        self.pairs = " & ".join(dict.fromkeys(pairs)) or None
        self.match = _compose(self.tree, texts, phrase_in_one_field=True, answered=answered)
        if self.match is None and self.pairs is None and self.leaves:  # only stop words: every open job, scanned
            db.session.execute(select(func.set_config("enable_seqscan", "on", True)))
        rank_parts = [part for leaf in _positive_leaves(self.tree) for part in texts.get(id(leaf), [])]
        self.rank = " | ".join(f"({part})" for part in rank_parts) or None

    # -- 2. count and rank
    def count_and_rank(self) -> tuple[_Counts, list[int]]:
        """One statement: the matching open jobs (`m`, read once), the facet counts and the total,
        and the page. Rows: (kind, value, count, label, position); kind "hit" for the page.

        The statement depends only on the search's shape (words or not, which filters, sort, which
        part of the ranking window the page is in): it is built and compiled once per shape, then
        run with this search's values (building it costs more than running it on a small board)."""
        request = self.request
        filtered = tuple(group for group in GROUPS if self._filter_value(group) is not None)
        start, end = request.offset, request.offset + request.limit
        ranked = self.rank is not None and request.sort != "newest"
        shape = (
            self.match is not None,
            self.pairs is not None,
            ranked,
            request.sort,
            filtered,
            "company" in filtered and not self.company_ids,
            ranked and start < RANK_WINDOW,
            ranked and end > RANK_WINDOW,
            BOARD_COUNTS and self.match is None and self.pairs is None and len(filtered) <= 1,
        )
        statement, defaults = _compiled(shape, lambda: self._statement(shape))
        params = {
            "now": request.now,
            "match": self.match,
            "pairs": self.pairs,
            "rank": self.rank,
            "depth": end,  # the featured jobs that fill the page (see _statement's `lean`)
            **{f"posted_{key}": request.now - timedelta(days=POSTED[key][1]) for key in POSTED},
            **{group: self._filter_value(group) for group in filtered},
        }
        if ranked:
            params.update(
                window_offset=start,
                window_limit=max(0, min(end, RANK_WINDOW) - start),
                window_end=min(end, RANK_WINDOW),
                rest_offset=max(start, RANK_WINDOW),
                rest_limit=max(0, end - max(start, RANK_WINDOW)),
            )
        else:
            params.update(page_offset=start, page_limit=end - start)
        # The instants in the parameters derive from the request's time: the key holds its bucket.
        timeless = {k: _hashable(v) for k, v in params.items() if k not in _TIMED}
        bucket = int(request.now.timestamp() // COUNT_CACHE_SECONDS)
        key = (shape, self.version, bucket, request.posted, tuple(sorted(timeless.items())))
        rows = _count_cache.get(key)
        if rows is None:
            result = db.session.connection().exec_driver_sql(statement, {**defaults, **params})
            # One fetch of the driver's own tuples: thousands of rows on a broad search, and making
            # a Row of each cost more than the rest of the Python of step 2.
            rows = result.cursor.fetchall()
            result.close()
            _count_cache.put(key, rows)

        board, counted, hits, company_ids = [], [], [], set()
        for r in rows:  # one pass: thousands of rows
            kind = r[0]
            if kind == "hit":
                hits.append(r)
            elif kind.startswith(BOARD_KIND):
                board.append(r)
            else:
                counted.append(r)
                if kind == "company":
                    company_ids.add(r[1])
        companies = _company_labels.of(company_ids, self.version[1])
        counts = _counts_of(counted, filtered, companies)
        if shape[-1]:
            whole = _board_counts(board)
            if not filtered:
                counts = whole
            else:  # the filtered group's own counts: over every open job
                (group,) = filtered
                if group in whole.facets:
                    counts.facets[group] = whole.facets[group]
                else:  # no open job at all: absent, as counting the jobs leaves it
                    counts.facets.pop(group, None)
                if group in counts.labels:
                    counts.labels[group] = whole.labels[group]
            stored = {value: n for kind, value, n, _, _ in board if kind == BOARD_KIND + "stored"}
            # Folded, a value has two rows at most: its count and its expired count.
            if stored and (stored["rows"] > 3 * stored["values"] + COMPACT_SLACK or stored["shifted"] > SHIFTED_SLACK):
                compact_facet_counts_soon(self.app)
        page = [int(r[1]) for r in sorted(hits, key=lambda r: r[4])]
        return counts, page

    def _filter_value(self, group: str):
        """The bound value of a group's filter, None when the search does not filter on it."""
        request = self.request
        if group in ("workplace", "employment_type", "seniority", "location"):
            return list(request.filters[group]) if request.filters.get(group) else None
        if group == "company":
            return self.company_ids if request.filters.get("company") else None
        if group == "posted":
            return request.posted_since() if request.posted else None
        return request.salary_min or None

    @classmethod
    def _statement(cls, shape):
        has_match, has_pairs, ranked, sort, filtered, no_company, rank_window, after_window, board = shape
        now = bindparam("now", type_=DateTime(timezone=True))
        conditions = {
            "workplace": lambda c: c.workplace == any_(bindparam("workplace", type_=ARRAY(Text))),
            "employment_type": lambda c: c.employment_type == any_(bindparam("employment_type", type_=ARRAY(Text))),
            "seniority": lambda c: c.seniority == any_(bindparam("seniority", type_=ARRAY(Text))),
            "location": lambda c: sql.location_key(c.location_key) == any_(bindparam("location", type_=ARRAY(Text))),
            "company": lambda c: (
                false() if no_company else c.company_id == any_(bindparam("company", type_=ARRAY(Integer)))
            ),
            "posted": lambda c: func.coalesce(
                c.published_at >= bindparam("posted", type_=DateTime(timezone=True)), false()
            ),
            "salary_min": lambda c: c.salary_usd >= bindparam("salary_min", type_=Integer),
        }

        def matching(t):
            """The search's conditions on the rows of `t` (search.jobs, under some alias)."""
            where = [_open(now, t)]
            if has_match:
                where.append(t.c.search_vector.op("@@")(cast(bindparam("match", type_=Text), TSQUERY)))
            if has_pairs:
                # The expression of the index of migration 0031, as written there.
                pairs = func.search.word_pairs(t.c.search_vector, type_=TSVECTOR)
                where.append(pairs.op("@@")(cast(bindparam("pairs", type_=Text), TSQUERY)))
            if board and filtered:
                # A single filter on the board: the filtered group's own counts come from
                # search.facet_counts, so only the jobs that pass it are read (through an index, for
                # a company or a location).
                where.append(conditions[filtered[0]](t.c))
            return where

        if board and not filtered:
            # The whole board: every count comes from search.facet_counts; only the page reads rows.
            return union_all(_board_rows(GROUPS), _board_page(sort))
        s = SEARCH_JOBS.c
        base = (
            select(
                s.id,
                s.workplace,
                s.employment_type,
                s.seniority,
                s.location,
                s.location_key,
                s.company_id,
                s.published_at,
                s.featured_until,
                s.salary_usd,
                s.cell,
            )
            .where(*matching(SEARCH_JOBS))
            .offset(0)
            .subquery("base")
        )
        b = base.c
        # A job failing two filters counts nowhere (each group's counts keep every other filter):
        # only the jobs failing at most one are read.
        needed = len(filtered) - 1
        verdicts = [cast(conditions[group](b), Integer) for group in filtered]
        restrict = [sum(verdicts[1:], verdicts[0]) >= needed] if not board and needed > 0 else []
        counted = cls._counted_columns(b, {group: conditions[group](b) for group in filtered})
        # The featured jobs that pass every filter, straight from search.jobs (the partial index of
        # featured_until finds them without reading every match), kept: a few hundred at most.
        f = SEARCH_JOBS_FEATURED
        featured_rows = (
            select(f.c.id, f.c.published_at)
            .where(*matching(f), f.c.featured_until > now, *[conditions[group](f.c) for group in filtered])
            .cte("featured_rows")
            .prefix_with("MATERIALIZED")
        )
        # Every job the search counts, with what counting and ordering read; kept, and computed
        # only when a part that reads it runs (a MATERIALIZED CTE waits for its first reader).
        m = (
            select(
                b.id.label("id"),
                b.published_at.label("published_at"),
                func.coalesce(b.featured_until > now, false()).label("featured"),
                *[column_.label(name) for name, column_ in counted.items()],
            )
            .where(*restrict)
            .cte("m")
            .prefix_with("MATERIALIZED")
        )
        # When the featured jobs fill the page (a broad search's first pages: hundreds of them),
        # nothing but the counts reads the search's jobs: they are counted straight from the
        # scan, in one pass, and never kept. Otherwise they are kept (m) and counted from there,
        # and the page reads them too. Decided as the statement runs: `enough` is computed first
        # (an InitPlan), and the part of the UNION it rules out never starts.
        # A browse (no words) sorted by newest reads its page in order through the published_at
        # index, stopping at the page's end: nothing reads the kept matches either.
        browse_newest = not has_match and not has_pairs and sort == "newest"
        lean = (ranked and rank_window and not after_window) or (not ranked and sort != "newest")
        if browse_newest:
            sources = [select(*[column_.label(name) for name, column_ in counted.items()]).where(*restrict)]
        elif lean:
            depth = bindparam("depth", type_=Integer)
            filled = select(featured_rows.c.id).limit(depth).subquery("filled")
            enough = select(func.count() >= depth).select_from(filled).scalar_subquery()
            sources = [
                select(*[column_.label(name) for name, column_ in counted.items()]).where(*restrict, enough),
                select(*[m.c[name] for name in counted]).where(~enough),
            ]
        else:
            sources = [select(*[m.c[name] for name in counted])]
        every = and_(true(), *[m.c[f"ok_{group}"] for group in filtered])
        if browse_newest:
            page = _positions(
                select(f.c.id)
                .where(*matching(f), *[conditions[group](f.c) for group in filtered])
                .order_by(f.c.published_at.desc().nulls_last(), f.c.id.desc())
                .offset(bindparam("page_offset"))
                .limit(bindparam("page_limit")),
                "page_offset",
            )
            return union_all(
                *([_board_rows(filtered)] if board else []),
                cls._facet_rows(sources, filtered, from_board=filtered if board else ()),
                page,
            )
        parts = [
            cls._facet_rows(sources, filtered, from_board=filtered if board else ()),
            cls._page(
                m,
                every,
                select(featured_rows.c.id, featured_rows.c.published_at),
                ranked,
                sort,
                rank_window,
                after_window,
            ),
        ]
        return union_all(*([_board_rows(filtered)] if board else []), *parts)

    @staticmethod
    def _counted_columns(b, ok: dict) -> dict:
        """What counting reads of each job of `b` (base): the columns step 2 groups by, by name."""
        # Range groups as bucket numbers (0 = none); a job in bucket n is in every bucket up to n.
        posted = case(
            *[
                (b.published_at >= bindparam(f"posted_{key}", type_=DateTime(timezone=True)), n)
                for n, key in reversed(list(enumerate(POSTED_BUCKETS[1:], 1)))
            ],
            else_=0,
        )
        salary_bucket = case(
            *[(b.salary_usd >= step, n) for n, step in reversed(list(enumerate(SALARY_STEPS, 1)))], else_=0
        )
        # The four static small groups as search.jobs.cell, one small integer (hashing their texts
        # was a fifth of a broad search); the texts only for a row without one.
        odd = case(
            (
                b.cell.is_(None),
                func.concat_ws(_ODD, b.workplace, b.employment_type, b.seniority, cast(salary_bucket, Text)),
            ),
        )
        return {
            # The cell and the posted bucket as one integer: one hashed key instead of two (a
            # tenth of a broad search's counting); 0 x ... for a row without a cell number.
            "cell": func.coalesce(b.cell, 0) * len(POSTED_BUCKETS) + posted,
            "odd": odd,
            "location": b.location,
            "company": b.company_id,
            **{f"ok_{group}": flag for group, flag in ok.items()},
        }

    @staticmethod
    def _facet_rows(sources: list, filtered: tuple, from_board: tuple = ()):
        """(kind, value, count, label, NULL) rows from which step 2 reads the total and every facet,
        in one pass over the search's jobs (_counted_columns): one aggregate of three grouping sets
        over each of `sources` (selects of which at most one yields rows).

        The groups with few values (CELL_GROUPS) are counted together: one row per combination of
        their values and of the filters' verdicts ("cell": the cell number, or the texts of a row
        without one, the posted bucket and the 0/1 verdicts, joined by "|"), a few hundred rows that
        Python adds up into the total and each group's counts. Location and company (hundreds to
        thousands of values) are counted each on its own, over the jobs that pass every other filter
        ("how many if I chose this instead"), unless the board's counts give them (`from_board`)."""

        wanted = [g for g in ("location", "company") if g not in from_board]

        def aggregate(source):
            r = source.subquery("counted").c
            flags = {group: cast(r[f"ok_{group}"], Integer) for group in filtered}
            # One count per row and set: location and company are grouped with the verdicts of
            # the other filters too, and only their rows that pass them all are kept (below).
            sets = [tuple_(r.cell, r.odd, *flags.values())]
            sets += [tuple_(r[g], *[flag for other, flag in flags.items() if other != g]) for g in wanted]
            # Which grouping set a row is of (grouping() is 0 for the columns the row is grouped by).
            whens = [(func.grouping(r[g]) == 0, g) for g in wanted]
            buckets = literal(len(POSTED_BUCKETS), Integer)
            number, posted = r.cell.op("/")(buckets), r.cell.op("%")(buckets)  # PostgreSQL's integer division
            cell = func.concat_ws(
                "|",
                func.coalesce(cast(func.nullif(number, 0), Text), r.odd),
                cast(posted, Text),
                *[cast(flag, Text) for flag in flags.values()],
            )
            return select(
                (case(*whens, else_="cell") if whens else literal("cell")).label("kind"),
                cell.label("cell_value"),
                (r.location if "location" in wanted else cast(literal(None), Text)).label("location"),
                (r.company if "company" in wanted else cast(literal(None), Integer)).label("company"),
                *[flag.label(f"ok_{group}") for group, flag in flags.items()],
                func.count().label("n"),
            ).group_by(func.grouping_sets(*sets))

        grouped = union_all(*[aggregate(source) for source in sources]).subquery("grouped")
        g = grouped.c
        value = case(
            (g.kind == "location", g.location),
            (g.kind == "company", cast(g.company, Text)),
            else_=g.cell_value,
        )
        passes_others = or_(
            g.kind == "cell",
            *[and_(g.kind == kind, *[g[f"ok_{o}"] == 1 for o in filtered if o != kind]) for kind in wanted],
        )
        facet_rows = (
            select(g.kind.label("kind"), value.label("value"), g.n.label("n"))
            .where(passes_others)
            .subquery("facet_rows")
        )
        # A company's row names its id: step 2 labels it (_company_labels).
        return select(
            facet_rows.c.kind,
            facet_rows.c.value,
            facet_rows.c.n,
            cast(literal(None), Text),
            cast(literal(None), Integer),
        )

    @staticmethod
    def _page(m, every, featured_rows, ranked: bool, sort: str, rank_window: bool, after_window: bool):
        """("hit", job id, 0, NULL, position) of the requested page. `featured_rows`: (id, published_at)
        of the featured jobs that pass every filter; `m`: every job the search counts, with its
        verdicts (`every`: passes them all)."""
        by_recency = (m.c.published_at.desc().nulls_last(), m.c.id.desc())
        if not ranked:
            if sort == "newest":
                return _positions(
                    select(m.c.id)
                    .where(every)
                    .order_by(*by_recency)
                    .offset(bindparam("page_offset"))
                    .limit(bindparam("page_limit")),
                    "page_offset",
                )
            # Featured first, each part newest first, under one LIMIT: a page the featured jobs
            # fill never reads the others.
            depth = bindparam("page_offset", type_=Integer) + bindparam("page_limit", type_=Integer)
            newest_featured = featured_rows.subquery("newest_featured")
            nf = newest_featured.c
            pages = union_all(
                select(
                    select(nf.id)
                    .order_by(nf.published_at.desc().nulls_last(), nf.id.desc())
                    .limit(depth)
                    .subquery("featured_part")
                ),
                select(
                    select(m.c.id).where(every, ~m.c.featured).order_by(*by_recency).limit(depth).subquery("other_part")
                ),
            ).subquery("pages")
            return _positions(
                select(pages.c.id).offset(bindparam("page_offset")).limit(bindparam("page_limit")), "page_offset"
            )
        # Relevance: rank the newest RANK_WINDOW matches (featured first); the rest follow by recency.
        parts = []
        if rank_window:
            # The window's featured matches ranked, then its others ranked: the order of ranking the
            # whole window by (featured, score), in two parts under one LIMIT, which stops reading
            # before the second part when the first fills the page. A broad search's first pages
            # (hundreds of featured matches) then rank those alone, found through the partial index
            # of featured_until: neither the window nor the rest of the matches is read.
            newest_featured = featured_rows.subquery("featured_window")
            featured_in_window = (
                select(func.least(func.count(), RANK_WINDOW)).select_from(newest_featured).scalar_subquery()
            )
            window = union_all(
                _ranked_newest(featured_rows, literal(RANK_WINDOW)),
                _ranked_newest(
                    select(m.c.id, m.c.published_at).where(every, ~m.c.featured), RANK_WINDOW - featured_in_window
                ),
            ).subquery("window")
            parts.append(
                _positions(
                    select(window.c.id).offset(bindparam("window_offset")).limit(bindparam("window_limit")),
                    "window_offset",
                )
            )
        if after_window:
            parts.append(
                _positions(
                    select(m.c.id)
                    .where(every)
                    .order_by(m.c.featured.desc(), *by_recency)
                    .offset(bindparam("rest_offset"))
                    .limit(bindparam("rest_limit")),
                    "rest_offset",
                )
            )
        return parts[0] if len(parts) == 1 else union_all(*parts)

    # -- 3. the page's jobs
    def hydrate(self, job_ids: list[int]) -> list[Hit]:
        """The page's jobs (ORM rows for the templates) and, when there are words, their
        ts_headline snippets. The plain text of a description is computed here (documents.py,
        cached), not in SQL: search_plain_text's regular expressions cost more than the headline."""
        if not job_ids:
            return []
        request = self.request
        rows = card_rows(db.session, job_ids)
        # A job changed since step 2 (another transaction committed meanwhile) is left out.
        jobs = [rows[i] for i in job_ids if i in rows and rows[i].is_open_at(request.now)]
        texts = [plain_text(job.description_html, job.description) for job in jobs]
        if self.rank is not None and jobs:
            text_rows = (
                func.unnest(cast(texts, ARRAY(Text))).table_valued("text", with_ordinality="n").render_derived(name="t")
            )
            headlines = db.session.scalars(
                select(func.ts_headline("english", text_rows.c.text, cast(self.rank, TSQUERY), HEADLINE)).order_by(
                    text_rows.c.n
                )
            ).all()
            snippets = [_headline(headline, text) for headline, text in zip(headlines, texts, strict=False)]
        else:
            snippets = [highlight.snippet(text, frozenset(), ()) for text in texts]
        return [
            Hit(job=job, title_html=escape(job.title), snippet_html=snippet, featured=featured(job, request.now))
            for job, snippet in zip(jobs, snippets, strict=False)
        ]

    # -- 4. did you mean
    def suggestion(self, total: int) -> str | None:
        """'Did you mean ...?' for the words of the search that are in no open job: their trigram
        neighbours in the vocabulary, chosen as the Whoosh backend chooses (suggest.py). One round
        trip, after step 1 set the planner options (GIN lookups, no scans). None without one when
        the search found jobs and every word it could correct is one they all contain (a word or
        a phrase every match holds): each is then in an open job, so there is nothing to correct."""
        if not self.spelling:
            return None
        required = {
            word.lower()
            for leaf in _required_leaves(self.tree)
            for word in (leaf.words if isinstance(leaf, syntax.Phrase) else (leaf.text,))
        }
        if total > 0 and all(word.lower() in required for word in self.spelling):
            return None
        words = {word.lower(): word for word in self.spelling}
        typed = func.unnest(cast(sorted(words), ARRAY(Text))).table_valued("word").render_derived(name="typed")
        query = func.plainto_tsquery("english", typed.c.word)
        in_no_open_job = ~exists().where(_open(self.request.now), SEARCH_JOBS.c.search_vector.op("@@")(query))
        rows = db.session.execute(
            select(typed.c.word.label("typed"), VOCABULARY.c.word, VOCABULARY.c.jobs, VOCABULARY.c.refreshed_at)
            .select_from(typed.outerjoin(VOCABULARY, VOCABULARY.c.word.op("%")(typed.c.word)))
            .where(func.numnode(query) > 0, in_no_open_job)
        ).all()  # numnode 0: a stop word
        if not rows:
            return None
        refreshed = max((row.refreshed_at for row in rows if row.refreshed_at), default=None)
        if refreshed is None or refreshed < self.request.now - VOCABULARY_MAX_AGE:
            refresh_vocabulary_soon(self.app)
        candidates: dict[str, list[tuple[str, int]]] = {}
        for row in rows:
            if row.word is not None:
                candidates.setdefault(row.typed, []).append((row.word, row.jobs))
        corrections = {}
        for typed, word in words.items():
            better = suggest.best(typed, candidates.get(typed, []))
            if better is not None:
                corrections[word] = better
        return syntax.replace_words(self.request.text, corrections)


# ---------------------------------------------------------------------------------------------
# Query text -> tsquery


def _collect_leaves(node, out: list) -> None:
    if isinstance(node, (syntax.Word, syntax.Phrase, syntax.Prefix)):
        out.append(node)
    elif isinstance(node, (syntax.All, syntax.Any)):
        for part in node.parts:
            _collect_leaves(part, out)
    elif isinstance(node, syntax.Not):
        _collect_leaves(node.part, out)
    elif isinstance(node, syntax.Maybe):
        _collect_leaves(node.required, out)
        _collect_leaves(node.optional, out)


def _positive_leaves(node) -> list:
    """Leaves that add to the ranking: everything not under a NOT."""
    out: list = []
    if isinstance(node, (syntax.Word, syntax.Phrase, syntax.Prefix)):
        out.append(node)
    elif isinstance(node, (syntax.All, syntax.Any)):
        for part in node.parts:
            out.extend(_positive_leaves(part))
    elif isinstance(node, syntax.Maybe):
        out.extend(_positive_leaves(node.required) + _positive_leaves(node.optional))
    return out


def _required_leaves(node) -> list:
    """Leaves every match must satisfy: the tree itself, or the parts of its AND (not under an OR
    or a NOT)."""
    if isinstance(node, (syntax.Word, syntax.Phrase, syntax.Prefix)):
        return [node]
    if isinstance(node, syntax.All):
        return [leaf for part in node.parts for leaf in _required_leaves(part)]
    if isinstance(node, syntax.Maybe):
        return _required_leaves(node.required)
    return []


# A normalized phrase of adjacent words: 'a' <-> 'b' [<-> 'c' ...], lexemes without quotes,
# backslashes or spaces (anything else, e.g. a stop word inside, "<2>", keeps the position check).
_ADJACENT_PHRASE = re.compile(r"'[^'\\ ]+'(?: <-> '[^'\\ ]+')+")


def _phrase_lexemes(parts: list[str]) -> list[str] | None:
    """The lexemes of a phrase's one normalized tsquery when they are adjacent words, else None."""
    if len(parts) != 1 or not _ADJACENT_PHRASE.fullmatch(parts[0]):
        return None
    return [lexeme.strip("'") for lexeme in parts[0].split(" <-> ")]


def _leaf_tsqueries(leaf) -> list:
    """SQL expressions of the tsqueries of one leaf (their text is read back in step 1)."""
    if isinstance(leaf, syntax.Word):
        return [func.websearch_to_tsquery("english", leaf.text)]
    if isinstance(leaf, syntax.Phrase):
        return [func.websearch_to_tsquery("english", '"' + " ".join(leaf.words) + '"')]
    bare = _NOT_WORD.sub("", leaf.text)  # to_tsquery has a syntax of its own: only word characters
    if not bare:
        return []
    # Indexed words are stems: expand the stem of the prefix and the prefix as typed, as Whoosh does.
    return [func.to_tsquery("english", bare + ":*"), func.to_tsquery("simple", bare + ":*")]


def _compose(
    node, texts: dict[int, list[str]], phrase_in_one_field: bool, answered: set[int] | frozenset = frozenset()
) -> str | None:
    """The tsquery text of a tree whose leaves were normalized into `texts` (None: no words,
    e.g. only stop words). A phrase must match inside one field: the document's fields are
    concatenated, so its words are required to carry the same weight. `answered`: required leaves
    decided elsewhere (a phrase by its word pairs), left out."""
    if id(node) in answered:
        return None
    if isinstance(node, (syntax.Word, syntax.Phrase, syntax.Prefix)):
        parts = texts.get(id(node), [])
        if isinstance(node, syntax.Phrase) and phrase_in_one_field:
            parts = [
                " | ".join(f"({_LEXEME.sub(lambda m, w=w: m.group(0) + ':' + w, part)})" for w in _WEIGHT_CLASSES)
                if "<" in part
                else part
                for part in parts
            ]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else " | ".join(f"({part})" for part in parts)
    if isinstance(node, (syntax.All, syntax.Any)):
        parts = [
            p for p in (_compose(part, texts, phrase_in_one_field, answered) for part in node.parts) if p is not None
        ]
        if not parts:
            return None
        return (" & " if isinstance(node, syntax.All) else " | ").join(f"({part})" for part in parts)
    if isinstance(node, syntax.Not):
        inner = _compose(node.part, texts, phrase_in_one_field, answered)
        return f"!({inner})" if inner is not None else None
    if isinstance(node, syntax.Maybe):
        return _compose(node.required, texts, phrase_in_one_field, answered)
    return None


def _headline(headline: str | None, description: str) -> Markup:
    """ts_headline's fragment, escaped, its match markers as <mark>, with an ellipsis where the
    fragment does not reach the start or the end of the description."""
    if not headline:
        return highlight.snippet(description, frozenset(), ())
    fragment = " ".join(headline.split())
    words = fragment.replace("\x02", "").replace("\x03", "").split()
    html = escape(fragment).replace("\x02", Markup("<mark>")).replace("\x03", Markup("</mark>"))
    if words and not description.startswith(" ".join(words[:3])):
        html = Markup("…") + html
    if words and not description.endswith(" ".join(words[-3:])):
        html = html + Markup("…")
    return html


# ---------------------------------------------------------------------------------------------
# The spelling vocabulary (a materialized view: see migration 0007)

VOCABULARY = table(
    "search_vocabulary", column("word", Text), column("jobs", Integer), column("refreshed_at", DateTime(timezone=True))
)
_REFRESH_LOCK_KEY = 0x6A6F6273  # pg advisory lock: one refresh at a time across processes


class _Occasionally:
    """Runs `work` on a thread of this process at most once a minute: the search that asks for it
    does not wait for it, and a busy process does not start one per search."""

    def __init__(self, work, thread_name: str, what: str, interval: float = 60):
        self.work, self.thread_name, self.what, self.interval = work, thread_name, what, interval
        self._last = float("-inf")
        self._state = threading.Lock()

    def __call__(self, app) -> None:
        with self._state:
            if time.monotonic() - self._last < self.interval:
                return
            self._last = time.monotonic()

        def run():
            with app.app_context():
                try:
                    self.work()
                except Exception:
                    log.exception("search: %s failed", self.what)

        threading.Thread(target=run, name=self.thread_name, daemon=True).start()


def refresh_vocabulary(concurrently: bool = True) -> bool:
    """Refresh search_vocabulary unless another process is doing it. Commits its own transaction."""
    with db.engine.begin() as conn:
        if not conn.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _REFRESH_LOCK_KEY}):
            return False
        conn.exec_driver_sql(f"REFRESH MATERIALIZED VIEW {'CONCURRENTLY ' if concurrently else ''}search_vocabulary")
    return True


# The vocabulary refreshed on a thread of this process (at most once a minute per process).
refresh_vocabulary_soon = _Occasionally(
    lambda: refresh_vocabulary(), "search-vocabulary", "refreshing the spelling vocabulary"
)


# ---------------------------------------------------------------------------------------------
# The board's counts (search.facet_counts: see migration 0030)

# Recount from search.jobs, in one transaction that holds the watermark (writers wait for it: an
# operator's repair, `flask search reindex`). A writer's
# appended row that this transaction does not see is neither deleted nor counted here, and adds its
# change on top: still exact.
RECOUNT_FACETS = """
SELECT at FROM search.facet_watermark FOR UPDATE;
DELETE FROM search.facet_counts;
INSERT INTO search.facet_counts (facet, value, n)
SELECT f.facet, f.value, count(*)
  FROM search.jobs AS s
 CROSS JOIN search.facet_watermark AS w
 CROSS JOIN LATERAL search.job_facets(s.workplace, s.employment_type, s.seniority, s.location, s.company_id,
                                      s.salary_usd, s.published_at, coalesce(s.expires_at <= w.at, false)) AS f
 GROUP BY f.facet, f.value
"""


def compact_facet_counts() -> None:
    """Move search.facet_watermark to the present (the rows that expired since are counted as such),
    then fold search.facet_counts into one row per value (the triggers append one per change).
    Commits its own transactions; safe beside writers and another compaction."""
    with db.engine.begin() as conn:  # skipped while a writer holds the watermark: next time then
        conn.exec_driver_sql("SELECT search.advance_facet_watermark(now())")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("SELECT search.compact_facet_counts()")
    reclaim_facet_counts()


# search.facet_counts is rewritten (VACUUM FULL) after a fold when it spans more than this many pages
# and four times what its rows need (~50 a page); a plain VACUUM otherwise.
FACET_COUNTS_REWRITE_PAGES = 128


def reclaim_facet_counts() -> None:
    """Reclaim the dead rows a fold leaves (as many as it folded), not left to autovacuum: off on
    some servers, and far behind after a bulk import, which appends hundreds of thousands of rows
    that every browse of the board would then read past (10 ms a browse at 100k jobs). Mostly empty
    space is rewritten: a plain VACUUM frees it for reuse but every scan still reads it. Both are
    skipped, for the next fold, when the table's lock is not had within 100 ms. Rows an open
    transaction may still read stay until then."""
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        pages, rows = conn.exec_driver_sql(
            "SELECT pg_relation_size('search.facet_counts') / current_setting('block_size')::int,"
            " (SELECT count(*) FROM search.facet_counts)"
        ).one()
        full = pages > FACET_COUNTS_REWRITE_PAGES and pages > 4 * (rows // 50 + 1)
        # A rewrite's lock queues every browse behind it while it waits: it waits briefly.
        conn.exec_driver_sql("SET lock_timeout = '100ms'")
        try:
            conn.exec_driver_sql(f"VACUUM ({'FULL, ' if full else ''}ANALYZE) search.facet_counts")
        except DBAPIError as error:
            log.info("search: search.facet_counts not vacuumed (%s); next time", error.orig or error)
        finally:
            conn.exec_driver_sql("RESET lock_timeout")  # a session setting: not for the pool's next user


# compact_facet_counts on a thread of this process (at most once a minute per process): a search
# that found many appended rows (after a bulk import, say) or many rows past the watermark does not
# wait for it.
compact_facet_counts_soon = _Occasionally(
    lambda: compact_facet_counts(), "search-facet-counts", "compacting the board's facet counts"
)
