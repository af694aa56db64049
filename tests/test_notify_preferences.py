"""The preference centre: every kind x channel listed, one-click unsubscribe per kind, quiet hours
saved in the user's time zone, settings validated at start-up."""

import pytest
from factories import login, make_application, make_job, make_recruiter, make_user
from sqlalchemy import select

from app.config import ConfigError, load_config
from app.extensions import db
from app.models import EmailMessage, NotificationSettings
from app.services import applications, channels


def stage_email(user):
    db.session.expire_all()
    return db.session.scalar(
        select(EmailMessage).where(EmailMessage.to_address == user.email, EmailMessage.template == "stage_changed")
    )


def test_the_page_lists_every_kind_and_channel(client, app_ctx):
    login(client, make_user())
    page = client.get("/account/notifications").get_data(as_text=True)
    for kind, label in channels.CANDIDATE_KINDS.items():
        assert label in page
        for channel in ("email", "sms", "whatsapp"):
            assert f'name="pref:{kind}:{channel}"' in page
    assert 'for="phone"' in page
    assert 'for="timezone"' in page


def test_the_page_needs_a_login(client, app_ctx):
    response = client.get("/account/notifications")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_one_click_unsubscribe_turns_a_kind_off_everywhere(client, app, app_ctx):
    recruiter = make_recruiter()
    candidate = make_user()
    job = make_job(recruiter)
    applications.move_application(make_application(job, candidate), recruiter, "interview")
    db.session.commit()
    email = stage_email(candidate)
    link = email.headers["List-Unsubscribe"].strip("<>")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix(app.config["BASE_URL"])

    page = client.get(path)  # a mail scanner following the link changes nothing
    assert page.status_code == 200
    assert "Interview invitations" in page.get_data(as_text=True)
    assert channels.channels_for(candidate, "interview_invitation") == ["email"]

    response = client.post(path, csrf=False)  # RFC 8058: the mail client's POST, no session
    assert response.status_code == 200
    assert "Done" in response.get_data(as_text=True)
    assert channels.channels_for(candidate, "interview_invitation") == []
    # The next invitation sends nothing; other kinds still go.
    db.session.execute(db.delete(EmailMessage))
    db.session.commit()
    applications.move_application(make_application(make_job(recruiter), candidate), recruiter, "interview")
    db.session.commit()
    assert stage_email(candidate) is None
    applications.move_application(make_application(make_job(recruiter), candidate), recruiter, "offer")
    db.session.commit()
    assert stage_email(candidate) is not None


def test_a_forged_unsubscribe_link_is_refused(client, app_ctx):
    user = make_user()
    token = channels.unsubscribe_token(user, "offer")
    response = client.post(f"/account/notifications/unsubscribe/{token[:-2]}xx", csrf=False)
    assert response.status_code == 400
    assert channels.channels_for(user, "offer") == ["email"]


def test_quiet_hours_are_saved_and_validated(client, app_ctx):
    user = make_user()
    login(client, user)
    data = {"timezone": "Europe/Berlin", "quiet_hours": "on", "quiet_start": "22", "quiet_end": "7"}
    assert client.post("/account/notifications/quiet-hours", data=data).status_code == 302
    settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.user_id == user.id))
    assert (settings.timezone, settings.quiet_start, settings.quiet_end) == ("Europe/Berlin", 22, 7)
    response = client.post("/account/notifications/quiet-hours", data={**data, "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "time zone" in response.get_data(as_text=True)
    response = client.post("/account/notifications/quiet-hours", data={**data, "quiet_end": "22"})
    assert response.status_code == 422


def test_twilio_settings_are_checked_at_start():
    with pytest.raises(ConfigError) as error:
        load_config({"TWILIO_ACCOUNT_SID": "AC123"})
    assert "half configured" in str(error.value)
    with pytest.raises(ConfigError) as error:
        load_config({"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "x"})
    assert "TWILIO_PHONE_NUMBER or TWILIO_MESSAGING_SERVICE_SID" in str(error.value)
    with pytest.raises(ConfigError):
        load_config({"TWILIO_WHATSAPP_FROM": "+14155238886"})
    config = load_config({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "x", "TWILIO_MESSAGING_SERVICE_SID": "MG1"})
    assert config["TWILIO_MESSAGING_SERVICE_SID"] == "MG1"
