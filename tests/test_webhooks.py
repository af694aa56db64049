"""The webhook gateway with the SendGrid Event Webhook: real ECDSA signatures, real Redis and RQ."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import app_config
from factories import login, make_user
from signing import batch, sendgrid_event

from app.extensions import db
from app.models import EmailSuppression, WebhookEvent
from app.services import notifications


def _post(client, signer, body: str, **overrides):
    headers = {**signer.headers(body), **overrides}
    return client.post("/webhooks/sendgrid", data=body.encode(), headers=headers, csrf=False)


def _events():
    db.session.expire_all()
    return db.session.scalars(db.select(WebhookEvent).order_by(WebhookEvent.id)).all()


def _sent_email(user):
    message = notifications.queue_email(
        user.email, "verify_email", user=user, name="x", email=user.email, link="http://x", days=3
    )
    db.session.commit()
    return message


def test_signed_batch_is_stored_and_processed(client, signer, app_ctx):
    user = make_user("reader@example.com")
    message = _sent_email(user)
    body = batch(
        sendgrid_event("ev-1", "delivered", user.email, message.id),
        sendgrid_event("ev-2", "open", user.email, message.id),
    )
    response = _post(client, signer, body)
    assert response.status_code == 200
    assert response.get_json() == {"success": True, "data": {"accepted": 2, "duplicates": 0}}
    assert [(e.event_id, e.status, e.attempts) for e in _events()] == [
        ("ev-1", "processed", 1),
        ("ev-2", "processed", 1),
    ]
    db.session.refresh(message)
    assert message.delivered_at is not None
    assert message.opened_at is not None
    assert message.last_event == "open"


def test_a_duplicate_delivery_is_answered_200_and_not_processed_again(client, signer, app_ctx):
    body = batch(sendgrid_event("dup-1", "delivered"))
    assert _post(client, signer, body).get_json()["data"] == {"accepted": 1, "duplicates": 0}
    again = _post(client, signer, body)
    assert again.status_code == 200
    assert again.get_json()["data"] == {"accepted": 0, "duplicates": 1}
    [event] = _events()
    assert event.attempts == 1


@pytest.mark.parametrize(
    ("case", "mutate", "reason"),
    [
        (
            "bad signature",
            lambda s, b: (
                b,
                {
                    **s.headers(b),
                    "X-Twilio-Email-Event-Webhook-Signature": s.headers("other")[
                        "X-Twilio-Email-Event-Webhook-Signature"
                    ],
                },
            ),
            "signature does not match",
        ),
        ("truncated body", lambda s, b: (b[:-7], s.headers(b)), "signature does not match"),
        ("truncated body signed as is", lambda s, b: (b[:-7], s.headers(b[:-7])), "not valid JSON"),
        (
            "wrong content type",
            lambda s, b: (b, {**s.headers(b), "Content-Type": "text/plain"}),
            "expected Content-Type application/json",
        ),
        ("missing signature", lambda s, b: (b, {"Content-Type": "application/json"}), "missing signature"),
        ("stale timestamp", lambda s, b: (b, s.headers(b, timestamp=int(time.time()) - 3600)), "old (limit"),
        (
            "garbage signature",
            lambda s, b: (b, {**s.headers(b), "X-Twilio-Email-Event-Webhook-Signature": "%%%"}),
            "signature does not match",
        ),
        ("not an array", lambda s, b: ('{"a": 1}', s.headers('{"a": 1}')), "expected a JSON array"),
    ],
)
def test_rejected_deliveries_get_400_and_a_logged_reason(client, signer, app_ctx, caplog, case, mutate, reason):
    body, headers = mutate(signer, batch(sendgrid_event("evil-1", "delivered")))
    with caplog.at_level(logging.WARNING):
        response = client.post("/webhooks/sendgrid", data=body.encode(), headers=headers, csrf=False)
    assert response.status_code == 400, case
    assert reason in response.get_json()["error"]["message"]
    assert any("Rejected sendgrid webhook" in r.getMessage() and reason in r.getMessage() for r in caplog.records)
    assert _events() == []


def test_unknown_provider_is_404_in_the_json_envelope(client):
    response = client.post("/webhooks/nope", data=b"[]", headers={"Content-Type": "application/json"}, csrf=False)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "RESOURCE_NOT_FOUND"


def test_without_a_configured_key_every_delivery_is_rejected(app, client, app_ctx):
    from signing import SendGridSigner

    body = batch(sendgrid_event("x", "delivered"))
    with app_config(app, SENDGRID_WEBHOOK_PUBLIC_KEY=None):
        response = client.post(
            "/webhooks/sendgrid", data=body.encode(), headers=SendGridSigner().headers(body), csrf=False
        )
    assert response.status_code == 400
    assert "not configured" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("kind", ["bounce", "dropped", "spamreport"])
def test_bounces_drops_and_complaints_stop_mail_and_the_owner_is_told(client, signer, app_ctx, kind):
    user = make_user("gone@example.com")
    message = _sent_email(user)
    _post(client, signer, batch(sendgrid_event("b-1", kind, "gone@example.com", message.id, reason="550 no such user")))
    suppression = db.session.scalar(db.select(EmailSuppression))
    assert suppression.address == "gone@example.com"
    assert suppression.reason == kind
    assert _sent_email(user).status == "suppressed"
    login(client, user)
    assert "We could not deliver email to gone@example.com" in client.get("/").text


def test_unknown_event_types_are_recorded_as_ignored(client, signer, app_ctx):
    _post(client, signer, batch(sendgrid_event("odd-1", "brand_new_event_type")))
    assert [e.status for e in _events()] == ["ignored"]


def _replace_handler(monkeypatch, handle) -> None:
    """Process SendGrid events with `handle` for this test."""
    import dataclasses

    from app.services import webhooks

    monkeypatch.setitem(
        webhooks.PROVIDERS, "sendgrid", dataclasses.replace(webhooks.PROVIDERS["sendgrid"], handle=handle)
    )


def test_processing_failure_is_recorded_and_an_admin_can_replay(app, client, signer, app_ctx, monkeypatch):
    from app.services import webhooks

    original = webhooks.PROVIDERS["sendgrid"]

    def broken(event_type, event):
        raise RuntimeError("database hiccup")

    _replace_handler(monkeypatch, broken)
    _post(client, signer, batch(sendgrid_event("f-1", "delivered")))
    [event] = _events()
    assert event.status == "failed"
    assert "database hiccup" in event.last_error
    assert event.attempts == 1
    monkeypatch.setitem(webhooks.PROVIDERS, "sendgrid", original)
    admin = make_user("ops@example.com", role="admin")
    login(client, admin)
    listing = client.get("/admin/webhooks?status=failed").text
    assert "f-1" in listing
    assert "database hiccup" in listing
    client.post(f"/admin/webhooks/{event.id}/replay", data={"note": "Bug fixed"})
    [event] = _events()
    assert event.status == "processed"
    assert event.attempts == 2
    assert event.replayed_by_id == admin.id


@pytest.mark.redis
def test_intake_enqueues_on_the_low_queue_and_a_worker_processes(app, client, signer, rq, app_ctx):
    _post(client, signer, batch(sendgrid_event("q-1", "delivered"), sendgrid_event("q-2", "open")))
    assert rq.queued() == {"high": 0, "default": 0, "low": 1, "ats": 0, "parse": 0}  # one job for the whole batch
    assert [e.status for e in _events()] == ["received", "received"]
    rq.work()
    assert [e.status for e in _events()] == ["processed", "processed"]


@pytest.mark.redis
def test_a_failing_event_is_retried_with_backoff_by_rq(app, client, signer, rq, app_ctx, monkeypatch):
    from app.services import email_events, webhooks  # noqa: F401

    def broken(event_type, event):
        raise RuntimeError("try later")

    _replace_handler(monkeypatch, broken)
    _post(client, signer, batch(sendgrid_event("r-1", "delivered")))
    rq.work()
    [event] = _events()
    assert event.status == "failed"
    assert "try later" in event.last_error
    scheduled = rq.queue("low").scheduled_job_registry
    assert scheduled.count == 1  # RQ holds it for the first backoff interval


@pytest.mark.redis
def test_events_stored_while_redis_was_down_are_swept_up(app, client, signer, rq, app_ctx):
    from app.tasks.webhooks import sweep_webhooks

    with app_config(app, REDIS_URL="redis://127.0.0.1:1/0"):  # nothing listens there
        app.extensions.pop("jobifies_redis", None)
        response = _post(client, signer, batch(sendgrid_event("s-1", "delivered")))
        assert response.status_code == 200  # accepted and stored even though the queue is down
    app.extensions.pop("jobifies_redis", None)
    assert [e.status for e in _events()] == ["received"]
    with app_config(app, SWEEP_GRACE_SECONDS=0):
        assert sweep_webhooks() == 1
    rq.work()
    assert [e.status for e in _events()] == ["processed"]


@pytest.mark.redis
@pytest.mark.postgres
def test_a_duplicate_posted_50_times_concurrently_is_processed_exactly_once(app, signer, rq, app_ctx):
    import requests
    from servers import running_app

    user = make_user("hot@example.com")
    message = _sent_email(user)
    body = batch(
        sendgrid_event("hot-1", "delivered", user.email, message.id),
        sendgrid_event("hot-2", "open", user.email, message.id),
    )
    headers = signer.headers(body)
    with running_app(app) as base, ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(
            pool.map(
                lambda _: requests.post(f"{base}/webhooks/sendgrid", data=body, headers=headers, timeout=30),
                range(50),
            )
        )
    assert [r.status_code for r in responses] == [200] * 50
    accepted = sum(r.json()["data"]["accepted"] for r in responses)
    assert accepted == 2  # exactly one delivery won each event
    assert rq.queued()["low"] == 1
    rq.work()
    events = _events()
    assert [(e.event_id, e.status, e.attempts) for e in events] == [
        ("hot-1", "processed", 1),
        ("hot-2", "processed", 1),
    ]


@pytest.mark.redis
def test_admin_sees_queues_and_failed_jobs_and_retries_one(app, client, signer, rq, app_ctx, monkeypatch):
    monkeypatch.setattr("app.tasks.webhooks.process_webhook_events.retries", ())
    _replace_handler(monkeypatch, lambda t, e: (_ for _ in ()).throw(RuntimeError("boom")))
    _post(client, signer, batch(sendgrid_event("a-1", "delivered")))
    rq.work()
    assert rq.queue("low").failed_job_registry.count == 1
    login(client, make_user("admin@example.com", role="admin"))
    page = client.get("/admin/queues").text
    assert "Failed jobs" in page
    assert "RuntimeError" in page
    assert "boom" in page
    job_id = rq.queue("low").failed_job_registry.get_job_ids()[0]
    monkeypatch.undo()
    client.post(f"/admin/queues/low/failed/{job_id}/retry", data={"note": "Redis is back"})
    assert rq.queued()["low"] == 1
    assert rq.queue("low").failed_job_registry.count == 0
    rq.work()
    assert [e.status for e in _events()] == ["processed"]
