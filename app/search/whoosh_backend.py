"""SEARCH_BACKEND=whoosh (the default, and the only choice on SQLite): a Whoosh index on local disk
that follows the database.

    schema.py       what a job looks like in the index
    index.py        where the index lives, the per-process handle, searcher reuse
    sync.py         catch-up from the watermark, background merges, full rebuild, writer locking
    engine/         matching, filters, facet counts and ranking on bitsets (the fast path)
    whoosh_codec.py every read of Whoosh's private internals, guarded by its version
    highlight.py    escaped snippets with <mark>

The index is a cache of the database. After a commit (made while serving a request) that touched
jobs or companies, it catches up before the response is sent, so the change is searchable at once.
Commits made elsewhere (the worker, a CLI, an ATS sync, another web process) are picked up by the
catch-up that runs before every search. A web process's first request catches up too (or starts
the background rebuild of a missing or unreadable index). Each process and each instance keeps its
own index: see the README for when PostgreSQL is the better backend.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from datetime import datetime

from flask import current_app, has_app_context, has_request_context
from markupsafe import escape
from sqlalchemy import event
from sqlalchemy.orm import Session
from whoosh import qparser
from whoosh import query as wq

from ..extensions import db
from ..models import Company, Job
from . import highlight, sync, syntax
from . import whoosh_codec as codec
from .backend import (
    POSTED,
    SALARY_STEPS,
    BackendStatus,
    Hit,
    Progress,
    SearchOutcome,
    SearchRequest,
    SyncReport,
    featured,
)
from .documents import card_rows, epoch, plain_text
from .engine import RangeFacet, Request
from .index import IndexUnavailable, get_index, index_root
from .schema import TEXT_ANALYZER, TEXT_FIELDS, build_schema

log = logging.getLogger(__name__)

SEARCH_LOCK_TIMEOUT = 0.25  # a search waits at most this long for another process's writer
# Query-string group -> index field
FIELDS = {
    "workplace": "workplace",
    "employment_type": "employment_type",
    "seniority": "seniority",
    "location": "location_key",
    "company": "company_slug",
}
GROUP_OF = {fieldname: group for group, fieldname in FIELDS.items()}


class WhooshBackend:
    """The SearchBackend over this process's Whoosh index for `app`."""

    name = "whoosh"

    def __init__(self, app):
        self.app = app

    # -- the protocol
    def search(self, request: SearchRequest) -> SearchOutcome:
        """Catch up with the database, then search the index. Raises SearchUnavailable (after
        starting a background rebuild, when serving a request) if there is no readable index."""
        try:
            return self._search(request)
        except IndexUnavailable as error:
            if error.state == "broken":
                log.warning("search: %s; answering from the database", error)
            # The web process owns the index (ARCHITECTURE.md): a worker or CLI that searches (job
            # alerts) and finds no index answers from the database and leaves the rebuild to it.
            if has_request_context():
                sync.start_background_rebuild(self.app)
            raise

    def catch_up(self) -> SyncReport:
        return sync.catch_up(self.app)

    def rebuild(self, progress: Progress | None = None) -> SyncReport | None:
        return sync.rebuild(self.app, progress=progress, wait=True)

    def status(self) -> BackendStatus:
        info = get_index(self.app).status()
        facts = {"Index root": info["root"], "Directory": info["directory"] or "(none)", "Reads": codec.mode()}
        if info["documents"] is not None:
            watermark = info.get("watermark")
            facts["Segments"] = str(info["segments"])
            facts["Watermark"] = sync.from_us(watermark).isoformat(timespec="seconds") if watermark else "(none)"
        return BackendStatus(
            backend=self.name,
            state=info["state"],
            documents=info["documents"],
            detail=info.get("detail"),
            rebuilding=bool(info.get("rebuilding")),
            facts=facts,
        )

    def version(self) -> tuple[str, datetime | None] | None:
        """(key, last change absorbed) of the index a search would read now, after the same
        catch-up check a search makes; the key changes with every commit the index absorbs and is
        the same in every process reading that commit. None while there is no readable index."""
        idx = get_index(self.app)
        try:
            self._catch_up_before_search(idx)
            with idx.lock:
                snapshot = idx.snapshot()
                generation = snapshot.searcher.reader().generation()
                watermark = idx.meta().get("watermark")
                name = idx.current_name()
        except IndexUnavailable:
            return None
        return f"{name}:{generation}", sync.from_us(watermark) if watermark else None

    # -- searching
    def _catch_up_before_search(self, idx) -> None:
        # Changes by other processes (the worker, a CLI, an ATS sync) appear within
        # SEARCH_CATCH_UP_MS; this process's own on its next search (sync.py states the bound).
        try:
            sync.catch_up_before_search(
                self.app, int(self.app.config.get("SEARCH_CATCH_UP_MS", 0)), lock_timeout=SEARCH_LOCK_TIMEOUT
            )
        except IndexUnavailable:
            raise
        except Exception:
            log.exception("search: catch-up before a search failed; answering from the index as it is")

    def _search(self, request: SearchRequest) -> SearchOutcome:
        idx = get_index(self.app)
        self._catch_up_before_search(idx)
        query = parse_query(syntax.with_skill_aliases(request.text))
        with idx.lock:
            try:
                snapshot = idx.snapshot()
                result = snapshot.search(engine_request(request, query))
                suggestion = suggest(snapshot, request.text) if query is not None else None
                if query is not None:
                    snapshot.trim()  # "did you mean" may have read terms too
            except IndexUnavailable:
                raise
            except Exception as error:
                # A damaged segment surfaces while reading postings: rebuild, answer from the database.
                log.exception("search: the index could not be read")
                idx.mark_broken(f"{type(error).__name__}: {error}")
                raise IndexUnavailable("broken", str(error)) from error
        facets = {GROUP_OF.get(name, name): counts for name, counts in result.facets.items()}
        labels = {GROUP_OF[name]: values for name, values in result.labels.items()}
        return SearchOutcome(
            total=result.total,
            hits=self._hydrate(idx, result.job_ids, query, request),
            facets=facets,
            labels=labels,
            suggestion=suggestion,
        )

    def _hydrate(self, idx, job_ids: list[int], query, request: SearchRequest) -> list[Hit]:
        """The shown jobs from the database, in rank order. A job the index lists but the database
        no longer has open (a change not yet absorbed) is left out; the next catch-up reconciles."""
        if not job_ids:
            return []
        rows = card_rows(db.session, job_ids)
        stems, prefixes = highlight.query_words(query)
        hits = []
        for job_id in job_ids:
            job = rows.get(job_id)
            if job is None or not job.is_open_at(request.now):
                idx.needs_reconcile = True
                continue
            text = plain_text(job.description_html, job.description)
            hits.append(
                Hit(
                    job=job,
                    title_html=escape(job.title),
                    snippet_html=highlight.snippet(text, stems, prefixes),
                    featured=featured(job, request.now),
                )
            )
        return hits


def range_facets(now: int) -> tuple[RangeFacet, ...]:
    posted = (("", 0),) + tuple((key, now - days * 86400) for key, (_, days) in POSTED.items())
    salary = (("", -(2**62)),) + tuple((str(step), step) for step in SALARY_STEPS)
    return (RangeFacet("posted", "published", posted), RangeFacet("salary_min", "salary_year", salary))


def engine_request(request: SearchRequest, query) -> Request:
    now = epoch(request.now)
    terms = {FIELDS[name]: values for name, values in request.filters.items() if values}
    ranges = {}
    if request.posted:
        ranges["posted"] = epoch(request.posted_since())
    if request.salary_min:
        ranges["salary_min"] = request.salary_min
    return Request(
        query=query,
        now=now,
        terms=terms,
        ranges=ranges,
        range_facets=range_facets(now),
        sort=request.sort,
        offset=request.offset,
        limit=request.limit,
    )


def suggest(snapshot, text: str) -> str | None:
    """'Did you mean ...?': replace each word found in no posting by its closest indexed word."""
    corrections = {}
    for word in syntax.spelling_candidates(text):
        if word not in corrections and not _word_found(snapshot, word):
            better = snapshot.suggest(word)
            if better is not None:
                corrections[word] = better
    return syntax.replace_words(text, corrections)


def _word_found(snapshot, word: str) -> bool:
    tokens = [t.text for t in TEXT_ANALYZER(word)]
    if not tokens:
        return True  # a stop word: nothing to correct
    return any(snapshot.word_found(fieldname, token) for token in tokens for fieldname in TEXT_FIELDS)


# ---------------------------------------------------------------------------------------------
# Query text: the grammar of syntax.py, on every text field with the index's analyzers


class _Parser:
    """Whoosh's multi-field parser, configured once per process, with a small cache of parses."""

    def __init__(self):
        self.parser = syntax.configure(qparser.MultifieldParser(list(TEXT_FIELDS), build_schema()))
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
            words = syntax.plain_words(text)
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
# Following the database: hooks on the session and on a process's first request

_DIRTY = "search_dirty"
_registered = False


def _uses_whoosh(app) -> bool:
    return app.config.get("SEARCH_BACKEND", "whoosh") == WhooshBackend.name


def _touches_search(obj) -> bool:
    return isinstance(obj, (Job, Company))


def _after_flush(session, flush_context) -> None:
    if session.info.get(_DIRTY):
        return
    if any(_touches_search(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_DIRTY] = True


def _do_orm_execute(state) -> None:
    # Bulk UPDATE/DELETE statements (e.g. the expiry sweep) bypass the flush.
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ in (Job, Company):
        state.session.info[_DIRTY] = True


def _after_commit(session) -> None:
    if not session.info.pop(_DIRTY, False):
        return
    if not has_app_context():
        return
    app = current_app._get_current_object()
    if not _uses_whoosh(app):
        return
    # Counted first: this process's next search absorbs the change even if the catch-up below is
    # skipped (the writer busy) or does not run (a commit outside a request).
    sync.note_local_change(app)
    # Index writes belong to the web process (ARCHITECTURE.md): only commits made while serving a
    # request catch up here; the next search absorbs everything else.
    if not has_request_context() or not app.extensions.get("search", {}).get("sync_on_commit", True):
        return
    sync.safe_catch_up(app, lock_timeout=1.0)


def install(app, state: dict) -> None:
    """Register the database hooks and the start-up catch-up. Does no I/O itself."""
    global _registered
    state.update(root=index_root(app), started=set(), sync_on_commit=app.config.get("SEARCH_SYNC_ON_COMMIT", True))

    @app.before_request
    def _catch_up_on_start():
        # On a process's first request: rebuild a missing or unreadable index in the background,
        # or catch up with what changed while it was down (a large backlog also in the background).
        pid = os.getpid()
        if pid not in state["started"] and _uses_whoosh(app):
            state["started"].add(pid)
            sync.safe_catch_up(app, lock_timeout=0.25, max_inline=sync.MAX_INLINE_CHANGES)

    if not _registered:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        _registered = True
