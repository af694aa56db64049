"""Slack for hiring teams: the webhook URL tested on save and stored encrypted, Block Kit with a
text fallback, 429 Retry-After and 5xx retried, a revoked webhook disabled and its owner emailed."""

from datetime import timedelta

import pytest
from conftest import app_config
from cryptography.fernet import Fernet
from factories import login, make_application, make_job, make_recruiter, make_user
from fakes_twilio import FakeSlack
from sqlalchemy import select

from app.extensions import db
from app.models import EmailMessage, Notification, SlackConnection, utcnow
from app.services import applications, channels, companies
from app.tasks.notify import send_notification, slack_periodic, sweep_notifications


@pytest.fixture
def slack(app):
    with (
        FakeSlack() as fake,
        app_config(
            app, SLACK_WEBHOOK_PREFIXES=[fake.url + "/services/"], ENCRYPTION_KEYS=[Fernet.generate_key().decode()]
        ),
    ):
        yield fake


def connect(client, fake, events=tuple(channels.SLACK_EVENTS)):
    owner = make_recruiter()
    login(client, owner)
    response = client.post(
        "/account/notifications/slack",
        data={"webhook_url": fake.hook_url, "channel_name": "#hiring", "events": list(events)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return owner


def slack_rows():
    db.session.expire_all()
    return db.session.scalars(
        select(Notification).where(Notification.channel == "slack").order_by(Notification.id)
    ).all()


def test_connecting_posts_a_test_message_and_stores_the_url_encrypted(client, app_ctx, slack):
    owner = connect(client, slack)
    assert len(slack.requests) == 1
    assert slack.requests[0]["path"] == FakeSlack.HOOK
    assert "is connected" in slack.requests[0]["json"]["text"]
    connection = db.session.scalar(select(SlackConnection))
    assert connection.company_id == owner.company.id
    assert connection.active
    assert slack.hook_url not in connection.webhook_token
    assert "services" not in connection.webhook_token
    page = client.get("/account/notifications/slack").get_data(as_text=True)
    assert "connected" in page
    assert slack.hook_url not in page


def test_a_url_slack_refuses_is_not_saved(client, app_ctx, slack):
    login(client, make_recruiter())
    slack.script.append((404, "no_service", {}))
    response = client.post(
        "/account/notifications/slack", data={"webhook_url": slack.hook_url, "events": ["new_application"]}
    )
    assert response.status_code == 422
    assert "Slack refused the test message" in response.get_data(as_text=True)
    response = client.post(
        "/account/notifications/slack", data={"webhook_url": "http://169.254.169.254/latest", "events": []}
    )
    assert response.status_code == 422
    assert "hooks.slack.com" in response.get_data(as_text=True)
    assert db.session.scalar(select(SlackConnection.id)) is None


def test_only_the_owner_connects_slack(client, app_ctx, slack):
    owner = make_recruiter()
    colleague = make_user(role="recruiter")
    _, token = companies.invite_member(owner, colleague.email)
    companies.accept_invitation(token, colleague)
    db.session.commit()
    login(client, colleague)
    response = client.post("/account/notifications/slack", data={"webhook_url": slack.hook_url, "events": []})
    assert response.status_code == 403
    assert slack.requests == []


def test_new_application_is_posted_with_blocks_score_link_and_fallback(client, app, app_ctx, slack):
    owner = connect(client, slack)
    job = make_job(owner)
    application = make_application(job, make_user(name="Ada Lovelace"))
    application.match_score = 87
    channels.application_submitted(application)
    db.session.commit()
    body = slack.requests[-1]["json"]
    assert "Ada Lovelace" in body["text"]
    assert "87%" in body["text"]
    section = body["blocks"][0]["text"]["text"]
    assert "87%" in section
    assert job.title in section
    button = body["blocks"][1]["elements"][0]
    assert button["url"] == f"{app.config['BASE_URL']}/recruiter/applications/{application.id}"


def test_a_429_waits_for_retry_after_then_succeeds(client, app_ctx, slack):
    owner = connect(client, slack)
    slack.script.append((429, "rate_limited", {"Retry-After": "120"}))
    job = make_job(owner)  # "job published" goes out: answered 429
    [row] = slack_rows()
    assert row.status == "pending"
    assert row.attempts == 1
    assert timedelta(seconds=110) < row.not_before - utcnow() <= timedelta(seconds=120)  # not our 30 s backoff
    assert len(slack.requests) == 2  # the test message, then the 429
    assert sweep_notifications() == 0  # not before Retry-After
    row.not_before = utcnow() - timedelta(seconds=1)
    row.updated_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert sweep_notifications() == 1
    assert slack_rows()[0].status == "sent"
    assert len(slack.requests) == 3
    assert job.title in slack.requests[-1]["json"]["text"]


def test_a_5xx_is_retried_with_backoff(client, app_ctx, slack):
    owner = connect(client, slack)
    slack.script.append((503, "service unavailable", {}))
    make_job(owner)
    [row] = slack_rows()
    assert row.status == "pending"
    assert row.not_before > utcnow()
    assert "503" in row.last_error
    row.not_before = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert send_notification(row.id) == "sent"


def test_a_revoked_webhook_is_disabled_after_repeated_404s_and_the_owner_emailed(client, app, app_ctx, slack):
    owner = connect(client, slack, events=("stage_change",))
    job = make_job(owner)
    limit = app.config["SLACK_DISABLE_AFTER_404S"]
    slack.script.extend([(404, "channel_not_found", {})] * limit)
    for _ in range(limit):
        application = make_application(job, make_user())
        applications.move_application(application, owner, "screening")
        db.session.commit()
    rows = slack_rows()
    assert [r.status for r in rows] == ["failed"] * limit
    connection = db.session.scalar(select(SlackConnection))
    assert not connection.active
    assert connection.disabled_at is not None
    email = db.session.scalar(select(EmailMessage).where(EmailMessage.template == "slack_disabled"))
    assert email is not None
    assert email.to_address == owner.email
    assert "channel_not_found" in email.text_body
    # Nothing more is queued for a disabled connection.
    applications.move_application(make_application(job, make_user()), owner, "screening")
    db.session.commit()
    assert len(slack_rows()) == limit
    assert "disabled" in client.get("/account/notifications/slack").get_data(as_text=True)


def test_stage_changes_from_the_ats_are_not_posted_but_teammates_are(client, app_ctx, slack):
    owner = connect(client, slack, events=("stage_change",))
    application = make_application(make_job(owner), make_user())
    applications.move_application(application, None, "screening", note="From Greenhouse")
    db.session.commit()
    assert slack_rows() == []
    applications.move_application(application, owner, "interview")
    db.session.commit()
    assert "to Interview" in slack_rows()[0].body


def test_events_not_ticked_are_not_posted(client, app_ctx, slack):
    owner = connect(client, slack, events=("daily_digest",))
    make_job(owner)
    applications.move_application(make_application(make_job(owner), make_user()), owner, "screening")
    db.session.commit()
    assert slack_rows() == []


def test_expiring_jobs_and_the_daily_digest_are_posted_once(client, app_ctx, slack):
    owner = connect(client, slack, events=("job_expiring", "daily_digest"))
    job = make_job(owner, expires_at=utcnow() + timedelta(days=2))
    make_application(job, make_user())
    assert slack_periodic() == 2
    assert slack_periodic() == 0  # once per job and expiry date, one digest a day
    texts = [r.body for r in slack_rows()]
    assert any("Expiring soon" in t for t in texts)
    assert any("Daily digest: 1 new application" in t for t in texts)
