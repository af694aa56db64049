"""Issue 7: what an attacker tried from outside, each point shown to hold.

Links in emails, verification, sessions, rate limits, downloads and hostile input. (Hostile resumes
are in test_hostile_resumes.py; the walk over every route with hostile values is in
test_hostile_input.py.)
"""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from conftest import CsrfClient, app_config, hx
from factories import PASSWORD, emailed_link, login, make_application, make_job, make_recruiter, make_user, pdf_bytes

from app.extensions import db
from app.models import Application, Document, EmailMessage, User

SITE = "https://jobs.example.com"


@pytest.fixture
def production(database_url, tmp_path):
    """The app as production runs it (behind one proxy, BASE_URL set), on the test database."""
    from app import create_app

    app = create_app(
        overrides={"INSTANCE_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"},
        env={
            "APP_ENV": "production",
            "SECRET_KEY": "p" * 64,
            "DATABASE_URL": database_url,
            "BASE_URL": SITE,
            "ALLOWED_HOSTS": "www.example.com",
        },
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _emails(template: str) -> list[EmailMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(db.select(EmailMessage).where(EmailMessage.template == template).order_by(EmailMessage.id))
    )


# --- 1. Links come from BASE_URL, never from the request ------------------------------------------


def test_a_forged_forwarded_host_does_not_redirect_the_reset_link(production, app_ctx):
    make_user("admin@example.com")
    client = production.test_client()
    response = client.post(
        "/password/forgot",
        data={"email": "admin@example.com"},
        base_url=SITE,
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 200
    [message] = _emails("password_reset")
    assert "evil.example" not in message.text_body + message.html_body
    assert f"{SITE}/password/reset/" in message.text_body


def test_production_refuses_requests_for_other_hosts(production):
    client = production.test_client()
    assert client.get("/login", base_url="https://evil.example").status_code == 400
    assert client.get("/login", base_url=SITE).status_code == 200
    assert client.get("/login", base_url="https://www.example.com").status_code == 200  # ALLOWED_HOSTS


FORGED = {"Host": "evil.example"}


def test_a_forged_host_in_development_still_gets_base_url_links(client, app, app_ctx):
    make_user("dev@example.com")
    with app_config(app, WTF_CSRF_ENABLED=False):  # the session cookie belongs to the real host
        client.post("/password/forgot", data={"email": "dev@example.com"}, headers=FORGED, csrf=False)
    [message] = _emails("password_reset")
    assert message.text_body.count(app.config["BASE_URL"] + "/password/reset/") == 1
    assert "evil.example" not in message.text_body


def test_invitation_and_new_applicant_emails_use_base_url(client, app, app_ctx):
    owner = make_recruiter("Links Co")
    job = make_job(owner)
    candidate = make_user()
    with app_config(app, WTF_CSRF_ENABLED=False):
        forged = app.test_client()
        forged.post("/login", data={"email": owner.email, "password": PASSWORD}, headers=FORGED, csrf=False)
        forged.post("/recruiter/team/invite", data={"email": "mate@example.com"}, headers=FORGED, csrf=False)
        forged.post("/logout", headers=FORGED, csrf=False)
        forged.post("/login", data={"email": candidate.email, "password": PASSWORD}, headers=FORGED, csrf=False)
        forged.post(
            f"/jobs/{job.id}/apply",
            data={"resume": (BytesIO(pdf_bytes()), "cv.pdf")},
            content_type="multipart/form-data",
            headers=FORGED,
            csrf=False,
        )
    for template in ("team_invitation", "new_applicant"):
        [message] = _emails(template)
        assert "http://127.0.0.1:5000/" in message.text_body
        assert "evil.example" not in message.text_body


# --- 2. Verification cannot be bypassed -----------------------------------------------------------


def test_a_reset_link_never_confirms_an_address_it_was_not_sent_to(client, app_ctx):
    """Sign up, ask for a reset, move the account to someone else's address, use the old link."""
    user = make_user("me@example.com", verified=False)
    client.post("/password/forgot", data={"email": "me@example.com"})
    old_link = emailed_link("me@example.com", "password_reset")
    login(client, user)
    assert client.post("/account/email", data={"email": "hr@bigbank.example", "password": PASSWORD}).status_code == 302
    client.post("/logout")
    client.get(old_link)
    response = client.post("/password/reset", data={"password": "a new password!"})
    assert response.status_code == 400
    assert "no longer on the account" in response.text
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.email == "hr@bigbank.example"
    assert user.verified_at is None


def test_changing_the_email_unverifies_and_voids_the_old_confirmation_link(client, app_ctx):
    user = make_user("first@example.com", verified=False)
    login(client, user)
    client.post("/verify/resend")
    old_link = emailed_link("first@example.com", "verify_email")
    client.post("/account/email", data={"email": "second@example.com", "password": PASSWORD})
    client.get(old_link)
    assert client.get("/verify").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).verified_at is None
    # The old address is told; the new one gets its own link.
    assert _emails("email_changed")[0].to_address == "first@example.com"
    assert emailed_link("second@example.com", "verify_email")


# --- 3. Sessions end when they should --------------------------------------------------------------


def _remembered_client(app, user) -> tuple[CsrfClient, CsrfClient]:
    """A device logged in with "keep me logged in", and a copy holding only its remember cookie."""
    device = app.test_client()
    device.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = device.get_cookie("remember_token")
    assert remember is not None
    cookie_only = app.test_client()
    cookie_only.set_cookie("remember_token", remember.value)
    assert cookie_only.get("/me/applications").status_code == 200  # the cookie alone logs in
    return device, cookie_only


def _logged_out(client) -> bool:
    response = client.get("/me/applications")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_password_reset_ends_every_other_session_and_remember_cookie(app, client, app_ctx):
    user = make_user("reset@example.com")
    device, cookie_only = _remembered_client(app, user)
    client.post("/password/forgot", data={"email": user.email})
    client.get(emailed_link(user.email, "password_reset"))
    assert client.post("/password/reset", data={"password": "another password"}).status_code == 302
    assert _logged_out(device)
    assert _logged_out(cookie_only)
    assert client.get("/me/applications").status_code == 200  # the device that reset stays in


def test_a_password_change_ends_other_sessions_but_not_this_one(app, client, app_ctx):
    user = make_user("change@example.com")
    device, cookie_only = _remembered_client(app, user)
    login(client, user)
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "a better password"}
    )
    assert response.status_code == 302
    assert _logged_out(device)
    assert _logged_out(cookie_only)
    assert client.get("/me/applications").status_code == 200
    assert _emails("password_changed")[0].to_address == "change@example.com"
    assert client.post("/logout").status_code == 302
    login(client, "change@example.com", "a better password")


def test_a_wrong_current_password_changes_nothing(client, app_ctx):
    user = make_user("keep@example.com")
    login(client, user)
    response = client.post(
        "/account/password", data={"current_password": "not it at all", "new_password": "a better password"}
    )
    assert response.status_code == 422
    assert "Your current password is not correct." in response.text
    assert 'id="current_password-error"' in response.text


def test_an_email_change_ends_other_sessions(app, client, app_ctx):
    user = make_user("move@example.com")
    device, cookie_only = _remembered_client(app, user)
    login(client, user)
    assert client.post("/account/email", data={"email": "moved@example.com", "password": PASSWORD}).status_code == 302
    assert _logged_out(device)
    assert _logged_out(cookie_only)
    assert client.get("/me/applications").status_code == 200


def test_log_out_of_all_other_devices(app, client, app_ctx):
    user = make_user("everywhere@example.com")
    device, cookie_only = _remembered_client(app, user)
    login(client, user)
    page = client.get("/account").text
    assert "Log out of all other devices" in page
    response = client.post("/account/sessions/end")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "You are logged out of every other device." in client.get("/account").text
    assert _logged_out(device)
    assert _logged_out(cookie_only)


def test_login_starts_a_fresh_session_with_a_new_csrf_token(app, client, app_ctx):
    make_user("fresh@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.csrf_token()
    login(client, "fresh@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.csrf_token() != before


# --- 4. Rate limits on everything that sends email -------------------------------------------------


def test_thirty_reset_requests_queue_a_few_emails_and_then_say_when_to_retry(client, app_ctx):
    make_user("victim@example.com")
    responses = [client.post("/password/forgot", data={"email": "victim@example.com"}) for _ in range(30)]
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    limited = responses[3]
    assert limited.status_code == 429
    assert "Please try again in" in limited.text
    assert int(limited.headers["Retry-After"]) > 0
    assert {r.status_code for r in responses[3:]} == {429}
    assert len(_emails("password_reset")) == 3


def test_one_address_cannot_be_flooded_from_many_ips(client, app_ctx):
    make_user("target@example.com")
    codes = [
        client.post(
            "/password/forgot",
            data={"email": "target@example.com"},
            environ_overrides={"REMOTE_ADDR": f"198.51.100.{n}"},
        ).status_code
        for n in range(1, 6)
    ]
    assert codes == [200, 200, 200, 429, 429]


def test_one_ip_cannot_spray_many_inboxes(client, app, app_ctx):
    limit = int(app.config["RATE_LIMIT_EMAIL_PER_IP"].split()[0])
    codes = [
        client.post("/password/forgot", data={"email": f"someone{n}@example.com"}).status_code for n in range(limit + 1)
    ]
    assert codes[:limit] == [200] * limit
    assert codes[limit] == 429


def test_the_outbox_caps_identical_account_emails_whatever_calls_it(app, app_ctx):
    from app.services import emails

    user = make_user("capped@example.com")
    for _ in range(10):
        emails.send_password_reset(user)
        db.session.commit()
    assert len(_emails("password_reset")) == app.config["EMAIL_MAX_PER_ADDRESS_HOUR"]


def test_signup_and_invitations_are_limited_too(client, app_ctx):
    codes = [
        client.post(
            "/signup", data={"name": "S", "email": f"s{n}@example.com", "password": "long enough pw"}
        ).status_code
        for n in range(11)
    ]
    assert codes[:10] == [302] * 10
    assert codes[10] == 429
    owner = make_recruiter("Busy Co")
    login(client, owner)
    invites = [client.post("/recruiter/team/invite", data={"email": "same@example.com"}).status_code for _ in range(4)]
    assert invites[3] == 429


def test_an_htmx_request_over_the_limit_gets_a_toast_and_keeps_its_panel(client, app_ctx):
    user = make_user()
    login(client, user)
    with app_config(client.application, RATE_LIMIT_UPLOAD="1 per hour"):
        client.post(
            "/me/profile/resume",
            data={"resume": (BytesIO(pdf_bytes()), "a.pdf")},
            content_type="multipart/form-data",
            headers=hx("resume-panel"),
        )
        response = client.post(
            "/me/profile/resume",
            data={"resume": (BytesIO(pdf_bytes()), "b.pdf")},
            content_type="multipart/form-data",
            headers=hx("resume-panel"),
        )
    assert response.status_code == 429
    assert response.headers["HX-Reswap"] == "none"
    assert "try again in" in json.loads(response.headers["HX-Trigger"])["toast"]["message"]


def test_webhooks_over_the_limit_answer_in_the_json_envelope(client, app_ctx):
    with app_config(client.application, RATE_LIMIT_WEBHOOKS="2 per minute"):
        for _ in range(2):
            client.post("/webhooks/nope", data=b"[]", headers={"Content-Type": "application/json"}, csrf=False)
        response = client.post("/webhooks/nope", data=b"[]", headers={"Content-Type": "application/json"}, csrf=False)
    assert response.status_code == 429
    body = response.get_json()
    assert body["success"] is False
    assert body["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert "Retry-After" in response.headers


# --- 6. Downloads and stored files ---------------------------------------------------------------


def test_a_non_latin_file_name_downloads_with_an_rfc_6266_header(client, app_ctx):
    owner = make_recruiter()
    job = make_job(owner)
    candidate = make_user()
    login(client, candidate)
    client.post(
        f"/jobs/{job.id}/apply",
        data={"resume": (BytesIO(pdf_bytes()), "Резюме Łukasz.pdf")},
        content_type="multipart/form-data",
    )
    login(client, owner)
    application = db.session.scalar(db.select(Application))
    response = client.get(f"/recruiter/applications/{application.id}/resume")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")  # what gunicorn requires of every header
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%A0%D0%B5%D0%B7%D1%8E%D0%BC%D0%B5%20%C5%81ukasz.pdf" in header
    assert 'filename="Lukasz.pdf"' in header  # the ASCII fallback keeps what it can


def test_the_stored_extension_follows_what_the_file_is(client, app_ctx):
    owner = make_recruiter()
    job = make_job(owner)
    login(client, make_user())
    client.post(
        f"/jobs/{job.id}/apply", data={"resume": (BytesIO(pdf_bytes()), "cv.exe")}, content_type="multipart/form-data"
    )
    document = db.session.scalar(db.select(Document))
    assert document.filename == "cv.pdf"


# --- 7. Specific hostile inputs (the route walk is in test_hostile_input.py) ----------------------


def test_ids_beyond_the_integer_column_are_404(client, app_ctx):
    assert client.get("/jobs/2147483648").status_code == 404
    assert client.get("/jobs/99999999999999999999999").status_code == 404
    login(client, make_user())
    assert client.post("/me/applications/9223372036854775808/withdraw").status_code == 404


def test_huge_page_numbers_are_clamped_everywhere(client, app_ctx):
    owner = make_recruiter("Pages Co")
    make_job(owner)
    assert client.get(f"/companies/{owner.company.slug}?page=100000000000000000000").status_code == 200
    assert client.get("/jobs?page=100000000000000000000").status_code == 200


@pytest.mark.parametrize("path", ["/companies/%00", "/alerts/unsubscribe/%00", "/jobs?q=%00", "/invitations/a%00b"])
def test_nul_bytes_in_paths_and_queries_are_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL byte" in response.text


def test_nul_bytes_in_form_fields_are_a_clear_400(client, app_ctx):
    response = client.post(
        "/signup", data={"name": "Nul\x00Name", "email": "nul@example.com", "password": "long enough pw"}
    )
    assert response.status_code == 400
    assert "NUL byte" in response.text
    owner = make_recruiter()
    login(client, owner)
    response = client.post("/recruiter/jobs/new", data={"title": "A\x00B", "description": "x"})
    assert response.status_code == 400


def test_after_a_database_error_the_error_page_still_renders(database_url, tmp_path):
    """The handler rolls back first: the page (which reads the signed-in user) can use the session."""
    from sqlalchemy import text

    from app import create_app

    app = create_app(
        overrides={"INSTANCE_DIR": str(tmp_path), "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"},
        env={"APP_ENV": "test", "SECRET_KEY": "b" * 40, "DATABASE_URL": database_url},
    )
    app.test_client_class = CsrfClient

    @app.get("/boom")
    def boom():
        db.session.execute(text("SELECT * FROM no_such_table"))

    with app.app_context():
        make_user("boom@example.com")
    client = app.test_client()
    login(client, "boom@example.com")
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something broke on our side" in response.text
    assert "Log out" in response.text  # the layout could still load the user after the rollback
    with app.app_context():
        db.engine.dispose()


# --- 9. Smaller holes -------------------------------------------------------------------------------


def test_seed_demo_refuses_production_without_force(production):
    result = production.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "APP_ENV is production" in result.output


def test_seed_demo_in_production_never_uses_the_published_password(production, app_ctx):
    from app.seed import DEMO_LOGINS, DEMO_PASSWORD

    result = production.test_cli_runner().invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    assert password
    assert password != DEMO_PASSWORD
    admin = db.session.scalar(db.select(User).where(User.email == DEMO_LOGINS["admin"]))
    assert not admin.check_password(DEMO_PASSWORD)
    assert admin.check_password(password)


def test_only_the_owner_edits_the_company(client, app_ctx):
    from app.models import Membership

    owner = make_recruiter("Owned Co")
    colleague = make_user("colleague@example.com")
    db.session.add(Membership(company_id=owner.company.id, user_id=colleague.id, role="recruiter"))
    db.session.commit()
    login(client, colleague)
    assert "Only the company's owner can change" in client.get("/recruiter/company").text
    response = client.post("/recruiter/company", data={"company_name": "Hijacked", "website": "", "about": ""})
    assert response.status_code == 403
    db.session.expire_all()
    assert owner.company.name == "Owned Co"
    login(client, owner)
    assert client.post("/recruiter/company", data={"company_name": "Renamed Co"}).status_code == 302


def test_an_unconfigured_webhook_endpoint_names_no_setting(client):
    response = client.post(
        "/webhooks/sendgrid",
        data=b"[]",
        csrf=False,
        headers={
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": "x",
            "X-Twilio-Email-Event-Webhook-Timestamp": "1",
        },
    )
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "not configured" in message
    assert "SENDGRID" not in message
    assert "_KEY" not in message


def test_reset_and_verify_tokens_leave_the_url_after_the_first_request(client, app_ctx):
    make_user("tokens@example.com")
    client.post("/password/forgot", data={"email": "tokens@example.com"})
    link = emailed_link("tokens@example.com", "password_reset")
    first = client.get(link)
    assert first.status_code == 303
    assert first.headers["Location"] == "/password/reset"
    form = client.get("/password/reset")
    assert form.status_code == 200
    assert link.rsplit("/", 1)[1] not in form.text


def test_recruiters_see_only_their_company_applications_after_these_changes(client, app_ctx):
    """A sanity check that the new unit-of-work paths kept authorization by id."""
    owner, other = make_recruiter(), make_recruiter()
    application = make_application(make_job(other), make_user())
    login(client, owner)
    assert client.get(f"/recruiter/applications/{application.id}").status_code == 404
