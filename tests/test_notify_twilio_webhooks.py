"""Twilio's callbacks through the webhook gateway: signed over the BASE_URL address, stored once
per MessageSid + status, processed idempotently; forged ones refused; STOP/START mirrored."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import app_config
from factories import make_application, make_job, make_recruiter, make_user
from fakes_twilio import AUTH_TOKEN, FakeTwilio, inbound_params, signed_callback, status_params, twilio_config
from servers import running_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, NotificationSettings, WebhookEvent, utcnow
from app.services import applications, channels

PHONE = "+14155552671"


@pytest.fixture
def twilio(app):
    with FakeTwilio() as fake, app_config(app, **twilio_config(fake)):
        yield fake


def callback_url(app):
    return app.config["BASE_URL"] + "/webhooks/twilio"


def sent_text(twilio):
    """A candidate with SMS for interview invitations, moved to Interview: one text sent via Twilio."""
    recruiter = make_recruiter()
    candidate = make_user()
    db.session.add(
        NotificationSettings(user_id=candidate.id, phone=PHONE, phone_verified_at=utcnow(), quiet_hours=False)
    )
    db.session.flush()
    channels.save_preferences(candidate, {("interview_invitation", "sms")})
    db.session.commit()
    applications.move_application(make_application(make_job(recruiter), candidate), recruiter, "interview")
    db.session.commit()
    text = db.session.scalar(select(Notification).where(Notification.user_id == candidate.id))
    assert text.status == "sent"
    return candidate, text


def post(client, app, params, token=AUTH_TOKEN, url=None):
    body, headers = signed_callback(url or callback_url(app), params, token)
    return client.post("/webhooks/twilio", data=body, headers=headers, csrf=False)


def test_status_callbacks_are_stored_once_and_never_go_backwards(client, app, app_ctx, twilio):
    _, text = sent_text(twilio)
    sid = text.provider_message_id
    storm = [status_params(sid, s) for s in ("queued", "sent", "delivered")] * 4
    random.Random(7).shuffle(storm)
    storm.append(status_params(sid, "sent"))  # a late "sent" after "delivered"
    storm.append(status_params(sid, "undelivered", error_code="30003"))  # a final status is never overwritten
    for params in storm:
        assert post(client, app, params).status_code == 200
    db.session.expire_all()
    events = db.session.scalars(select(WebhookEvent).where(WebhookEvent.provider == "twilio")).all()
    assert sorted(e.event_id for e in events) == sorted(
        f"{sid}:{s}" for s in ("queued", "sent", "delivered", "undelivered")
    )
    assert all(e.status == "processed" and e.attempts == 1 for e in events)
    text = db.session.get(Notification, text.id)
    assert text.status == "delivered"
    assert text.delivered_at is not None


@pytest.mark.postgres
def test_a_concurrent_callback_storm_is_processed_once(app, app_ctx, twilio):
    _, text = sent_text(twilio)
    sid = text.provider_message_id
    storm = [status_params(sid, s) for s in ("queued", "sent", "delivered", "undelivered")] * 8
    random.Random(3).shuffle(storm)
    with running_app(app) as base:

        def deliver(params):
            body, headers = signed_callback(callback_url(app), params)
            return requests.post(base + "/webhooks/twilio", data=body, headers=headers, timeout=30).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(deliver, storm))
    assert set(statuses) == {200}
    db.session.expire_all()
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 4
    assert set(db.session.scalars(select(WebhookEvent.attempts))) == {1}
    # delivered and undelivered are both final: whichever was processed first stays.
    assert db.session.get(Notification, text.id).status in ("delivered", "undelivered")


def test_a_failed_status_records_the_error_code(client, app, app_ctx, twilio):
    _, text = sent_text(twilio)
    assert (
        post(client, app, status_params(text.provider_message_id, "undelivered", error_code="30003")).status_code == 200
    )
    db.session.expire_all()
    text = db.session.get(Notification, text.id)
    assert text.status == "undelivered"
    assert "30003" in text.last_error


def test_a_forged_callback_is_refused(client, app, app_ctx, twilio):
    _, text = sent_text(twilio)
    params = status_params(text.provider_message_id, "delivered")
    assert post(client, app, params, token="not-the-auth-token").status_code == 400
    # Signed for the address the request reached (Host: localhost) rather than BASE_URL: refused.
    assert post(client, app, params, url="http://localhost/webhooks/twilio").status_code == 400
    # A valid signature over other parameters than those sent: refused.
    body, headers = signed_callback(callback_url(app), params)
    tampered = body.replace("delivered", "failed")
    assert client.post("/webhooks/twilio", data=tampered, headers=headers, csrf=False).status_code == 400
    # No signature at all.
    response = client.post(
        "/webhooks/twilio", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, csrf=False
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0
    assert db.session.get(Notification, text.id).status == "sent"


def test_without_an_auth_token_callbacks_are_refused(client, app, app_ctx):
    assert post(client, app, status_params("SM" + "1" * 32, "delivered")).status_code == 400


def test_stop_is_mirrored_and_start_undoes_it(client, app, app_ctx, twilio):
    candidate, _ = sent_text(twilio)
    assert post(client, app, inbound_params(PHONE, "STOP")).status_code == 200
    db.session.expire_all()
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.user_id == candidate.id))
    assert settings.sms_stopped_at is not None
    # Nothing more is texted while stopped.
    recruiter = make_recruiter()
    before = len(twilio.requests)
    applications.move_application(make_application(make_job(recruiter), candidate), recruiter, "interview")
    db.session.commit()
    assert len(twilio.requests) == before

    assert post(client, app, inbound_params(PHONE, "start")).status_code == 200
    db.session.expire_all()
    assert db.session.get(NotificationSettings, settings.id).sms_stopped_at is None


def test_a_stop_cancels_texts_waiting_for_the_morning(client, app, app_ctx, twilio):
    recruiter = make_recruiter()
    candidate = make_user()
    # Quiet hours (UTC) from this hour to two hours on: the text waits whenever the suite runs.
    start = utcnow().hour
    db.session.add(
        NotificationSettings(
            user_id=candidate.id,
            phone=PHONE,
            phone_verified_at=utcnow(),
            quiet_hours=True,
            quiet_start=start,
            quiet_end=(start + 2) % 24,
        )
    )
    db.session.flush()
    channels.save_preferences(candidate, {("interview_invitation", "sms")})
    db.session.commit()
    applications.move_application(make_application(make_job(recruiter), candidate), recruiter, "interview")
    db.session.commit()
    assert (
        post(
            client,
            app,
            inbound_params(PHONE, "STOP"),
        ).status_code
        == 200
    )
    db.session.expire_all()
    assert db.session.scalar(select(Notification.status)) == "cancelled"
