"""Which backend answers: `get_backend(app)` by `app.config["SEARCH_BACKEND"]`."""

from __future__ import annotations

from .backend import SearchBackend
from .postgres_backend import PostgresBackend
from .whoosh_backend import WhooshBackend

BACKENDS = {WhooshBackend.name: WhooshBackend, PostgresBackend.name: PostgresBackend}


def get_backend(app) -> SearchBackend:
    """The backend `app.config["SEARCH_BACKEND"]` names (one instance per app and backend)."""
    name = app.config.get("SEARCH_BACKEND") or WhooshBackend.name
    backends = app.extensions["search"]["backends"]
    backend = backends.get(name)
    if backend is None:
        backend = backends[name] = BACKENDS[name](app)
    return backend
