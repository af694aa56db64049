"""Nothing is lost: a Redis outage delays work, a worker killed mid-job leaves the job to be retried."""

import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from conftest import REQUIRE_SERVICES, app_config
from factories import login, make_job, make_recruiter, make_user, pdf_bytes
from servers import PrivateRedis, kill_process_tree, worker_env

from app.extensions import db
from app.models import EmailMessage
from app.tasks.emails import sweep_outbox

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def private_redis():
    if not PrivateRedis.available():
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def _statuses():
    db.session.expire_all()
    return [m.status for m in db.session.scalars(db.select(EmailMessage).order_by(EmailMessage.id))]


def _burst_worker(app, redis_url: str):
    import contextvars

    from redis import Redis
    from rq import Queue, SimpleWorker

    from app.tasks.runtime import set_worker_app

    set_worker_app(app)
    connection = Redis.from_url(redis_url)
    worker = SimpleWorker([Queue(n, connection=connection) for n in ("high", "default", "low")], connection=connection)
    contextvars.Context().run(worker.work, burst=True)


@pytest.mark.redis
def test_with_redis_down_applying_still_succeeds_and_mail_goes_out_when_it_is_back(
    app, client, app_ctx, private_redis, sendgrid
):
    owner = make_recruiter("Resilient Co")
    job = make_job(owner)
    candidate = make_user("patient@example.com")
    with app_config(app, REDIS_URL=private_redis.url, SWEEP_GRACE_SECONDS=0):
        app.extensions.pop("jobifies_redis", None)
        private_redis.stop()
        login(client, candidate)
        started = time.monotonic()
        response = client.post(
            f"/jobs/{job.id}/apply",
            data={"resume": (BytesIO(pdf_bytes()), "cv.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        assert time.monotonic() - started < 10
        assert "My applications" in client.get(response.headers["Location"]).text
        assert _statuses() == ["pending", "pending"]  # candidate + recruiter, safely in the database
        assert sendgrid.requests == []

        private_redis.start()  # Redis is back (empty: it kept nothing)
        assert sweep_outbox() == 2
        _burst_worker(app, private_redis.url)
    app.extensions.pop("jobifies_redis", None)
    assert _statuses() == ["sent", "sent"]
    assert sorted(sendgrid.sent_to()) == sorted(["patient@example.com", owner.email])


@pytest.mark.redis
def test_a_worker_killed_mid_job_leaves_the_job_to_be_retried(app, app_ctx, private_redis, sendgrid):
    """A real `python worker.py` is SIGKILLed while SendGrid is slow to answer; nothing is lost."""
    from app.services import notifications

    sendgrid.script = [(202, 30)]  # the first send hangs long enough to kill the worker during it
    user = make_user("survivor@example.com")
    with app_config(app, REDIS_URL=private_redis.url):
        app.extensions.pop("jobifies_redis", None)
        notifications.queue_email(
            user.email, "verify_email", user=user, name="S", email=user.email, link="http://x", days=3
        )
        db.session.commit()
        env = worker_env(
            app,
            REDIS_URL=private_redis.url,
            SENDGRID_API_KEY="SG.test-key",
            SENDGRID_API_HOST=sendgrid.url,
            EMAIL_CLAIM_LEASE_SECONDS=1,
            SWEEP_GRACE_SECONDS=0,
        )
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 20
            while not sendgrid.requests and time.monotonic() < deadline:
                time.sleep(0.1)
            assert sendgrid.requests, "the worker never started sending"
            assert _statuses() == ["sending"]
        finally:
            kill_process_tree(worker.pid)  # the worker and its work-horse die mid-send
            worker.wait(10)
        assert _statuses() == ["sending"]  # claimed by a dead worker: not lost, not sent

        time.sleep(1.1)  # the claim's lease (1 s in this test) runs out
        with app_config(app, EMAIL_CLAIM_LEASE_SECONDS=1, SWEEP_GRACE_SECONDS=0):
            assert sweep_outbox() == 1
            retry = subprocess.run(
                [sys.executable, str(ROOT / "worker.py"), "--burst"], cwd=ROOT, env=env, capture_output=True, timeout=60
            )
        assert retry.returncode == 0, retry.stderr.decode()[-2000:]
    app.extensions.pop("jobifies_redis", None)
    db.session.expire_all()
    message = db.session.scalar(db.select(EmailMessage))
    assert message.status == "sent"
    assert message.attempts == 2
    assert len(sendgrid.requests) == 2


@pytest.mark.redis
def test_sigterm_is_a_warm_shutdown_the_current_job_finishes(app, app_ctx, private_redis, sendgrid):
    import signal

    from app.services import notifications

    sendgrid.script = [(202, 2)]  # the send takes two seconds
    user = make_user("graceful@example.com")
    with app_config(app, REDIS_URL=private_redis.url):
        app.extensions.pop("jobifies_redis", None)
        notifications.queue_email(
            user.email, "verify_email", user=user, name="G", email=user.email, link="http://x", days=3
        )
        db.session.commit()
        env = worker_env(
            app, REDIS_URL=private_redis.url, SENDGRID_API_KEY="SG.test-key", SENDGRID_API_HOST=sendgrid.url
        )
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while not sendgrid.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sendgrid.requests, "the worker never started sending"
        worker.send_signal(signal.SIGTERM)  # what Render and systemd send on deploy
        try:
            assert worker.wait(30) == 0
        finally:
            if worker.poll() is None:
                kill_process_tree(worker.pid)
    app.extensions.pop("jobifies_redis", None)
    assert _statuses() == ["sent"]  # finished, not abandoned


def test_a_half_open_breaker_lets_exactly_one_trial_call_through():
    from app.integrations.http import CircuitBreaker, CircuitOpenError

    clock = [0.0]
    circuit = CircuitBreaker("trial", failure_threshold=1, cooldown_seconds=10, clock=lambda: clock[0])
    circuit.before_call()
    circuit.record_failure()
    assert circuit.state == "open"
    clock[0] = 11
    assert circuit.state == "half-open"
    circuit.before_call()  # the one trial call
    with pytest.raises(CircuitOpenError, match="trial call is under way"):
        circuit.before_call()  # everyone else waits for its verdict
    circuit.record_success()
    circuit.before_call()  # closed again: calls flow
    circuit.before_call()
    assert circuit.state == "closed"


def test_a_failed_trial_reopens_and_a_non_verdict_frees_the_trial():
    from app.integrations.http import CircuitBreaker, CircuitOpenError

    clock = [0.0]
    circuit = CircuitBreaker("trial2", failure_threshold=1, cooldown_seconds=10, clock=lambda: clock[0])
    circuit.before_call()
    circuit.record_failure()
    clock[0] = 11
    circuit.before_call()
    circuit.record_failure()
    assert circuit.state == "open"
    with pytest.raises(CircuitOpenError):
        circuit.before_call()
    clock[0] = 22
    circuit.before_call()
    circuit.release_trial()  # e.g. a 400: says nothing about the provider
    circuit.before_call()  # the next caller may try
