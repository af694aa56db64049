"""Outbound webhooks: a local receiver checks the signatures, a 500 is retried with backoff, an
endpoint that keeps failing is disabled (and its owner emailed), order is kept per endpoint, and
with Redis down the events are delivered later by the sweeper. SSRF: private addresses refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import app_config
from factories import login, make_application, make_job, make_recruiter, make_user
from servers import LocalHTTPServer

from app.extensions import db
from app.models import EmailMessage, WebhookDelivery, WebhookEndpoint, utcnow
from app.services import applications, jobs, outbound_webhooks


class Receiver(LocalHTTPServer):
    """A company's endpoint: verifies each signature as the README tells companies to, and answers
    with the next scripted status (200 once the script runs out)."""

    def __init__(self, secret_box: dict, script=()):
        self.received, self.script = [], list(script)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                header = self.headers["Jobifies-Signature"]
                parts = dict(item.split("=", 1) for item in header.split(","))
                expected = hmac.new(
                    secret_box["secret"].encode(), parts["t"].encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                valid = hmac.compare_digest(expected, parts["v1"])
                outer.received.append({"event": json.loads(body), "valid": valid})
                status = outer.script.pop(0) if outer.script else 200
                self.send_response(status)
                self.end_headers()

        self._serve(Handler)


@pytest.fixture
def allow_local(app):
    with app_config(app, WEBHOOKS_ALLOW_PRIVATE=True):
        yield


def _subscribe(owner, url, events=("job.published", "job.closed", "application.created")):
    endpoint, secret = outbound_webhooks.add_endpoint(owner, url, list(events))
    db.session.commit()
    return endpoint, secret


def test_events_are_signed_and_delivered_in_order(app_ctx, allow_local):
    owner = make_recruiter("Hooks Co")
    box = {}
    with Receiver(box) as receiver:
        _, box["secret"] = _subscribe(owner, receiver.url)
        job = make_job(owner, status="draft")
        jobs.publish_job(job, owner)
        db.session.commit()  # without Redis the delivery runs inline after the commit
        jobs.close_job(job, owner)
        db.session.commit()
    assert [r["event"]["type"] for r in receiver.received] == ["job.published", "job.closed"]
    assert all(r["valid"] for r in receiver.received)
    assert receiver.received[0]["event"]["data"]["job"]["id"] == job.id
    assert {d.status for d in db.session.scalars(db.select(WebhookDelivery))} == {"delivered"}


def test_a_wrong_secret_fails_verification(app_ctx, allow_local):
    owner = make_recruiter("Wrong Co")
    box = {"secret": "whsec_not-the-one"}
    with Receiver(box) as receiver:
        _subscribe(owner, receiver.url)
        make_job(owner)
    assert receiver.received
    assert not receiver.received[0]["valid"]


def test_a_500_is_retried_with_backoff_and_later_events_wait(app_ctx, allow_local):
    owner = make_recruiter("Retry Co")
    box = {}
    with Receiver(box, script=[500]) as receiver:
        endpoint, box["secret"] = _subscribe(owner, receiver.url)
        job = make_job(owner)  # job.published: answered 500
        jobs.close_job(job, owner)
        db.session.commit()  # job.closed must wait behind the failed one
        assert [r["event"]["type"] for r in receiver.received] == ["job.published"]
        first = db.session.scalar(db.select(WebhookDelivery).order_by(WebhookDelivery.id))
        assert first.status == "pending"
        assert first.attempts == 1
        assert first.last_status_code == 500
        assert first.next_attempt_at > utcnow() + timedelta(seconds=50)  # backed off, not hammered

        first.next_attempt_at = utcnow() - timedelta(seconds=1)  # the backoff has passed
        db.session.commit()
        outbound_webhooks.deliver(endpoint.id)
    assert [r["event"]["type"] for r in receiver.received] == ["job.published", "job.published", "job.closed"]
    assert {d.status for d in db.session.scalars(db.select(WebhookDelivery))} == {"delivered"}


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_owner_emailed(app_ctx, allow_local):
    owner = make_recruiter("Down Co")
    box = {}
    with Receiver(box, script=[503] * 100) as receiver:
        endpoint, box["secret"] = _subscribe(owner, receiver.url)
        make_job(owner)
        delivery = db.session.scalar(db.select(WebhookDelivery))
        for _ in range(outbound_webhooks.MAX_CONSECUTIVE_FAILURES):
            delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            outbound_webhooks.deliver(endpoint.id)
            db.session.refresh(delivery)
    db.session.refresh(endpoint)
    assert endpoint.active is False
    assert "failed attempts in a row" in endpoint.disabled_reason
    emails = db.session.scalars(db.select(EmailMessage).where(EmailMessage.template == "webhook_disabled")).all()
    assert [e.to_address for e in emails] == [owner.email]
    # Disabled: nothing more is attempted.
    attempts = len(receiver.received)
    outbound_webhooks.deliver(endpoint.id)
    assert len(receiver.received) == attempts


def test_private_addresses_are_refused_at_save_and_at_delivery(app, app_ctx):
    owner = make_recruiter("SSRF Co")
    for url in ("http://127.0.0.1:9/hook", "http://169.254.169.254/latest", "http://10.0.0.1/", "ftp://example.com/"):
        with pytest.raises(Exception, match="private|loopback|http"):
            outbound_webhooks.add_endpoint(owner, url, ["job.published"])
    db.session.rollback()
    with app_config(app, WEBHOOKS_ALLOW_PRIVATE=True):
        endpoint, _ = _subscribe(owner, "http://127.0.0.1:9/hook")
    make_job(owner)  # delivered (inline) with private addresses refused again
    delivery = db.session.scalar(db.select(WebhookDelivery))
    assert delivery.status == "pending"
    assert "loopback" in delivery.last_error


@pytest.mark.redis
def test_redis_down_then_the_sweeper_delivers(app, app_ctx, allow_local):
    owner = make_recruiter("Sweep Co")
    box = {}
    with Receiver(box) as receiver:
        _, box["secret"] = _subscribe(owner, receiver.url)
        with app_config(app, REDIS_URL="redis://127.0.0.1:1/0"):  # nothing listens there
            app.extensions.pop("jobifies_redis", None)
            make_job(owner)
        app.extensions.pop("jobifies_redis", None)
        assert receiver.received == []
        assert db.session.scalar(db.select(WebhookDelivery)).status == "pending"
        from app.tasks.outbound_webhooks import sweep_outbound_webhooks

        assert sweep_outbound_webhooks() == 1  # without Redis now, enqueue_now runs it inline
    assert [r["event"]["type"] for r in receiver.received] == ["job.published"]


def test_application_events(app_ctx, allow_local):
    owner = make_recruiter("Pipeline Co")
    job = make_job(owner)
    box = {}
    with Receiver(box) as receiver:
        _, box["secret"] = _subscribe(
            owner, receiver.url, ["application.created", "application.stage_changed", "application.withdrawn"]
        )
        candidate = make_user()
        application = make_application(job, candidate)  # a factory row, not the service: no event
        applications.move_application(application, owner, "interview")
        db.session.commit()
        applications.withdraw(application, candidate)
        db.session.commit()
    events = [r["event"] for r in receiver.received]
    assert [e["type"] for e in events] == ["application.stage_changed", "application.withdrawn"]
    assert events[0]["data"]["application"] == {
        "id": application.id,
        "job_id": job.id,
        "status": "interview",
        "previous_status": "applied",
    }


def test_settings_page_log_resend_and_test_event(client, app_ctx, allow_local):
    owner = make_recruiter("Page Co")
    box = {}
    with Receiver(box) as receiver:
        login(client, owner)
        page = client.post("/api/webhooks", data={"url": receiver.url, "events": ["job.published"]})
        assert page.status_code == 201
        box["secret"] = page.text.split('id="new-secret" type="text" readonly value="')[1].split('"')[0]
        endpoint = db.session.scalar(db.select(WebhookEndpoint))
        client.post(f"/api/webhooks/{endpoint.id}/test")
        log = client.get(f"/api/webhooks/{endpoint.id}").text
        assert "ping" in log
        assert "200" in log
        delivery = db.session.scalar(db.select(WebhookDelivery))
        client.post(f"/api/webhooks/deliveries/{delivery.id}/resend")
    assert [r["event"]["type"] for r in receiver.received] == ["ping", "ping"]
    assert all(r["valid"] for r in receiver.received)
    assert receiver.received[0]["event"]["id"] == receiver.received[1]["event"]["id"]  # same event, resent


def test_only_the_owner_sees_webhooks(client, app_ctx):
    owner = make_recruiter("Private Co")
    other = make_recruiter("Other Co")
    with app_config(client.application, WEBHOOKS_ALLOW_PRIVATE=True):
        endpoint, _ = _subscribe(owner, "http://127.0.0.1:9/hook")
    login(client, other)
    assert client.get(f"/api/webhooks/{endpoint.id}").status_code == 404
    assert client.post(f"/api/webhooks/{endpoint.id}/test").status_code == 404


def test_the_readme_verification_snippet_accepts_our_signature_and_refuses_tampering():
    from pathlib import Path

    from app.integrations.outbound_webhooks import sign

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    snippet = readme.split("Verify it on the raw body", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102  (our own README's example)
    verify = namespace["verify"]
    body = b'{"id":"evt_1","type":"ping"}'
    header = sign("whsec_abc", body)
    assert verify(body, header, "whsec_abc")
    assert not verify(body + b" ", header, "whsec_abc")
    assert not verify(body, header, "whsec_other")
    assert not verify(body, sign("whsec_abc", body, timestamp=1), "whsec_abc")  # a replay from 1970
