"""Sign in with Google, GitHub and LinkedIn, against a local fake provider (tests/fakes_oidc.py):
real discovery, authorize redirects with state + nonce + PKCE, token requests and RS256 id_tokens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from factories import PASSWORD, emailed_link, make_user
from fakes_oidc import FakeSignInProvider, person
from sqlalchemy import select

from app.extensions import db
from app.models import User, UserIdentity


@pytest.fixture
def provider(app):
    with FakeSignInProvider() as fake:
        settings = fake.settings()
        saved = {name: app.config.get(name) for name in settings}
        app.config.update(settings)
        try:
            yield fake
        finally:
            app.config.update(saved)


def sign_in(client, name: str = "google", next_path: str | None = None):
    """Press "Continue with <name>", let the fake provider approve, come back to the callback."""
    start = client.get(f"/login/with/{name}" + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def logged_in_email(client) -> str | None:
    page = client.get("/account")
    if page.status_code != 200:
        return None
    return next((u.email for u in db.session.scalars(select(User)) if u.email in page.get_data(as_text=True)), None)


def test_buttons_appear_only_for_configured_providers(client, app, provider):
    for path in ("/login", "/signup"):
        html = client.get(path).get_data(as_text=True)
        for label in ("Google", "GitHub", "LinkedIn"):
            assert f"Continue with {label}" in html
    app.config["GITHUB_CLIENT_ID"] = app.config["GITHUB_CLIENT_SECRET"] = None
    html = client.get("/login").get_data(as_text=True)
    assert "Continue with Google" in html
    assert "Continue with GitHub" not in html
    assert client.get("/login/with/github").status_code == 404


def test_no_buttons_without_settings(client):
    assert "Continue with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/with/google").status_code == 404


def test_authorize_request_carries_state_nonce_pkce_and_base_url_redirect(client, app, provider):
    response = client.get("/login/with/google", headers={"Host": "evil.example"})
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["redirect_uri"] == [app.config["BASE_URL"] + "/login/with/google/callback"]


@pytest.mark.parametrize("name", ["google", "linkedin", "github"])
def test_new_person_signs_up_with_a_verified_address(client, app_ctx, provider, name):
    provider.person = person(sub="77", email="New.Person@Example.com", name="New Person")
    response = sign_in(client, name, next_path="/saved")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/saved")
    user = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert user is not None
    assert user.verified_at is not None
    assert user.name == "New Person"
    assert not user.has_password
    assert not user.check_password("")
    identity = db.session.scalar(select(UserIdentity).where(UserIdentity.user_id == user.id))
    assert (identity.provider, identity.subject) == (name, "77")
    assert "new.person@example.com" in client.get("/account").get_data(as_text=True)
    if name != "github":  # the token request proved the PKCE verifier (LinkedIn: none is sent)
        assert bool(provider.token_requests[-1].get("code_verifier")) == (name == "google")


def test_existing_account_is_linked_by_verified_email_and_signs_in_again(client, app_ctx, provider):
    user = make_user("pat@example.com")
    provider.person = person(sub="1001", email="pat@example.com")
    assert sign_in(client).status_code == 302
    assert logged_in_email(client) == "pat@example.com"
    client.post("/logout")
    # The provider account later changes its address: the subject still finds the same user.
    provider.person = person(sub="1001", email="pat.new@example.com")
    assert sign_in(client).status_code == 302
    assert logged_in_email(client) == "pat@example.com"
    assert db.session.scalar(select(db.func.count()).select_from(UserIdentity)) == 1
    db.session.refresh(user)
    assert user.check_password(PASSWORD)  # a confirmed account keeps its password


def test_unverified_provider_address_is_refused_and_links_nothing(client, app_ctx, provider):
    make_user("victim@example.com")
    provider.person = person(sub="666", email="victim@example.com", email_verified=False)
    response = sign_in(client)
    assert response.status_code == 422
    assert "has not confirmed that victim@example.com is yours" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(UserIdentity)) == 0
    assert logged_in_email(client) is None


def test_github_unverified_primary_address_is_refused(client, app_ctx, provider):
    provider.person = person(sub="42", email="someone@example.com")
    provider.github_emails = [{"email": "someone@example.com", "primary": True, "verified": False}]
    response = sign_in(client, "github")
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 0


def test_forged_state_is_refused(client, app_ctx, provider):
    start = client.get("/login/with/google")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    code = parse_qs(callback.query)["code"][0]
    response = client.get(f"{callback.path}?code={code}&state=forged-by-someone-else")
    assert response.status_code == 400
    assert "did not work" in response.get_data(as_text=True)
    assert provider.token_requests == []  # the code was never exchanged
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 0


def test_callback_in_another_browser_is_refused(client, app, app_ctx, provider):
    """The state lives in the session of the browser that started: a callback URL sent to someone
    else (login CSRF) finds no state there."""
    start = client.get("/login/with/google")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    other = app.test_client()
    assert other.get(f"{callback.path}?{callback.query}").status_code == 400


def test_id_token_signed_with_another_key_is_refused(client, app_ctx, provider):
    provider.sign_with_other_key = True
    response = sign_in(client)
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 0


def test_id_token_with_wrong_nonce_is_refused(client, app_ctx, provider):
    provider.token_nonce = "replayed-nonce"
    assert sign_in(client).status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 0


def test_unconfirmed_password_account_loses_its_password_when_a_provider_proves_the_address(
    client, app, app_ctx, provider
):
    """Someone registered the address with a password and never confirmed it; the owner then signs
    in with Google. The squatter's password must stop working, and their session end."""
    make_user("owner@example.com", verified=False)
    squatter = app.test_client()
    squatter.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    provider.person = person(sub="5", email="owner@example.com")
    assert sign_in(client).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "owner@example.com"))
    assert user.verified_at is not None
    assert not user.has_password
    assert squatter.get("/account").status_code == 302  # logged out
    failed = squatter.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert failed.status_code == 422


def test_provider_account_without_password_can_set_one_by_reset(client, app_ctx, provider):
    provider.person = person(sub="9", email="nopass@example.com")
    sign_in(client)
    # The account page cannot change a password it does not have; it says how to set one.
    response = client.post("/account/password", data={"current_password": "a guess", "new_password": "a new password"})
    assert response.status_code == 422
    assert "no password yet" in response.get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"email": "nopass@example.com", "password": ""}).status_code == 422
    client.post("/password/forgot", data={"email": "nopass@example.com"})
    client.get(emailed_link("nopass@example.com", "password_reset"))
    assert client.post("/password/reset", data={"password": "my own password"}).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": "nopass@example.com", "password": "my own password"}).status_code == 302


def test_deactivated_account_cannot_sign_in_with_a_provider(client, app_ctx, provider):
    make_user("gone@example.com", active=False)
    provider.person = person(sub="3", email="gone@example.com")
    assert sign_in(client).status_code == 403
    assert logged_in_email(client) is None


def test_provider_down_is_a_clear_502(client, app):
    app.config.update(
        GOOGLE_CLIENT_ID="x",
        GOOGLE_CLIENT_SECRET="y",
        GOOGLE_METADATA_URL="http://127.0.0.1:9/.well-known/openid-configuration",
    )
    try:
        response = client.get("/login/with/google")
        assert response.status_code == 502
        assert "could not reach Google" in response.get_data(as_text=True)
    finally:
        app.config.update(GOOGLE_CLIENT_ID=None, GOOGLE_CLIENT_SECRET=None)


def test_linking_the_same_provider_account_twice_keeps_one_row(app_ctx):
    """Two callbacks for one provider account racing past the lookup: the second insert is a no-op
    (ON CONFLICT DO NOTHING), not an error, and both get the same identity."""
    from app.services import identities

    user = make_user("race@example.com")
    profile = identities.ProviderProfile("google", "sub-1", "race@example.com", True, "Race")
    first = identities._link(user, profile)
    second = identities._link(user, profile)
    db.session.commit()
    assert first.id == second.id
    assert db.session.scalar(select(db.func.count()).select_from(UserIdentity)) == 1
