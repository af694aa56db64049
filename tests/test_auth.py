import pytest

from app.extensions import db
from app.models import User
from factories import PASSWORD, login, make_recruiter, make_user


def test_candidate_signs_up_and_is_logged_in(client, app_ctx):
    response = client.post("/signup", data={"name": "Jane Doe", "email": "Jane@Example.com", "password": "long enough pw"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User))
    assert user.email == "jane@example.com"  # stored lower-cased
    assert user.role == "candidate"
    assert user.password_hash.startswith("scrypt:")  # a modern, memory-hard KDF; never the password
    assert "long enough pw" not in user.password_hash
    assert "Log out Jane Doe" in client.get("/jobs").text


def test_signup_with_taken_email_shows_the_error_beside_the_field(client, app_ctx):
    make_user("taken@example.com")
    response = client.post("/signup", data={"name": "X", "email": "TAKEN@example.com", "password": "long enough pw"})
    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    assert "An account with this email already exists" in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "email": "a@example.com", "password": "long enough pw"}, "name", "Tell us your name."),
    ({"name": "A", "email": "not-an-email", "password": "long enough pw"}, "email", "Enter a valid email address."),
    ({"name": "A", "email": "a@example.com", "password": "short"}, "password", "Use at least 8 characters."),
])
def test_invalid_signup_re_renders_with_messages(client, data, field, message):
    response = client.post("/signup", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text


def test_login_and_logout(client, app_ctx):
    user = make_user("login@example.com", name="Lou")
    response = client.post("/login", data={"email": "LOGIN@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "Log out Lou" in client.get("/").text
    assert client.post("/logout").status_code == 302
    assert "Log in" in client.get("/").text and "Log out" not in client.get("/").text
    assert user.id


def test_wrong_password_does_not_reveal_whether_the_account_exists(client, app_ctx):
    make_user("real@example.com")
    wrong = client.post("/login", data={"email": "real@example.com", "password": "nope nope"})
    unknown = client.post("/login", data={"email": "ghost@example.com", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "That email and password do not match an account." in wrong.text
    assert "That email and password do not match an account." in unknown.text


def _fail_logins(client, email, times):
    return [client.post("/login", data={"email": email, "password": "wrong password"}) for _ in range(times)]


def test_login_is_throttled_after_repeated_failures_and_says_so(client, app_ctx):
    make_user("victim@example.com")
    responses = _fail_logins(client, "victim@example.com", 5)
    assert all(r.status_code == 422 for r in responses)
    locked = client.post("/login", data={"email": "victim@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed login attempts. Try again in about 15 minutes." in locked.text
    # Another account from elsewhere is unaffected.
    make_user("other@example.com")
    assert client.post("/login", data={"email": "other@example.com", "password": PASSWORD}).status_code == 302


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

    from app.services import throttle
    from conftest import REDIS_URL as url
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
    evil = client.post("/login", data={"email": "next@example.com", "password": PASSWORD, "next": "https://evil.example.com/"})
    assert "evil" not in evil.headers["Location"]


def test_recruiter_signup_creates_the_company_with_them_as_owner(client, app_ctx):
    response = client.post("/signup/recruiter", data={
        "name": "Rita Recruiter", "email": "rita@acme.example.com", "password": "long enough pw",
        "company_name": "Acme Rockets", "website": "https://acme.example.com", "about": "Rockets."})
    assert response.status_code == 302 and response.headers["Location"] == "/recruiter/"
    user = db.session.scalar(db.select(User).where(User.email == "rita@acme.example.com"))
    assert user.company.name == "Acme Rockets" and user.company.slug == "acme-rockets"
    assert user.membership.role == "owner"
    assert "Acme Rockets" in client.get("/recruiter/").text


def test_recruiter_signup_rejects_a_bad_website_and_a_fake_logo(client):
    from io import BytesIO
    response = client.post("/signup/recruiter", data={
        "name": "R", "email": "r@example.com", "password": "long enough pw", "company_name": "X",
        "website": "not a url", "logo": (BytesIO(b"GIF89a not really"), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Enter a full address, like https://example.com." in response.text


def test_recruiter_logo_must_be_an_image(client, app_ctx):
    from io import BytesIO
    response = client.post("/signup/recruiter", data={
        "name": "R", "email": "r2@example.com", "password": "long enough pw", "company_name": "Logo Co",
        "logo": (BytesIO(b"%PDF-1.4 not an image"), "logo.png")}, content_type="multipart/form-data")
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
