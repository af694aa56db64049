import pytest
from factories import PASSWORD, confirm_email, emailed_link, login, make_recruiter, make_user

from app.extensions import db
from app.models import EmailMessage, User


def _sign_up(client, email, name="Jane Doe", **extra):
    return client.post("/signup", data={"name": name, "email": email, "password": "long enough pw", **extra})


def test_candidate_signs_up_confirms_the_address_and_is_logged_in(client, app_ctx):
    response = _sign_up(client, "Jane@Example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-your-inbox"
    assert "We sent a link to <strong>jane@example.com</strong>" in client.get("/signup/check-your-inbox").text
    assert "Log out" not in client.get("/jobs").text  # not logged in until the address is confirmed
    user = db.session.scalar(db.select(User))
    assert user.email == "jane@example.com"  # stored lower-cased
    assert user.role == "candidate"
    assert user.verified_at is None
    assert user.password_hash.startswith("scrypt:")  # a modern, memory-hard KDF; never the password
    assert "long enough pw" not in user.password_hash
    confirmed = confirm_email(client, "jane@example.com")
    assert confirmed.status_code == 302
    assert "Log out Jane Doe" in client.get("/jobs").text
    db.session.refresh(user)
    assert user.verified_at is not None


def test_signup_with_a_taken_address_answers_like_a_new_signup_and_tells_the_owner(client, app_ctx):
    make_user("taken@example.com", name="Tess")
    new = _sign_up(client, "fresh@example.com")
    taken = _sign_up(client, "TAKEN@example.com")
    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"] == "/signup/check-your-inbox"
    page = client.get("/signup/check-your-inbox").text
    assert "taken@example.com" in page
    assert "already exists" not in page
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.email == "taken@example.com")) == 1
    notice = db.session.scalar(db.select(EmailMessage).where(EmailMessage.template == "account_exists"))
    assert notice.to_address == "taken@example.com"
    assert "Someone just tried to create a new" in notice.text_body
    assert "/login" in notice.text_body
    assert "/password/forgot" in notice.text_body


def test_a_second_confirmation_click_does_not_log_anyone_in(client, app_ctx):
    _sign_up(client, "once@example.com")
    path = emailed_link("once@example.com", "verify_email")
    client.get(path)
    assert client.post("/verify").status_code == 302
    client.post("/logout")
    client.get(path)  # the same link again (a mail scanner, or a forwarded email)
    again = client.post("/verify")
    assert again.status_code == 302
    assert again.headers["Location"].startswith("/login")
    assert "Log out" not in client.get("/jobs").text


def test_opening_the_confirmation_link_changes_nothing_until_the_button_is_pressed(client, app_ctx):
    _sign_up(client, "scanner@example.com")
    path = emailed_link("scanner@example.com", "verify_email")
    first = client.get(path)
    # The token leaves the URL at once: the browser continues at /verify.
    assert first.status_code == 303
    assert first.headers["Location"] == "/verify"
    page = client.get("/verify")
    assert page.status_code == 200
    assert "Confirm scanner@example.com" in page.text
    user = db.session.scalar(db.select(User).where(User.email == "scanner@example.com"))
    assert user.verified_at is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "email": "a@example.com", "password": "long enough pw"}, "name", "Tell us your name."),
        ({"name": "A", "email": "not-an-email", "password": "long enough pw"}, "email", "Enter a valid email address."),
        ({"name": "A", "email": "a@example.com", "password": "short"}, "password", "Use at least 8 characters."),
    ],
)
def test_invalid_signup_re_renders_with_messages(client, data, field, message):
    response = client.post("/signup", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text


def test_login_and_logout(client, app_ctx):
    user = make_user("login@example.com", name="Lou")
    response = client.post("/login", data={"email": "LOGIN@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "Log out Lou" in client.get("/").text
    assert client.post("/logout").status_code == 302
    assert "Log in" in client.get("/").text
    assert "Log out" not in client.get("/").text
    assert user.id


def test_wrong_password_does_not_reveal_whether_the_account_exists(client, app_ctx):
    make_user("real@example.com")
    wrong = client.post("/login", data={"email": "real@example.com", "password": "nope nope"})
    unknown = client.post("/login", data={"email": "ghost@example.com", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "That email and password do not match an account." in wrong.text
    assert "That email and password do not match an account." in unknown.text


def _fail_logins(client, email, times, ip="127.0.0.1"):
    return [
        client.post(
            "/login", data={"email": email, "password": "wrong password"}, environ_overrides={"REMOTE_ADDR": ip}
        )
        for _ in range(times)
    ]


def _login_from(client, email, ip, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password}, environ_overrides={"REMOTE_ADDR": ip})


def test_login_is_throttled_after_repeated_failures_and_says_so(client, app_ctx):
    make_user("victim@example.com")
    responses = _fail_logins(client, "victim@example.com", 5)
    assert all(r.status_code == 422 for r in responses)
    locked = client.post("/login", data={"email": "victim@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed login attempts. Try again in about 15 minutes." in locked.text
    assert 800 < int(locked.headers["Retry-After"]) <= 901
    # Another account from elsewhere is unaffected.
    make_user("other@example.com")
    assert client.post("/login", data={"email": "other@example.com", "password": PASSWORD}).status_code == 302


def test_failures_from_one_address_never_lock_the_owner_out_from_another(client, app_ctx):
    make_user("target@example.com")
    _fail_logins(client, "target@example.com", 20, ip="203.0.113.9")  # an attacker, well past every limit
    assert _login_from(client, "target@example.com", "198.51.100.7").status_code == 302


def test_guessing_from_many_addresses_slows_the_account_down_without_locking_it(client, app, app_ctx):
    from app.services import throttle

    make_user("popular@example.com")
    after = app.config["LOGIN_SLOWDOWN_AFTER"]
    for n in range(after):
        assert _fail_logins(client, "popular@example.com", 1, ip=f"203.0.113.{n + 1}")[0].status_code == 422
    # The next attempt, from yet another address, waits a little: the account is slowed down.
    waiting = _login_from(client, "popular@example.com", "198.51.100.8")
    assert waiting.status_code == 429
    assert "it is slowed down" in waiting.text
    assert 1 <= int(waiting.headers["Retry-After"]) <= 2
    # Once the short cool-down is over (cleared here rather than slept through), the owner gets in.
    throttle._storage().clear("login-cooldown:popular@example.com")
    assert _login_from(client, "popular@example.com", "198.51.100.8").status_code == 302


def test_the_cool_down_grows_with_each_failure_and_is_capped(app, app_ctx):
    from app.services import throttle

    after, cap = app.config["LOGIN_SLOWDOWN_AFTER"], app.config["LOGIN_MAX_DELAY_SECONDS"]
    waits = []
    for n in range(after + 8):
        throttle._storage().clear("login-cooldown:grow@example.com")
        throttle.record_failure("grow@example.com", f"203.0.113.{n + 1}")
        waits.append(throttle.seconds_locked("grow@example.com", "198.51.100.1")[0])
    assert waits[: after - 1] == [0] * (after - 1)
    assert waits[after - 1 : after + 3] == [2, 4, 8, 16]
    assert max(waits) == cap


def test_login_checks_a_password_hash_even_for_unknown_addresses(client, app_ctx, monkeypatch):
    """Same work for an unknown address as for a wrong password, so timing reveals nothing."""
    from app.services import accounts

    calls = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda *a: calls.append(a) or real(*a))
    client.post("/login", data={"email": "nobody@example.com", "password": "whatever pw"})
    assert len(calls) == 1
    assert calls[0][1] == "whatever pw"


def test_successful_login_resets_the_failure_count(client, app_ctx):
    make_user("forgetful@example.com")
    _fail_logins(client, "forgetful@example.com", 4)
    login(client, "forgetful@example.com")
    client.post("/logout")
    assert all(r.status_code == 422 for r in _fail_logins(client, "forgetful@example.com", 4))


@pytest.mark.redis
def test_throttle_counts_in_redis_when_configured(app, client, app_ctx):
    """With REDIS_URL the counters live in Redis, shared by every web process."""
    import redis
    from conftest import REDIS_URL as url

    from app.services import throttle

    previous = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = url
    try:
        throttle.reset_all()
        make_user("shared@example.com")
        _fail_logins(client, "shared@example.com", 5)
        keys = redis.Redis.from_url(url).keys("*login-fail*")
        assert keys, "the failures must be stored in Redis"
        assert client.post("/login", data={"email": "shared@example.com", "password": PASSWORD}).status_code == 429
    finally:
        throttle.reset_all()
        app.config["RATELIMIT_STORAGE_URI"] = previous


def test_deactivated_user_cannot_log_in_and_their_session_ends(client, app_ctx):
    user = make_user("bye@example.com")
    login(client, user)
    user.active = False
    db.session.commit()
    assert client.get("/me/applications").status_code == 302  # the existing session no longer counts
    response = client.post("/login", data={"email": "bye@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "This account has been deactivated" in response.text


def test_login_returns_to_a_local_next_page_only(client, app_ctx):
    make_user("next@example.com")
    ok = client.post("/login", data={"email": "next@example.com", "password": PASSWORD, "next": "/me/saved"})
    assert ok.headers["Location"] == "/me/saved"
    client.post("/logout")
    evil = client.post(
        "/login", data={"email": "next@example.com", "password": PASSWORD, "next": "https://evil.example.com/"}
    )
    assert "evil" not in evil.headers["Location"]


def test_recruiter_signup_creates_the_company_with_them_as_owner(client, app_ctx):
    response = client.post(
        "/signup/recruiter",
        data={
            "name": "Rita Recruiter",
            "email": "rita@acme.example.com",
            "password": "long enough pw",
            "company_name": "Acme Rockets",
            "website": "https://acme.example.com",
            "about": "Rockets.",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-your-inbox"
    user = db.session.scalar(db.select(User).where(User.email == "rita@acme.example.com"))
    assert user.company.name == "Acme Rockets"
    assert user.company.slug == "acme-rockets"
    assert user.membership.role == "owner"
    assert confirm_email(client, "rita@acme.example.com").headers["Location"] == "/recruiter/"
    assert "Acme Rockets" in client.get("/recruiter/").text


def test_recruiter_signup_with_a_taken_address_creates_no_company(client, app_ctx):
    make_user("busy@example.com")
    response = client.post(
        "/signup/recruiter",
        data={"name": "B", "email": "busy@example.com", "password": "long enough pw", "company_name": "Ghost Co"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-your-inbox"
    from app.models import Company

    assert db.session.scalar(db.select(Company).where(Company.name == "Ghost Co")) is None


def test_recruiter_signup_rejects_a_bad_website_and_a_fake_logo(client):
    from io import BytesIO

    response = client.post(
        "/signup/recruiter",
        data={
            "name": "R",
            "email": "r@example.com",
            "password": "long enough pw",
            "company_name": "X",
            "website": "not a url",
            "logo": (BytesIO(b"GIF89a not really"), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Enter a full address, like https://example.com." in response.text


def test_recruiter_logo_must_be_an_image(client, app_ctx):
    from io import BytesIO

    response = client.post(
        "/signup/recruiter",
        data={
            "name": "R",
            "email": "r2@example.com",
            "password": "long enough pw",
            "company_name": "Logo Co",
            "logo": (BytesIO(b"%PDF-1.4 not an image"), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The logo must be a PNG or JPEG image." in response.text
    assert db.session.scalar(db.select(User).where(User.email == "r2@example.com")) is None


def test_existing_candidate_can_create_a_company(client, app_ctx):
    user = make_user("switch@example.com")
    login(client, user)
    response = client.post("/signup/recruiter", data={"company_name": "Side Project Ltd"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.company.name == "Side Project Ltd"
    owner = make_recruiter()
    assert owner.company is not None
