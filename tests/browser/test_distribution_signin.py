"""In a real browser: signing in with a (fake) OpenID Connect provider, and the jobs widget framed
by another site."""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler

import factories
import pytest
from fakes_oidc import FakeSignInProvider, person
from playwright.sync_api import Page, expect
from servers import LocalHTTPServer

from app.extensions import db
from app.models import User, UserIdentity

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(app, live_server):
    with FakeSignInProvider() as fake:
        settings = fake.settings("google")
        saved = {name: app.config.get(name) for name in settings}
        app.config.update(settings)
        try:
            yield fake
        finally:
            app.config.update(saved)


def test_sign_in_with_a_fake_oidc_provider(page: Page, app, provider, page_errors):
    provider.person = person(sub="browser-1", email="browser.person@example.com", name="Browser Person")
    page.goto("/login")
    page.get_by_role("link", name="Continue with Google").click()
    # The fake provider approves at once and sends the browser back to our callback.
    expect(page).to_have_url(re.compile(r"/jobs$"))
    expect(page.locator(".flashes")).to_contain_text("You are signed in with Google")
    page.goto("/account")
    expect(page.get_by_text("browser.person@example.com").first).to_be_visible()
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "browser.person@example.com"))
        assert user is not None
        assert not user.has_password
        assert db.session.scalar(db.select(UserIdentity.provider).where(UserIdentity.user_id == user.id)) == "google"
        db.session.remove()
    assert page_errors == [], "the browser reported errors:\n" + "\n".join(page_errors)


class _HostSite(LocalHTTPServer):
    """Another site (another origin) whose careers page frames the widget."""

    def __init__(self, widget_url: str):
        body = f'<!doctype html><title>Careers</title><iframe src="{widget_url}" title="Our jobs"></iframe>'.encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._serve(Handler)


def test_another_site_can_frame_the_jobs_widget(page: Page, app, live_server, page_errors):
    with app.app_context():
        owner = factories.make_recruiter("Framed Co")
        factories.make_job(owner, title="Widget Engineer")
        slug = owner.company.slug
        db.session.remove()
    with _HostSite(live_server(f"/companies/{slug}/widget")) as site:
        page.goto(site.url)
        frame = page.frame_locator("iframe[title='Our jobs']")
        expect(frame.get_by_role("link", name="Widget Engineer")).to_be_visible()
    assert page_errors == [], "the browser reported errors:\n" + "\n".join(page_errors)
