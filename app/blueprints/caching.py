"""HTTP caching for the public pages: anonymous visitors get cacheable, cookie-free pages.

For someone not logged in, the home, search, job and company pages set no cookie and carry no CSRF
token (they have no form that needs one), so a browser or a CDN can keep them: `Cache-Control:
public` with a short max-age, and an ETag from what the page shows (the rows' updated_at, the
search index version...) so a revalidation costs a 304 without rendering anything. A logged-in
user's pages are private and revalidated every time (they show saved and applied states).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, current_app, g, request, session
from flask_login import current_user

ANONYMOUS_MAX_AGE = 60  # seconds a shared cache may serve a public page without asking


def viewer_key() -> str:
    """Part of every ETag: anonymous visitors share pages; a user's own pages are theirs alone."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return "anonymous"


def conditional(validator: object, render: Callable[[], Response], max_age: int = ANONYMOUS_MAX_AGE) -> Response:
    """Answer 304 if the client holds the page for `validator`, else render it; cache headers either way.

    `validator` is anything whose repr changes exactly when the page would (ids, timestamps,
    index version). The release is part of the ETag, so a deploy with new templates changes it.
    """
    if session.get("_flashes"):
        # A page that shows a one-time message must never be kept or revalidated: a cached copy
        # would show the message again.
        response = current_app.make_response(render())
        response.headers["Cache-Control"] = "no-store"
        return response
    anonymous = not current_user.is_authenticated
    if anonymous:
        g.cookie_free = True  # the layout leaves out the CSRF token (nothing here posts)
    digest = hashlib.blake2b(
        repr(
            (
                current_app.config["RELEASE"],
                viewer_key(),
                request.full_path,
                request.headers.get("HX-Request"),
                request.headers.get("HX-Target"),
                validator,
            )
        ).encode(),
        digest_size=12,
    ).hexdigest()
    # Flask-Compress answers with "<etag>:br" (per encoding); either form means the client has it.
    if any(tag.split(":", 1)[0] == digest for tag in request.if_none_match.as_set()):
        response = Response(status=304)
    else:
        response = render()
        if not isinstance(response, Response):
            response = current_app.make_response(response)
    response.set_etag(digest)
    if anonymous:
        response.headers["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={max_age * 5}"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response
