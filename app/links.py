"""Absolute links to our own pages, built from BASE_URL and never from the request.

A request's Host (and X-Forwarded-Host) header is chosen by whoever sends it: a password-reset link
built from it can point at an attacker's site. Every link that leaves the app (emails, feeds, API
answers, anything shown to be copied) comes from here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter

_ADAPTER = "jobifies_link_adapter"


def _adapter() -> MapAdapter:
    app = current_app._get_current_object()
    cached = app.extensions.get(_ADAPTER)
    base_url = app.config["BASE_URL"]
    if cached is None or cached[0] != base_url:
        parts = urlsplit(base_url)
        adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
        cached = (base_url, adapter)
        app.extensions[_ADAPTER] = cached
    return cached[1]


def absolute_url(endpoint: str, **values) -> str:
    """https://<BASE_URL>/<the endpoint's path>, with `values` as path and query arguments."""
    return _adapter().build(endpoint, values, force_external=True)
