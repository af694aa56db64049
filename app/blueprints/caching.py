"""HTTP caching for the public pages: anonymous visitors get cacheable, cookie-free pages.

For someone not logged in, the home, search, job and company pages set no cookie and carry no CSRF
token (they have no form that needs one), so a browser or a CDN can keep them: `Cache-Control:
public` with a short max-age, and an ETag from what the page shows (the rows' updated_at, the
search index version...) so a revalidation costs a 304 without rendering anything. A logged-in
user's pages are private and revalidated every time (they show saved and applied states).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

import brotli
from flask import Response, current_app, g, request, session
from flask_login import current_user

ANONYMOUS_MAX_AGE = 60  # seconds a shared cache may serve a public page without asking
KEPT_HEADERS = ("Content-Type", "HX-Push-Url")  # what a page from the cache is answered with
# A kept page is also kept compressed, once per encoding, so a repeat costs no compression either
# (the same levels as Flask-Compress's settings in app/config.py: brotli 4, gzip 6).
ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "br": lambda data: brotli.compress(data, quality=4),
    "gzip": lambda data: gzip.compress(data, 6),
}
DECODERS: dict[str, Callable[[bytes], bytes]] = {"br": brotli.decompress, "gzip": gzip.decompress}


class KeptPage:
    """One rendered page, kept compressed when the app compresses: a 60 KB search page is 6 KB in
    brotli, so a full cache of 256 pages holds ~3 MB instead of ~17 (issue 9's worker RSS). The
    first encoding asked for is stored; another one, or the plain body for a client that accepts
    neither, is decoded from it (a fraction of a millisecond) and the other encoding kept too."""

    __slots__ = ("_stored", "encoded", "headers")

    def __init__(self, body: bytes, headers: list[tuple[str, str]], encoding: str | None = None):
        self.headers = headers
        # (encoding, bytes): the form kept for the page's lifetime; None means the plain body.
        self._stored = (encoding, ENCODERS[encoding](body) if encoding else body)
        self.encoded: dict[str, bytes] = {encoding: self._stored[1]} if encoding else {}

    def stored_bytes(self) -> int:
        plain = 0 if self._stored[0] else len(self._stored[1])
        return plain + sum(len(data) for data in list(self.encoded.values()))

    @property
    def body(self) -> bytes:
        encoding, data = self._stored
        return DECODERS[encoding](data) if encoding else data

    def response(self, encoding: str | None) -> Response:
        if encoding is None:
            return Response(self.body, headers=self.headers)
        data = self.encoded.get(encoding)
        if data is None:
            # Two threads may both compress the first time: the same bytes, and no lock to wait on.
            data = self.encoded[encoding] = ENCODERS[encoding](self.body)
        response = Response(data, headers=self.headers)
        response.headers["Content-Encoding"] = encoding  # Flask-Compress leaves it as it is
        response.vary.add("Accept-Encoding")
        return response


class PageCache:
    """Rendered anonymous pages of this process, by ETag (least recently used out first).

    The ETag already names everything the page shows (release, path and query, htmx target, index
    version, time window), so a page stored under it is the page: a new index version or a new
    window gives new ETags, and the old entries simply age out."""

    def __init__(self):
        self._pages: OrderedDict[str, KeptPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> KeptPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
        return page

    def put(self, key: str, response: Response, size: int, encoding: str | None = None) -> KeptPage | None:
        if size <= 0 or response.status_code != 200 or response.direct_passthrough:
            return None
        headers = [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS]
        page = KeptPage(response.get_data(), headers, encoding)
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > size:
                self._pages.popitem(last=False)
        return page

    def __len__(self) -> int:
        return len(self._pages)

    def stored_bytes(self) -> int:
        """What the kept pages hold, in bytes (every encoding of each)."""
        with self._lock:
            kept = list(self._pages.values())
        return sum(page.stored_bytes() for page in kept)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


pages = PageCache()


def time_window() -> int:
    """The current minute-long window: pages whose content also moves with the clock (expiry,
    "posted in the past 24 hours") key their ETag and cache on it, so they are at most that stale."""
    return int(time.time() // ANONYMOUS_MAX_AGE)


def viewer_key() -> str:
    """Part of every ETag: anonymous visitors share pages; a user's own pages are theirs alone."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return "anonymous"


def conditional(
    validator: object,
    render: Callable[[], Response],
    max_age: int = ANONYMOUS_MAX_AGE,
    cached: bool = False,
    last_modified: datetime | None = None,
) -> Response:
    """Answer 304 if the client holds the page for `validator`, else render it; cache headers either way.

    `validator` is anything whose repr changes exactly when the page would (ids, timestamps,
    index version). The release is part of the ETag, so a deploy with new templates changes it.
    `cached`: for an anonymous visitor, keep the rendered page in this process (PageCache) and
    answer the next request for the same ETag from it without calling `render`. A response that
    `render` marks `no-store` (an answer from the degraded search) is neither kept nor tagged.
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
    cache_size = current_app.config.get("SEARCH_PAGE_CACHE_SIZE", 0) if cached and anonymous else 0
    etag = digest
    if any(tag.split(":", 1)[0] == digest for tag in request.if_none_match.as_set()):
        response = Response(status=304)
    else:
        compressing = current_app.config.get("COMPRESS_REGISTER", False)
        encoding = request.accept_encodings.best_match(ENCODERS) if compressing else None
        page = pages.get(digest) if cache_size else None
        if page is None:
            response = render()
            if not isinstance(response, Response):
                response = current_app.make_response(response)
            if response.cache_control.no_store:
                return response
            page = pages.put(digest, response, cache_size, encoding) if cache_size else None
        if page is not None:
            response = page.response(encoding)
            if encoding:
                etag = f"{digest}:{encoding}"  # as Flask-Compress tags what it compresses
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    if anonymous:
        response.headers["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={max_age * 5}"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response
