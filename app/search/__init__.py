"""Job search, behind one interface with two backends.

    backend.py           the SearchBackend protocol and the types that cross it
    params.py            the jobs page's query string -> SearchParams -> SearchRequest
    syntax.py            the search box's grammar (one for every backend)
    registry.py          get_backend(app): the backend SEARCH_BACKEND names
    query.py             search_jobs: ask the backend, lay out facets, chips and notices
    fallback.py          the database answer while a backend cannot answer
    documents.py, sql.py what a job looks like to search (plain text, location key, yearly salary)
    highlight.py         escaped snippets with <mark> (Whoosh backend, fallback)
    suggest.py           how "Did you mean" chooses
    whoosh_backend.py    SEARCH_BACKEND=whoosh: a Whoosh index per process that follows the database
                         (schema.py, index.py, sync.py, engine/, whoosh_codec.py)
    postgres_backend.py  SEARCH_BACKEND=postgres: PostgreSQL full-text search, shared by every instance

The rest of the app uses `parse_params`, `search_jobs`, `init_search` and, for the CLI,
`get_backend(app)` (catch_up, rebuild, status). `SEARCH_BACKEND` (app/config.py) chooses the backend.
"""

from __future__ import annotations

from .backend import BackendStatus, SearchBackend, SearchRequest, SearchUnavailable, SyncReport
from .query import SearchParams, SearchResults, index_version, parse_params, search_jobs
from .registry import get_backend
from .sync import ensure_index as _ensure_whoosh_index
from .whoosh_backend import install as _install_whoosh_hooks

__all__ = [
    "init_search",
    "ensure_index",
    "get_backend",
    "parse_params",
    "search_jobs",
    "index_version",
    "SearchParams",
    "SearchResults",
    "SearchBackend",
    "SearchRequest",
    "SearchUnavailable",
    "SyncReport",
    "BackendStatus",
]


def init_search(app) -> None:
    """Wire search into the app. Does no I/O: the Whoosh backend's hooks catch its index up after
    commits and on a process's first request; the PostgreSQL backend needs none."""
    state = app.extensions["search"] = {"backends": {}}
    _install_whoosh_hooks(app, state)


def ensure_index(app) -> SyncReport | None:
    """Build a missing, unreadable or bloated Whoosh index (the worker's job; never a web
    process's). Nothing to do for the PostgreSQL backend, which the database keeps current."""
    if (app.config.get("SEARCH_BACKEND") or "whoosh") != "whoosh":
        return None
    return _ensure_whoosh_index(app)
