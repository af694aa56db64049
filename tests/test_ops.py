"""Operations: /health, /metrics, request ids in logs and jobs, Sentry (README "Operating Jobifies")."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from conftest import app_config
from factories import make_job, make_recruiter
from servers import free_port

from app import create_app
from app.extensions import limiter
from app.tasks import enqueue
from app.tasks.runtime import task
from app.telemetry import heartbeats, logs

SECRET = "test-secret-" + "x" * 40


def _second_app(tmp_path, **env):
    """An app of its own (not the session's), built from `env` like a real process."""
    base = {"APP_ENV": "test", "SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path}/second.db"}
    base.update(env)
    return create_app(overrides={"TESTING": True, "INSTANCE_DIR": str(tmp_path)}, env=base)


@pytest.fixture
def fresh_health(app):
    """No cached /health answer from an earlier test, and none kept after this one."""
    app.extensions.pop("jobifies_health", None)
    with app_config(app, HEALTH_CACHE_SECONDS=0):
        yield
    app.extensions.pop("jobifies_health", None)


@pytest.fixture
def json_logs():
    """Every log line of the test, as the production JSON handler writes them."""
    buffer = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = logs.configure_logging("json", stream=buffer)
    lines = []

    def read():
        lines[:] = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
        return lines

    yield read
    root.removeHandler(handler)
    root.setLevel(level)


# --- /health -----------------------------------------------------------------------------------


def test_health_reports_every_check_in_the_seed_shape(client, fresh_health):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"status", "timestamp", "checks"}
    assert set(body["checks"]) == {"database", "redis", "search", "queues", "worker", "scheduler"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["duration_ms"] >= 0
    # Without REDIS_URL, Redis and the workers are not needed: jobs run inline.
    assert body["checks"]["redis"]["status"] == "skipped"
    assert body["checks"]["redis"]["required"] is False
    assert "state" in body["checks"]["search"]
    assert "documents" in body["checks"]["search"]
    assert client.get("/health/live").get_json() == {"status": "ok"}


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    port = free_port()  # nothing listens there
    app = _second_app(tmp_path, DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{port}/nothing")
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "fail"
    assert "OperationalError" in body["checks"]["database"]["error"]
    # The process itself still answers: a restart would not help.
    assert app.test_client().get("/health/live").status_code == 200


def test_redis_is_required_only_when_redis_url_is_set(tmp_path):
    down = _second_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    body = down.test_client().get("/health")
    assert body.status_code == 503
    assert body.get_json()["checks"]["redis"] | {"duration_ms": 0} == {
        **body.get_json()["checks"]["redis"],
        "status": "fail",
        "required": True,
        "duration_ms": 0,
    }
    without = _second_app(tmp_path)
    answer = without.test_client().get("/health")
    assert answer.status_code == 200
    assert answer.get_json()["checks"]["redis"]["status"] == "skipped"


def test_health_is_cached_for_a_moment(app, client):
    app.extensions.pop("jobifies_health", None)
    with app_config(app, HEALTH_CACHE_SECONDS=60):
        first = client.get("/health").get_json()
        # A broken Redis set after the first answer is not seen until the cache expires.
        with app_config(app, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
            app.extensions.pop("jobifies_redis", None)
            second = client.get("/health")
        assert second.status_code == 200
        assert second.get_json()["timestamp"] == first["timestamp"]
    app.extensions.pop("jobifies_health", None)
    app.extensions.pop("jobifies_redis", None)


@pytest.mark.redis
def test_worker_and_scheduler_heartbeats_go_stale(app, client, rq, fresh_health):
    body = client.get("/health").get_json()
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["worker"]["status"] == "warn"  # no worker has ever beaten
    heartbeats.beat(rq.connection, "worker", "host:1")
    heartbeats.beat(rq.connection, "scheduler", "host:2", now=time.time() - 45)
    response = client.get("/health")
    checks = response.get_json()["checks"]
    assert checks["worker"]["status"] == "ok"
    assert checks["worker"]["last_heartbeat_age_seconds"] < 5
    assert checks["scheduler"]["status"] == "warn"
    assert "older than 30 s" in checks["scheduler"]["detail"]
    # Informational: a missing worker never takes the web service out of rotation.
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    heartbeats.beat(rq.connection, "scheduler", "host:2")
    assert client.get("/health").get_json()["status"] == "ok" or checks["search"]["status"] != "ok"


@pytest.mark.redis
def test_queue_depth_and_oldest_job_age(app, client, rq, fresh_health):
    rq.queue("low").enqueue("builtins.print", "x")
    queues = client.get("/health").get_json()["checks"]["queues"]["queues"]
    assert queues["low"]["depth"] == 1
    assert queues["high"] == {"depth": 0, "oldest_age_seconds": 0.0}


# --- /metrics ----------------------------------------------------------------------------------


def _metric_lines(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name + "{")]


def test_metrics_label_routes_by_template_never_by_raw_path(client, app_ctx):
    owner = make_recruiter()
    job = make_job(owner)
    assert client.get(f"/jobs/{job.id}/{job.slug}").status_code == 200
    client.get("/no/such/page/4242")
    text = client.get("/metrics").get_data(as_text=True)
    lines = _metric_lines(text, "http_requests_total")
    assert any('route="/jobs/<int:job_id>/<slug>"' in line and 'status_code="200"' in line for line in lines)
    assert any('route="<unmatched>"' in line and 'status_code="404"' in line for line in lines)
    assert not any(f"/jobs/{job.id}" in line or "4242" in line for line in lines)
    assert _metric_lines(text, "db_query_duration_seconds_count")


def test_metrics_need_the_token_or_an_allowed_address(app, client):
    import ipaddress

    token = "t" * 32
    with app_config(app, METRICS_TOKEN=token, METRICS_ALLOW_IPS=[]):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong" + "x" * 27}).status_code == 404
        assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with app_config(app, METRICS_TOKEN=None, METRICS_ALLOW_IPS=[ipaddress.ip_network("10.0.0.0/8")]):
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 404
    # Production with neither set: closed.
    with app_config(app, APP_ENV="production", METRICS_TOKEN=None, METRICS_ALLOW_IPS=[]):
        assert client.get("/metrics").status_code == 404


def _counter(text: str, name: str, **labels) -> float:
    """The value of one series in a scrape; 0 when it is not there yet."""
    wanted = name + "{" + ",".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"
    for line in text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return 0.0


def test_the_rate_limit_store_counts_as_a_cache(client):
    def scrape():
        return client.get("/metrics").get_data(as_text=True)

    before = scrape()
    # A sign-up POST passes three limits (sign-ups per IP, mails to the address typed, mails sent
    # for this IP): the first POST opens the three counters (misses), the same POST again finds
    # them (hits). A GET passes no limit and touches no counter.
    client.get("/signup")
    for _ in range(2):
        client.post("/signup", data={"name": "A", "email": "rl-a@example.com", "password": "long enough pw"})
    after = scrape()

    def grew(status):
        return _counter(after, "cache_requests_total", type="ratelimit", status=status) - _counter(
            before, "cache_requests_total", type="ratelimit", status=status
        )

    assert (grew("miss"), grew("hit"), grew("error")) == (3, 3, 0)


def test_an_unreachable_rate_limit_store_counts_as_an_error(app, tmp_path, monkeypatch):
    # Another app shares the process-wide limiter; put the session app's store back afterwards.
    monkeypatch.setattr(limiter, "_storage", limiter.storage)
    monkeypatch.setattr(limiter, "_limiter", limiter.limiter)
    dead = _second_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    dead.config.update(WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)  # answered, as in production
    client = dead.test_client()
    before = _counter(
        client.get("/metrics").get_data(as_text=True), "cache_requests_total", type="ratelimit", status="error"
    )
    client.post("/signup", data={"name": "C", "email": "rl-c@example.com", "password": "long enough pw"})
    after = _counter(
        client.get("/metrics").get_data(as_text=True), "cache_requests_total", type="ratelimit", status="error"
    )
    assert after - before == 1


@pytest.mark.redis
def test_metrics_include_queue_depths_and_heartbeat_ages(client, rq):
    rq.queue("high").enqueue("builtins.print", "x")
    heartbeats.beat(rq.connection, "worker")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'rq_queue_depth{queue="high"} 1.0' in text
    assert 'heartbeat_age_seconds{kind="scheduler"} 1e+09' in text  # missing reads as very old
    worker_age = [line for line in text.splitlines() if line.startswith('heartbeat_age_seconds{kind="worker"}')]
    assert float(worker_age[0].split()[-1]) < 5


# --- request ids and logs ------------------------------------------------------------------------


def test_request_id_is_answered_and_on_every_log_line(client, json_logs):
    given = "render-abc123def456"
    response = client.get("/health/live", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given
    generated = client.get("/health/live", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert generated != "bad id with spaces"
    assert len(generated) == 32
    lines = [line for line in json_logs() if line.get("logger") == "jobifies.request"]
    assert [line["request_id"] for line in lines] == [given, generated]
    first = lines[0]
    assert first["route"] == "/health/live"
    assert first["status"] == 200
    assert first["method"] == "GET"
    assert first["level"] == "INFO"
    assert first["timestamp"]
    assert first["duration_ms"] >= 0


def test_request_metrics_and_the_request_line_can_be_switched_off(tmp_path, json_logs):
    quiet = _second_app(tmp_path, REQUEST_TELEMETRY="false")
    client = quiet.test_client()

    def served() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return _counter(text, "http_requests_total", method="GET", route="/health/live", status_code="200")

    before = served()
    response = client.get("/health/live", headers={"X-Request-ID": "quiet-request-1"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "quiet-request-1"  # the id stays
    assert served() == before
    assert not [line for line in json_logs() if line.get("logger") == "jobifies.request"]


LOGGED: list[str] = []


@task("test_ops.log_line", queue="low", retries=())
def log_line(word: str) -> None:
    logging.getLogger("jobifies.test").info("job says %s", word)


@pytest.mark.redis
def test_request_id_goes_into_the_jobs_a_request_enqueues(app, client, rq, json_logs):
    response = client.post("/signup", data={"name": "A", "email": "a@example.com", "password": "long enough pw"})
    request_id = response.headers["X-Request-ID"]
    jobs = [rq.queue(name).jobs for name in ("high", "default", "low")]
    queued = [job for group in jobs for job in group]
    assert queued
    assert all(job.meta["request_id"] == request_id for job in queued)

    with app.test_request_context(headers={"X-Request-ID": "req-for-the-job-1"}):
        token = logs.REQUEST_ID.set("req-for-the-job-1")
        try:
            enqueue("test_ops.log_line", "hello")
            from app.extensions import db

            db.session.commit()
        finally:
            logs.REQUEST_ID.reset(token)
    job_id = rq.queue("low").job_ids[-1]
    rq.work()
    line = next(line for line in json_logs() if line.get("message") == "job says hello")
    assert line["request_id"] == "req-for-the-job-1"
    assert line["job_id"] == job_id


def test_passwords_never_reach_a_log_line(client, json_logs, app_ctx):
    password = "hunter2-very-secret-pw"
    client.post("/signup", data={"name": "B", "email": "b@example.com", "password": password})
    client.post("/login", data={"email": "b@example.com", "password": password})
    logging.getLogger("jobifies.test").info("extra fields", extra={"password": password, "api_key": "sk_live_1"})
    text = json.dumps(json_logs())
    assert password not in text
    assert "sk_live_1" not in text
    assert "[Filtered]" in text


def test_the_development_servers_request_lines_carry_no_token(json_logs):
    # werkzeug's access line, as its development server writes it (flask run, the live servers).
    token = "eyJ1aWQiOjJ9.axZFhw.rI2J3GLPU8_CEMNUe9V5wsKHhNU"
    access = logging.getLogger("werkzeug")
    access.info('127.0.0.1 - - [07/Dec/2026 05:35:04] "%s" %s %s', f"GET /verify/{token} HTTP/1.1", 303, "-")
    access.info('127.0.0.1 - - [07/Dec/2026 05:35:05] "%s" %s %s', "GET /alerts/off?token=abc123 HTTP/1.1", 200, "-")
    slug = "GET /jobs/12/senior-backend-engineer-berlin HTTP/1.1"
    access.info('127.0.0.1 - - [07/Dec/2026 05:35:06] "%s" %s %s', slug, 200, "-")
    messages = [line["message"] for line in json_logs() if line["logger"] == "werkzeug"]
    assert messages[0].endswith('"GET /verify/[Filtered] HTTP/1.1" 303 -')
    assert messages[1].endswith('"GET /alerts/off?[Filtered] HTTP/1.1" 200 -')
    assert slug in messages[2]  # a slug is not a token
    assert token not in json.dumps(messages)
    assert "abc123" not in json.dumps(messages)


# --- Sentry ------------------------------------------------------------------------------------


def test_sentry_receives_errors_with_secrets_scrubbed(tmp_path):
    import sentry_sdk
    from fakes_sentry import FakeSentry

    # Built at run time: Sentry also sends the source lines around the failure, which must not be
    # what carries a secret into the check below.
    password, cookie, key = "-".join(["hunter2", "pw"]), "-".join(["cookie", "123"]), "-".join(["key", "abc"])
    address, other = "@".join(["jane", "example.com"]), "@".join(["x", "example.com"])

    with FakeSentry() as fake:
        app = _second_app(tmp_path, SENTRY_DSN=fake.dsn, RELEASE="rel-2026-12")
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.get("/boom-for-sentry")
        def boom():
            raise RuntimeError(f"it broke for {address}")

        try:
            client = app.test_client()
            client.set_cookie("session", cookie)
            response = client.get(
                f"/boom-for-sentry?password={password}&email={other}",
                headers={"X-Request-ID": "req-sentry-0001", "Authorization": f"Bearer {key}"},
            )
            assert response.status_code == 500
            sentry_sdk.flush(5)
            deadline = time.time() + 5
            while not _boom(fake.events) and time.time() < deadline:
                time.sleep(0.05)
        finally:
            sentry_sdk.init(dsn=None)  # the rest of the suite sends nothing
    events = _boom(fake.events)
    assert len(events) == 1
    event = events[0]
    assert event["release"] == "rel-2026-12"
    assert event["tags"]["request_id"] == "req-sentry-0001"
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    everything = b"".join(fake.raw).decode()
    assert "[Filtered]" in everything
    for secret in (password, cookie, key, address, other):
        assert secret not in everything, everything[max(0, everything.find(secret) - 300) :][:400]


def _boom(events: list[dict]) -> list[dict]:
    return [e for e in events if e.get("exception", {}).get("values", [{}])[0].get("type") == "RuntimeError"]


def test_sentry_is_off_without_a_dsn(tmp_path):
    import sentry_sdk

    _second_app(tmp_path)
    assert sentry_sdk.get_client().transport is None
