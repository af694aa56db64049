"""Job search on a Whoosh index that follows the database.

    schema.py     what a job looks like in the index
    index.py      where the index lives, the per-process handle, searcher reuse
    sync.py       catch-up from the watermark, full rebuild, writer locking
    engine.py     matching, filters, facet counts and ranking on bitsets (the fast path)
    query.py      query-string parameters, parsing, results for the page, database fallback
    highlight.py  escaped titles and snippets with <mark>

`init_search(app)` hooks the index to the database: after a commit (made while serving a request)
that touched jobs or companies, the index catches up before the response is sent, so the change is
searchable at once. Commits made elsewhere (the worker, a CLI, an ATS sync, another web process)
are picked up by the catch-up that runs before every search. A web process's first request
catches up too (or starts the background rebuild of a missing or unreadable index).
"""
from __future__ import annotations

import logging
import os

from flask import current_app, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .index import IndexUnavailable, get_index, index_root
from .query import SearchParams, SearchResults, parse_params, search_jobs
from .sync import MAX_INLINE_CHANGES, catch_up, rebuild, rebuilding, safe_catch_up, start_background_rebuild

__all__ = ["init_search", "parse_params", "search_jobs", "SearchParams", "SearchResults", "catch_up", "rebuild",
           "rebuilding", "get_index", "index_root", "IndexUnavailable", "start_background_rebuild"]

log = logging.getLogger(__name__)
_DIRTY = "search_dirty"
_registered = False


def _touches_search(obj) -> bool:
    from ..models import Company, Job
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
    from ..models import Company, Job
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ in (Job, Company):
        state.session.info[_DIRTY] = True


def _after_commit(session) -> None:
    if not session.info.pop(_DIRTY, False):
        return
    # Index writes belong to the web process (ARCHITECTURE.md): only commits made while serving a
    # request catch up here; the next search absorbs everything else.
    if not (has_request_context() and has_app_context()):
        return
    app = current_app._get_current_object()
    if not app.extensions.get("search", {}).get("sync_on_commit", True):
        return
    safe_catch_up(app, lock_timeout=1.0)


def init_search(app) -> None:
    """Register the database hooks and the start-up catch-up. Does no I/O itself."""
    global _registered
    state = app.extensions["search"] = {"root": index_root(app), "started": set(),
                                        "sync_on_commit": app.config.get("SEARCH_SYNC_ON_COMMIT", True)}

    @app.before_request
    def _catch_up_on_start():
        # On a process's first request: rebuild a missing or unreadable index in the background,
        # or catch up with what changed while it was down (a large backlog also in the background).
        pid = os.getpid()
        if pid not in state["started"]:
            state["started"].add(pid)
            safe_catch_up(app, lock_timeout=0.25, max_inline=MAX_INLINE_CHANGES)

    if not _registered:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        _registered = True
