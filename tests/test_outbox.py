"""The email outbox: rows first, sending after commit, retries, the official SendGrid client."""

import re
from datetime import timedelta

import pytest
from conftest import app_config
from factories import PASSWORD, login, make_application, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import EmailMessage, User, utcnow
from app.services import notifications


def _emails(**filters):
    query = db.select(EmailMessage).order_by(EmailMessage.id)
    for key, value in filters.items():
        query = query.where(getattr(EmailMessage, key) == value)
    db.session.expire_all()
    return db.session.scalars(query).all()


def _link(message: EmailMessage) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.text_body).group(1)


def test_signup_sends_a_verification_email_and_the_link_verifies(client, app_ctx):
    client.post("/signup", data={"name": "Vera", "email": "vera@example.com", "password": "long enough pw"})
    [message] = _emails(to_address="vera@example.com")
    assert message.template == "verify_email"
    assert message.status == "sent"
    assert message.provider == "outbox"
    assert "Confirm your email address" in message.subject
    assert message.text_body.count("http://127.0.0.1:5000/verify/") == 1  # from BASE_URL
    assert client.get(_link(message)).status_code == 303
    assert client.post("/verify").status_code == 302
    assert db.session.scalar(db.select(User.verified_at).where(User.email == "vera@example.com")) is not None


def test_an_unverified_user_sees_the_banner_and_can_ask_for_a_new_link(client, app_ctx):
    user = make_user("banner@example.com", verified=False)
    login(client, user)
    assert "Please confirm your email address" in client.get("/jobs").text
    client.post("/verify/resend")
    assert len(_emails(to_address="banner@example.com", template="verify_email")) == 2


def test_a_tampered_verification_link_is_refused(client, app_ctx):
    response = client.get("/verify/not-a-real-token", follow_redirects=True)
    assert response.status_code == 400
    assert "This link is not valid" in response.text


def test_unverified_recruiter_cannot_publish_until_they_confirm(client, app_ctx):
    owner = make_user("unverified@example.com", role="recruiter", verified=False)
    from app.services import companies

    companies.create_company(owner, "Fresh Co")
    db.session.commit()
    login(client, owner)
    client.post(
        "/recruiter/jobs/new",
        data={
            "title": "Role",
            "description": "Do it",
            "workplace": "remote",
            "employment_type": "full_time",
            "seniority": "mid",
            "salary_currency": "EUR",
            "salary_period": "year",
            "action": "publish",
        },
    )
    dashboard = client.get("/recruiter/").text
    assert "Confirm your email address before publishing: we sent a link to unverified@example.com." in dashboard
    from app.models import Job

    job = db.session.scalar(db.select(Job))
    assert job.status == "draft"
    verification = _emails(to_address="unverified@example.com", template="verify_email")[-1]
    client.get(_link(verification))
    client.post("/verify")
    client.post(f"/recruiter/jobs/{job.id}/publish")
    db.session.refresh(job)
    assert job.status == "published"


def test_password_reset_never_reveals_whether_an_account_exists(client, app_ctx):
    make_user("real@example.com")
    for address in ("real@example.com", "ghost@example.com"):
        response = client.post("/password/forgot", data={"email": address})
        assert response.status_code == 200
        assert f"If an account exists for {address}, we sent it a link" in response.text
    assert [m.to_address for m in _emails(template="password_reset")] == ["real@example.com"]


def test_password_reset_link_works_once(client, app_ctx):
    make_user("reset@example.com")
    client.post("/password/forgot", data={"email": "reset@example.com"})
    link = _link(_emails(template="password_reset")[0])
    assert "Choose a new password" in client.get(link, follow_redirects=True).text
    assert client.post("/password/reset", data={"password": "brand new password"}).status_code == 302
    client.post("/logout")
    login(client, "reset@example.com", "brand new password")
    client.post("/logout")
    client.get(link)
    reused = client.post("/password/reset", data={"password": "another password"})
    assert reused.status_code == 400
    assert "already used" in reused.text


def test_password_reset_link_expires(app, client, app_ctx):
    make_user("late@example.com")
    client.post("/password/forgot", data={"email": "late@example.com"})
    link = _link(_emails(template="password_reset")[0])
    import itsdangerous

    real_now = itsdangerous.timed.TimestampSigner.get_timestamp
    try:
        itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: int(utcnow().timestamp()) + 3 * 3600
        response = client.get(link, follow_redirects=True)
    finally:
        itsdangerous.timed.TimestampSigner.get_timestamp = real_now
    assert response.status_code == 400
    assert "This link has expired" in response.text


def test_application_and_stage_change_emails(client, app_ctx):
    owner = make_recruiter("Mail Co", email="owner@mail.example.com")
    job = make_job(owner, title="Mailer")
    candidate = make_user("applicant@example.com", name="Ann Applicant")
    application = make_application(job, candidate)
    login(client, owner)
    client.post(f"/recruiter/applications/{application.id}/move", data={"status": "interview"})
    [stage] = _emails(template="stage_changed")
    assert stage.to_address == "applicant@example.com"
    assert "Mail Co would like to interview you for Mailer" in stage.text_body
    assert stage.status == "sent"


def test_applying_emails_the_candidate_and_every_recruiter(client, app_ctx):
    from io import BytesIO

    from factories import pdf_bytes

    from app.models import Membership

    owner = make_recruiter("Two Seat Co", email="one@twoseat.example.com")
    colleague = make_user("two@twoseat.example.com")
    db.session.add(Membership(company_id=owner.company.id, user_id=colleague.id, role="recruiter"))
    db.session.commit()
    job = make_job(owner, title="Popular Role")
    login(client, make_user("eager@example.com", name="Eager Beaver"))
    client.post(
        f"/jobs/{job.id}/apply", data={"resume": (BytesIO(pdf_bytes()), "cv.pdf")}, content_type="multipart/form-data"
    )
    assert [m.to_address for m in _emails(template="application_received")] == ["eager@example.com"]
    new_applicant = _emails(template="new_applicant")
    assert sorted(m.to_address for m in new_applicant) == ["one@twoseat.example.com", "two@twoseat.example.com"]
    assert "Eager Beaver applied for Popular Role" in new_applicant[0].text_body


def test_team_invitation_is_emailed(client, app_ctx):
    owner = make_recruiter("Invite Co")
    login(client, owner)
    client.post("/recruiter/team/invite", data={"email": "friend@example.com"})
    [message] = _emails(template="team_invitation")
    assert message.to_address == "friend@example.com"
    assert "/invitations/" in message.text_body


@pytest.mark.redis
def test_nothing_is_sent_when_the_transaction_rolls_back(app, rq, app_ctx):
    user = make_user()
    notifications.queue_email(user.email, "verify_email", name="x", email=user.email, link="http://x", days=1)
    db.session.rollback()
    assert rq.queued() == {"high": 0, "default": 0, "low": 0, "ats": 0, "parse": 0}
    assert _emails() == []


@pytest.mark.redis
def test_outbox_row_is_committed_before_the_job_is_queued_and_a_worker_sends_it(app, rq, sendgrid, app_ctx):
    user = make_user("queued@example.com")
    notifications.queue_email(
        user.email, "verify_email", user=user, name="Q", email=user.email, link="http://x", days=3
    )
    assert rq.queued()["default"] == 0  # not before commit
    db.session.commit()
    assert rq.queued()["default"] == 1
    [message] = _emails()
    assert message.status == "pending"
    assert sendgrid.requests == []
    rq.work()
    [message] = _emails()
    assert message.status == "sent"
    assert message.provider == "sendgrid"
    assert message.provider_message_id == "fake-sg-1"
    request = sendgrid.requests[0]
    assert request["path"] == "/v3/mail/send"
    assert request["headers"]["Authorization"] == "Bearer SG.test-key"
    assert request["json"]["custom_args"] == {"jobifies_message_id": str(message.id)}
    assert request["json"]["subject"] == message.subject
    assert sendgrid.sent_to() == ["queued@example.com"]
    rq.work()  # running again sends nothing twice
    assert len(sendgrid.requests) == 1


def test_sendgrid_429_and_5xx_are_retried_with_backoff(app, sendgrid, app_ctx):
    from unittest import mock

    sendgrid.script = [(429, 0), (503, 0)]
    user = make_user("retry@example.com")
    # Jitter pinned to its top (random() -> 1.0), so the delays are exactly the backoff schedule.
    with (
        mock.patch("app.integrations.http._sleep") as slept,
        mock.patch("app.integrations.http.random.random", return_value=1.0),
    ):
        notifications.queue_email(user.email, "verify_email", name="R", email=user.email, link="http://x", days=3)
        db.session.commit()
    [message] = _emails()
    assert message.status == "sent"
    assert len(sendgrid.requests) == 3
    assert [call.args[0] for call in slept.call_args_list] == [0.5, 1.0]  # base 0.5 s, doubling


def test_a_permanent_sendgrid_error_marks_the_email_failed_with_the_reason(app, sendgrid, app_ctx):
    sendgrid.script = [(400, 0)]
    user = make_user("bad@example.com")
    notifications.queue_email(user.email, "verify_email", name="B", email=user.email, link="http://x", days=3)
    db.session.commit()
    [message] = _emails()
    assert message.status == "failed"
    assert "SendGrid 400" in message.last_error
    assert len(sendgrid.requests) == 1


def test_repeated_failures_open_the_circuit_and_it_closes_after_cool_down(app, sendgrid, app_ctx):
    from unittest import mock

    from app.integrations import http

    clock = [1000.0]
    circuit = http.breaker("sendgrid")
    circuit.clock = lambda: clock[0]
    sendgrid.script = [(500, 0)] * 5
    user = make_user("down@example.com")
    with mock.patch("app.integrations.http._sleep"):
        for _ in range(2):
            notifications.queue_email(user.email, "verify_email", name="D", email=user.email, link="http://x", days=3)
            db.session.commit()
    first, second = _emails()
    assert first.status == "pending"
    assert "SendGrid 500" in first.last_error
    assert first.next_attempt_at is not None
    assert circuit.state == "open"
    assert "sendgrid is failing" in second.last_error
    assert len(sendgrid.requests) == 5
    clock[0] += circuit.cooldown_seconds + 1
    assert circuit.state == "half-open"
    second.next_attempt_at = None
    db.session.commit()
    from app.tasks.emails import send_email

    send_email(second.id)  # the trial call goes through (the fake is answering 202 again)
    assert _emails()[1].status == "sent"
    assert circuit.state == "closed"


def test_dev_outbox_lists_and_shows_emails(client, app_ctx):
    client.post("/signup", data={"name": "Otto", "email": "otto@example.com", "password": "long enough pw"})
    message = _emails()[0]
    listing = client.get("/dev/outbox").text
    assert "otto@example.com" in listing
    assert message.subject in listing
    detail = client.get(f"/dev/outbox/{message.id}").text
    assert "Confirm my email address" in detail
    assert "/verify/" in detail


def test_dev_outbox_does_not_exist_in_production(database_url, tmp_path):
    from app import create_app

    prod = create_app(
        overrides={"INSTANCE_DIR": str(tmp_path)},
        env={
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 64,
            "DATABASE_URL": database_url,
            "BASE_URL": "https://jobs.example.com",
        },
    )
    assert prod.test_client().get("/dev/outbox", base_url="https://jobs.example.com").status_code == 404


def test_the_sweeper_resends_pending_mail_and_takes_over_dead_claims(app, app_ctx):
    from app.tasks.emails import sweep_outbox

    user = make_user("sweep@example.com")
    with app_config(app, REDIS_URL=None):
        stuck = EmailMessage(
            to_address=user.email,
            template="verify_email",
            subject="s",
            html_body="h",
            text_body="t",
            status="pending",
            updated_at=utcnow() - timedelta(minutes=5),
            headers={},
        )
        dead = EmailMessage(
            to_address=user.email,
            template="verify_email",
            subject="s",
            html_body="h",
            text_body="t",
            status="sending",
            claimed_at=utcnow() - timedelta(hours=1),
            attempts=1,
            headers={},
        )
        fresh = EmailMessage(
            to_address=user.email,
            template="verify_email",
            subject="s",
            html_body="h",
            text_body="t",
            status="sending",
            claimed_at=utcnow(),
            attempts=1,
            headers={},
        )
        db.session.add_all([stuck, dead, fresh])
        db.session.commit()
        assert sweep_outbox() == 2
    statuses = {m.id: m.status for m in _emails()}
    assert statuses == {stuck.id: "sent", dead.id: "sent", fresh.id: "sending"}


def test_suppressed_address_gets_no_mail_and_its_owner_sees_a_notice(client, app_ctx):
    user = make_user("bouncy@example.com")
    notifications.suppress_address("bouncy@example.com", "bounce")
    db.session.commit()
    notifications.queue_email(user.email, "verify_email", name="B", email=user.email, link="http://x", days=3)
    db.session.commit()
    assert _emails()[0].status == "suppressed"
    login(client, user)
    page = client.get("/jobs").text
    assert "We could not deliver email to bouncy@example.com" in page
    assert 'href="/account"' in page
    response = client.post("/account/email", data={"email": "fixed@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "We could not deliver email" not in client.get("/jobs").text
    assert _emails(template="verify_email")[-1].to_address == "fixed@example.com"
