"""Test set-up: a real database (PostgreSQL when reachable, else SQLite), built by the migrations.

Backends:
  TEST_DB=postgres (default) uses TEST_DATABASE_URL (postgres@127.0.0.1:5432/test). If it cannot be
  reached the suite falls back to SQLite and says so, unless REQUIRE_SERVICES=1, which makes a
  missing service a failure. TEST_DB=sqlite runs everything on a temporary SQLite file; tests marked
  `postgres` are then skipped with the reason.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import sys

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from log_capture import register as register_log_capture  # noqa: E402

from app import create_app  # noqa: E402
from app.blueprints import caching  # noqa: E402
from app.extensions import db, limiter  # noqa: E402
from app.services import throttle, views  # noqa: E402
from app.tasks import QUEUES  # noqa: E402

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_notes: list[str] = []


def postgres_reachable(url: str = PG_URL) -> str | None:
    """None if we can connect, else the reason."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means "not available"
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"


def pytest_configure(config):
    register_log_capture(config)  # every log line of the run, searched for secrets at the end
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (skipped on the SQLite run)")
    config.addinivalue_line("markers", "browser: drives headless Chromium through Playwright")
    config.addinivalue_line("markers", "redis: needs the Redis server at TEST_REDIS_URL")


def pytest_report_header(config):
    return [f"database backend: {_backend()[0]}"]


def pytest_terminal_summary(terminalreporter):
    for note in _notes:
        terminalreporter.write_line(note)


_backend_cache: list = []


def _backend() -> tuple[str, str]:
    if _backend_cache:
        return _backend_cache[0]
    wanted = os.environ.get("TEST_DB", "postgres")
    result = ("sqlite", "")
    if wanted == "postgres":
        reason = postgres_reachable()
        if reason is None:
            result = ("postgres", PG_URL)
        elif REQUIRE_SERVICES:
            pytest.exit(f"REQUIRE_SERVICES=1 but PostgreSQL at {PG_URL} is unreachable: {reason}", returncode=3)
        else:
            _notes.append(f"PostgreSQL unreachable ({reason}): ran on SQLite; PostgreSQL-only tests skipped.")
    _backend_cache.append(result)
    return result


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable(url: str = REDIS_URL) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return None
    except redis.exceptions.RedisError as error:
        return f"{type(error).__name__}: {error}"


def pytest_collection_modifyitems(config, items):
    if _backend()[0] != "postgres":
        skip = pytest.mark.skip(reason="needs PostgreSQL (this run uses SQLite)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
    if any("redis" in item.keywords for item in items):
        reason = redis_reachable()
        if reason and REQUIRE_SERVICES:
            pytest.exit(f"REQUIRE_SERVICES=1 but Redis at {REDIS_URL} is unreachable: {reason}", returncode=3)
        if reason:
            _notes.append(f"Redis unreachable ({reason}): Redis tests skipped.")
            for item in items:
                if "redis" in item.keywords:
                    item.add_marker(pytest.mark.skip(reason=f"Redis unreachable: {reason}"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    backend, url = _backend()
    if backend == "postgres":
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("DROP SCHEMA IF EXISTS search CASCADE"))  # the PostgreSQL search backend's (0027)
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    env = {"APP_ENV": "test", "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-" + "x" * 40}
    application = create_app(
        overrides={
            "TESTING": True,
            "SERVER_NAME": None,
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
            # Same algorithm, lower cost: hashing dominates test time otherwise.
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        },
        env=env,
    )
    application.test_client_class = CsrfClient
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    return application


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Every test starts with empty tables and fresh login counters."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
        throttle.reset_all()
        limiter.reset()
        views.forget_pending()
        caching.pages.clear()  # rendered pages of the last test's board


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


class CsrfClient(FlaskClient):
    """A test client that sends the CSRF token the way our pages do (X-CSRFToken header).

    Pass csrf=False to a call to leave it out.
    """

    def csrf_token(self) -> str:
        response = contextvars.Context().run(super().open, "/login", method="GET")
        match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
        assert match, "the layout must carry a csrf-token meta tag"
        return match.group(1)

    def open(self, *args, csrf: bool = True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        # Each request runs in a fresh context, as in production: its own app context, `g`,
        # login state and database session, even while the test holds an app context of its own.
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


HTMX = {"HX-Request": "true"}


def hx(target: str, **extra) -> dict:
    """Headers of an htmx request aimed at element #target."""
    return {"HX-Request": "true", "HX-Target": target, "HX-Current-URL": "http://localhost/", **extra}


@contextlib.contextmanager
def app_config(app, **values):
    """Temporarily change the session app's configuration."""
    previous = {key: app.config.get(key) for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(previous)


@pytest.fixture
def sendgrid(app):
    """The real sendgrid client pointed at a local fake of the Mail Send API."""
    from servers import FakeSendGrid

    from app.integrations.http import reset_breakers

    reset_breakers()
    with FakeSendGrid() as fake, app_config(app, SENDGRID_API_KEY="SG.test-key", SENDGRID_API_HOST=fake.url):
        yield fake
    reset_breakers()


@pytest.fixture
def signer(app):
    from signing import SendGridSigner

    key = SendGridSigner()
    with app_config(app, SENDGRID_WEBHOOK_PUBLIC_KEY=key.public_key):
        yield key


class RQHarness:
    """The real Redis (TEST_REDIS_URL) wired into the app, and a real RQ worker run in burst mode."""

    def __init__(self, app, url: str):
        import redis

        self.app, self.url = app, url
        self.connection = redis.Redis.from_url(url)

    def queue(self, name: str):
        from rq import Queue

        return Queue(name, connection=self.connection)

    def queued(self) -> dict:
        return {name: len(self.queue(name)) for name in QUEUES}

    def work(self) -> None:
        """Run every queued job with a real worker (no fork), in a fresh context like a worker process."""
        from rq import SimpleWorker

        from app.tasks.runtime import set_worker_app

        set_worker_app(self.app)
        worker = SimpleWorker([self.queue(n) for n in QUEUES], connection=self.connection)
        contextvars.Context().run(worker.work, burst=True)


@pytest.fixture
def rq(app):
    harness = RQHarness(app, REDIS_URL)
    harness.connection.flushdb()
    with app_config(app, REDIS_URL=REDIS_URL):
        app.extensions.pop("jobifies_redis", None)
        yield harness
    app.extensions.pop("jobifies_redis", None)
    harness.connection.flushdb()
