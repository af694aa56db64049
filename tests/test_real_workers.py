"""Real `python worker.py` processes against the test database and Redis: what only shows up when
several processes work at once."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REDIS_URL, app_config
from factories import login, make_user
from signing import sendgrid_event
from sqlalchemy import create_engine, text
from test_hostile_resumes import LOOSE_ARCHIVE_LIMITS, docx_bomb

from app.extensions import db
from app.models import CandidateProfile, EmailMessage, EmailSuppression, WebhookEvent
from app.services import resumes

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.redis


def start_worker(app, *args: str, **settings: str) -> subprocess.Popen:
    """`python worker.py ARGS` on this test run's database and Redis."""
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": app.config["SECRET_KEY"],
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "worker.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, timeout: float = 40) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # warm shutdown, as Render stops a service
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for(condition, timeout: float, what: str, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")


def _parse_status(user) -> str | None:
    db.session.expire_all()
    return db.session.scalar(db.select(CandidateProfile.parse_status).where(CandidateProfile.user_id == user.id))


def test_email_keeps_flowing_while_a_hostile_resume_is_being_read(app, rq, client, app_ctx):
    candidate, other = make_user("parsing@example.com"), make_user("needs-reset@example.com")
    login(client, candidate)
    with app_config(app, **LOOSE_ARCHIVE_LIMITS):  # a file that gets past the upload's archive checks
        response = client.post(
            "/me/profile/resume",
            data={"resume": (io.BytesIO(docx_bomb()), "cv.docx")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 302
    assert rq.queued()["parse"] == 1
    worker = start_worker(app, PARSE_TIMEOUT_SECONDS="8", PARSE_MAX_ZIP_RATIO="100000", PARSE_MAX_UNZIPPED_MB="200")
    try:
        wait_for(lambda: _parse_status(candidate) == "parsing", 90, "the parse worker to start reading")
        client.post("/logout")
        asked = time.monotonic()
        client.post("/password/forgot", data={"email": other.email})

        def reset_sent():
            db.session.expire_all()
            return (
                db.session.scalar(db.select(EmailMessage.status).where(EmailMessage.template == "password_reset"))
                == "sent"
            )

        wait_for(reset_sent, 15, "the reset email to be sent")
        waited = time.monotonic() - asked
        assert _parse_status(candidate) == "parsing", "the email should not have waited for the parse"
        assert waited < 6, f"the reset email waited {waited:.1f} s behind the parse"
        wait_for(lambda: _parse_status(candidate) == "failed", 120, "the hostile parse to fail on its own")
    finally:
        stop(worker)
    db.session.expire_all()
    profile = db.session.scalar(db.select(CandidateProfile).where(CandidateProfile.user_id == candidate.id))
    assert profile.parse_error == resumes.HOSTILE_MESSAGE


@pytest.mark.postgres
def test_two_workers_suppressing_one_new_address_at_once_process_each_event_once(app, rq, client, signer, app_ctx):
    """A bounce and a dropped event for the same new address, processed at the same moment.

    An outside transaction holds the address's unique key while both workers reach the insert, so
    both are inside the race for sure; then it rolls back and lets them go.
    """
    for event in (
        sendgrid_event("bounce-1", "bounce", email="new@example.com"),
        sendgrid_event("dropped-1", "dropped", email="new@example.com"),
    ):
        body = json.dumps([event])
        assert (
            client.post("/webhooks/sendgrid", data=body.encode(), headers=signer.headers(body), csrf=False).status_code
            == 200
        )
    assert rq.queued()["low"] == 2
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    workers = []
    try:
        with engine.connect() as blocker:
            transaction = blocker.begin()
            blocker.execute(
                text(
                    "INSERT INTO email_suppressions (address, reason, detail, created_at) "
                    "VALUES ('new@example.com', 'hold', '', now())"
                )
            )
            workers = [start_worker(app, "--burst", "--queues", "low") for _ in range(2)]

            def both_waiting():
                with engine.connect() as probe:
                    return (
                        probe.scalar(
                            text(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND query ILIKE 'INSERT INTO email_suppressions%'"
                            )
                        )
                        == 2
                    )

            wait_for(both_waiting, 90, "both workers to wait on the address's unique key")
            transaction.rollback()
        for worker in workers:
            worker.wait(30)
    finally:
        for worker in workers:
            stop(worker)
        engine.dispose()
    db.session.expire_all()
    events = {e.event_id: (e.status, e.attempts, e.last_error) for e in db.session.scalars(db.select(WebhookEvent))}
    assert events == {"bounce-1": ("processed", 1, None), "dropped-1": ("processed", 1, None)}
    assert db.session.scalar(db.select(db.func.count(EmailSuppression.id))) == 1
