"""Routing: email by default, SMS/WhatsApp only when chosen and verified, quiet hours, the
official Twilio client against a local fake, and a preference turned off means nothing is sent."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import app_config
from factories import login, make_application, make_job, make_recruiter, make_user
from fakes_twilio import FROM_NUMBER, WHATSAPP_FROM, FakeTwilio, twilio_config
from sqlalchemy import select

from app.extensions import db
from app.models import EmailMessage, Notification, NotificationSettings, utcnow
from app.services import applications, channels

PHONE = "+14155552671"


@pytest.fixture
def twilio(app):
    with FakeTwilio() as fake, app_config(app, **twilio_config(fake)):
        yield fake


def verified_candidate(kinds=("interview_invitation",), channel="sms", quiet=False, **settings):
    user = make_user()
    db.session.add(
        NotificationSettings(user_id=user.id, phone=PHONE, phone_verified_at=utcnow(), quiet_hours=quiet, **settings)
    )
    db.session.flush()
    channels.save_preferences(user, {("interview_invitation", "email")} | {(kind, channel) for kind in kinds})
    db.session.commit()
    return user


def move(application, recruiter, status):
    applications.move_application(application, recruiter, status)
    db.session.commit()


def texts(user=None):
    db.session.expire_all()
    query = select(Notification).where(Notification.channel.in_(("sms", "whatsapp"))).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return db.session.scalars(query).all()


def quiet_now(**settings):
    """A candidate whose quiet hours (UTC) began this hour and end two hours later, so a text sent
    during the test is held whatever the time of day the suite runs (a fixed window was not quiet
    in its one open hour, and a CI run at 23:05 UTC sent the text). Returns (user, end hour)."""
    start = utcnow().hour
    end = (start + 2) % 24
    return verified_candidate(quiet=True, timezone="UTC", quiet_start=start, quiet_end=end, **settings), end


def stage_emails(user):
    return db.session.scalars(
        select(EmailMessage).where(EmailMessage.to_address == user.email, EmailMessage.template == "stage_changed")
    ).all()


def test_interview_invitation_goes_by_sms_through_twilio_with_a_status_callback(app, app_ctx, twilio):
    recruiter = make_recruiter()
    candidate = verified_candidate()
    application = make_application(make_job(recruiter), candidate)
    move(application, recruiter, "interview")
    assert len(twilio.requests) == 1
    sent = twilio.sent()[0]
    assert sent["To"] == PHONE
    assert sent["From"] == FROM_NUMBER
    assert "interview" in sent["Body"]
    assert sent["StatusCallback"] == app.config["BASE_URL"] + "/webhooks/twilio"
    [text] = texts(candidate)
    assert text.status == "sent"
    assert text.provider == "twilio"
    assert text.provider_message_id.startswith("SM")
    assert len(stage_emails(candidate)) == 1  # email stays on as well


def test_whatsapp_uses_whatsapp_addresses(app_ctx, twilio):
    recruiter = make_recruiter()
    candidate = verified_candidate(channel="whatsapp")
    move(make_application(make_job(recruiter), candidate), recruiter, "interview")
    sent = twilio.sent()[0]
    assert sent["To"] == f"whatsapp:{PHONE}"
    assert sent["From"] == WHATSAPP_FROM


def test_email_only_by_default_and_kinds_not_chosen_are_not_texted(app_ctx, twilio):
    recruiter = make_recruiter()
    plain = make_user()
    chosen_interview_only = verified_candidate(kinds=("interview_invitation",))
    job = make_job(recruiter)
    move(make_application(job, plain), recruiter, "interview")
    move(make_application(job, chosen_interview_only), recruiter, "screening")  # status_change: not chosen
    assert twilio.requests == []
    assert texts() == []
    assert len(stage_emails(plain)) == 1


def test_a_preference_turned_off_means_nothing_is_sent(client, app_ctx, twilio):
    recruiter = make_recruiter()
    candidate = verified_candidate()
    application = make_application(make_job(recruiter), candidate)
    login(client, candidate)
    # Untick everything for interview invitations (the form sends only ticked boxes).
    assert client.post("/account/notifications/preferences", data={}).status_code == 302
    move(application, recruiter, "interview")
    assert twilio.requests == []
    assert texts(candidate) == []
    assert stage_emails(candidate) == []


def test_a_text_queued_before_the_choice_was_turned_off_is_cancelled(app, app_ctx, twilio):
    recruiter = make_recruiter()
    candidate, _ = quiet_now()
    move(make_application(make_job(recruiter), candidate), recruiter, "interview")
    [text] = texts(candidate)
    assert text.status == "pending"
    assert text.not_before is not None
    channels.save_preferences(candidate, set())
    text.not_before = utcnow() - timedelta(seconds=1)
    db.session.commit()
    from app.tasks.notify import send_notification

    assert send_notification(text.id) == "cancelled"
    assert twilio.requests == []


def test_sms_choice_needs_a_verified_phone(client, app_ctx):
    user = make_user()
    login(client, user)
    response = client.post("/account/notifications/preferences", data={"pref:offer:sms": "on"})
    assert response.status_code == 422
    assert "Verify your phone number" in response.get_data(as_text=True)


def _settings(tz, start=21, end=8):
    return NotificationSettings(timezone=tz, quiet_hours=True, quiet_start=start, quiet_end=end)


def test_quiet_hours_hold_texts_until_the_users_morning():
    new_york = _settings("America/New_York")
    # 03:00 in New York (08:00 UTC in December) is quiet: wait until 08:00 there (13:00 UTC).
    assert channels.quiet_until(new_york, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)) == datetime(
        2026, 12, 7, 13, 0, tzinfo=UTC
    )
    # 22:30 there (03:30 UTC next day): also quiet, until the next morning.
    assert channels.quiet_until(new_york, datetime(2026, 12, 8, 3, 30, tzinfo=UTC)) == datetime(
        2026, 12, 8, 13, 0, tzinfo=UTC
    )
    # 12:00 there: fine now.
    assert channels.quiet_until(new_york, datetime(2026, 12, 7, 17, 0, tzinfo=UTC)) is None
    # A window that does not wrap midnight (13-15 local in Kolkata, UTC+5:30).
    kolkata = _settings("Asia/Kolkata", 13, 15)
    assert channels.quiet_until(kolkata, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)) == datetime(
        2026, 12, 7, 9, 30, tzinfo=UTC
    )
    assert channels.quiet_until(kolkata, datetime(2026, 12, 7, 10, 0, tzinfo=UTC)) is None
    # Across a DST change: Saturday 23:00 in New York before the March change wakes at 08:00 EDT.
    assert channels.quiet_until(new_york, datetime(2026, 3, 8, 4, 0, tzinfo=UTC)) == datetime(
        2026, 3, 8, 12, 0, tzinfo=UTC
    )


def test_quiet_hours_defer_the_sms_and_the_sweeper_sends_it_in_the_morning(app_ctx, twilio):
    recruiter = make_recruiter()
    candidate, end = quiet_now()
    move(make_application(make_job(recruiter), candidate), recruiter, "interview")
    [text] = texts(candidate)
    assert text.status == "pending"
    assert text.not_before.hour == end
    assert twilio.requests == []
    assert len(stage_emails(candidate)) == 1  # email is not held back

    from app.tasks.notify import sweep_notifications

    assert sweep_notifications() == 0  # still night there
    text.not_before = utcnow() - timedelta(minutes=1)
    text.updated_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert sweep_notifications() == 1  # runs inline without Redis
    assert len(twilio.requests) == 1
    assert texts(candidate)[0].status == "sent"


def test_twilio_refusing_a_stopped_number_mirrors_the_stop(app_ctx, twilio):
    recruiter = make_recruiter()
    candidate = verified_candidate()
    twilio.script.append((400, 21610))
    move(make_application(make_job(recruiter), candidate), recruiter, "interview")
    [text] = texts(candidate)
    assert text.status == "failed"
    assert "21610" in text.last_error
    assert db.session.get(NotificationSettings, 1).sms_stopped_at is not None


def test_twilio_5xx_is_retried_later(app_ctx, twilio):
    recruiter = make_recruiter()
    candidate = verified_candidate()
    twilio.script.append((503, 20500))
    move(make_application(make_job(recruiter), candidate), recruiter, "interview")
    [text] = texts(candidate)
    assert text.status == "pending"
    assert text.not_before > utcnow()
    assert text.attempts == 1
    assert "503" in text.last_error


def test_recruiters_new_application_email_follows_their_choice(client, app_ctx):
    recruiter = make_recruiter()
    job = make_job(recruiter)
    login(client, recruiter)
    client.post("/account/notifications/preferences", data={})  # new applications by email: off
    from factories import pdf_bytes

    candidate = make_user()
    import io

    from werkzeug.datastructures import FileStorage

    applications.apply(job, candidate, FileStorage(io.BytesIO(pdf_bytes()), "cv.pdf", content_type="application/pdf"))
    db.session.commit()
    templates = db.session.scalars(select(EmailMessage.template)).all()
    assert "application_received" in templates
    assert "new_applicant" not in templates


def test_dev_outbox_shows_whatsapp_marked(client, app_ctx):
    recruiter = make_recruiter()
    candidate = verified_candidate(channel="whatsapp")
    move(make_application(make_job(recruiter), candidate), recruiter, "interview")
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "WhatsApp" in page
    assert PHONE in page
    assert texts(candidate)[0].provider == "outbox"
