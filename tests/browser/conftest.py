"""Real-browser fixtures: the test app served over HTTP, Debian's Chromium driven by Playwright.

- `live_server`: the session-scoped `app` served by werkzeug on 127.0.0.1:<random port> in a daemon
  thread. It counts requests in flight, so each test can wait until the server is idle before the
  root conftest's `_clean_state` truncates the tables (no request may hold a transaction then).
- `browser`: headless /usr/bin/chromium (never a downloaded browser). Missing Chromium skips the
  tests with the reason, or fails them when REQUIRE_SERVICES=1.
- `page`: a fresh browser context per test. Console errors, uncaught page errors, CSP violations and
  5xx responses are collected in `page_errors`; tests assert the list is empty at the end, and the
  fixture checks it again on teardown.
"""

from __future__ import annotations

import itertools
import os
import threading
import time

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
DEFAULT_TIMEOUT_MS = 10_000

# Reported to Python through an exposed binding: the browser's own record of a CSP violation, in
# addition to the console message Chromium prints for it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  if (window.__reportCspViolation) {
    window.__reportCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                                " at " + (e.sourceFile || document.location.href) + ":" + e.lineNumber);
  }
});
"""


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.fspath).startswith(here + os.sep):
            item.add_marker(pytest.mark.browser)


# --- The server -----------------------------------------------------------------------------------


class _InFlight:
    """Counts connections a server thread is still handling, request and response alike.

    Counted around the request handler's whole `handle()`, not the WSGI response's close(): werkzeug
    skips close() when the browser drops the connection early, which Chromium does after some
    redirects, and the count would never come down.
    """

    def __init__(self):
        self.active: dict[int, str] = {}
        self.lock = threading.Lock()
        self._ids = itertools.count()

    def enter(self) -> int:
        key = next(self._ids)
        with self.lock:
            self.active[key] = "(request line not read yet)"
        return key

    def describe(self, key: int, text: str) -> None:
        with self.lock:
            if key in self.active:
                self.active[key] = text

    def leave(self, key: int) -> None:
        with self.lock:
            self.active.pop(key, None)

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.active:
                    return
            time.sleep(0.02)
        raise AssertionError(f"the live server was still serving {sorted(self.active.values())} after {timeout}s")


class _TrackingHandler(WSGIRequestHandler):
    def handle(self):
        tracker: _InFlight = self.server.tracker
        self._track_key = tracker.enter()
        try:
            super().handle()
        finally:
            tracker.leave(self._track_key)

    def run_wsgi(self):
        self.server.tracker.describe(self._track_key, f"{self.command} {self.path}")
        return super().run_wsgi()


class LiveServer:
    def __init__(self, url: str, tracker: _InFlight):
        self.url = url
        self._tracker = tracker

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def wait_idle(self, timeout: float = 10.0) -> None:
        self._tracker.wait_idle(timeout)


@pytest.fixture(scope="session")
def _server(app):
    tracker = _InFlight()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_TrackingHandler)
    server.tracker = tracker
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", tracker)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def live_server(_server, app):
    """The running server for one test; on teardown, waits until no request is in flight, so the
    tables can be truncated without waiting on (or racing) a request's transaction. Links in
    emails point at it (BASE_URL), as they point at the real site in production."""
    previous = app.config["BASE_URL"]
    app.config["BASE_URL"] = _server.url
    yield _server
    _server.wait_idle()
    app.config["BASE_URL"] = previous


# --- The browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Everything the browser reported as wrong while the test ran."""
    return []


@pytest.fixture
def page(browser, live_server, page_errors):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.expose_binding("__reportCspViolation", lambda source, text: page_errors.append(f"CSP violation: {text}"))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            page_errors.append(
                f"console error: {message.text} ({location.get('url', '')}:{location.get('lineNumber', '')})"
            )

    def on_response(response):
        if response.status >= 500:
            page_errors.append(f"HTTP {response.status} from {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_errors.append(f"page error: {error}"))
    page.on("response", on_response)

    def on_request_failed(request):
        # A navigation cancelling a pending request is normal; a request blocked (by CSP, say) is not.
        if request.failure != "net::ERR_ABORTED":
            page_errors.append(f"request failed: {request.method} {request.url}: {request.failure}")

    page.on("requestfailed", on_request_failed)
    try:
        yield page
    finally:
        context.close()
        # Closing the context may abort a request mid-way: let the server finish it first.
        live_server.wait_idle()
    assert page_errors == [], "the browser reported errors:\n" + "\n".join(page_errors)
