import re
from pathlib import Path

import pytest
from factories import login, make_application, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import Application

ROOT = Path(__file__).resolve().parent.parent

# Every state-changing route; each must refuse a POST that carries no CSRF token.
CSRF_ROUTES = [
    "/login",
    "/signup",
    "/signup/recruiter",
    "/logout",
    "/jobs/{job}/apply",
    "/jobs/{job}/save",
    "/me/applications/{application}/withdraw",
    "/recruiter/company",
    "/recruiter/jobs/new",
    "/recruiter/jobs/{job}/edit",
    "/recruiter/jobs/{job}/pipeline/bulk",
    "/recruiter/jobs/preview",
    "/recruiter/jobs/{job}/publish",
    "/recruiter/jobs/{job}/close",
    "/recruiter/jobs/{job}/reopen",
    "/recruiter/applications/{application}/move",
    "/recruiter/applications/{application}/notes",
    "/recruiter/team/invite",
    "/admin/users/{user}/deactivate",
    "/admin/users/{user}/activate",
    "/admin/jobs/{job}/unpublish",
    "/invitations/some-token",
    "/recruiter/notes/1/delete",
    "/recruiter/team/members/1/remove",
    "/recruiter/team/members/1/make-owner",
    "/recruiter/team/invitations/1/revoke",
    "/account/email",
    "/account/password",
    "/account/sessions/end",
    "/verify/resend",
    "/verify",
    "/signup/check-your-inbox",
    "/password/forgot",
    "/password/reset",
    "/admin/webhooks/1/replay",
    "/admin/queues/default/failed/abc/retry",
    "/alerts",
    "/me/alerts/1/delete",
    "/me/alerts/1/edit",
    "/alerts/resubscribe/some-token",
    "/me/profile",
    "/me/profile/resume",
    "/me/profile/resume/retry",
    "/billing/details",
    "/billing/checkout",
    "/billing/portal",
    "/billing/orders/1/razorpay",
    "/billing/mock-checkout/mock_1_abc/pay",
    "/billing/mock-checkout/mock_1_abc/decline",
    "/billing/jobs/{job}/feature",
    # Trust and control (issue 14 A)
    "/jobs/{job}/report",
    "/account/name",
    "/account/email-preferences",
    "/account/export",
    "/account/delete",
    "/account/restore/some-token",
    "/recruiter/jobs/{job}/ask-for-review",
    "/recruiter/company/ask-for-review",
    "/admin/companies/1/moderate",
    "/admin/moderation/1/approve",
    "/admin/moderation/1/reject",
    "/admin/reports/1/dismiss",
    "/admin/payments/1/refund",
    "/admin/plans/new",
    "/admin/plans/1/edit",
    "/admin/plans/1/archive",
    "/admin/plans/1/restore",
    "/admin/companies/1/credits",
    "/recruiter/integrations/connect",
    "/recruiter/integrations/settings",
    "/recruiter/integrations/test",
    "/recruiter/integrations/sync",
    "/recruiter/integrations/disconnect",
    # REST API v1: token calls are exempt, session calls must carry the header token.
    "/api/tokens",
    "/api/tokens/1/revoke",
    "/api/v1/jobs",
    "/api/v1/jobs/{job}/publish",
    "/api/v1/jobs/{job}/close",
    "/api/v1/jobs/{job}/reopen",
    "/api/v1/jobs/{job}/applications",
    "/api/v1/users",
    "/api/v1/auth/token",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
    "/api/webhooks",
    "/api/webhooks/1/delete",
    "/api/webhooks/1/enable",
    "/api/webhooks/1/test",
    "/api/webhooks/deliveries/1/resend",
    # Notifications beyond email (issue 16)
    "/account/notifications/preferences",
    "/account/notifications/quiet-hours",
    "/account/notifications/phone",
    "/account/notifications/phone/verify",
    "/account/notifications/phone/remove",
    "/account/notifications/slack",
    "/account/notifications/slack/disconnect",
]
# Providers authenticate webhooks with their own signatures, not a session: no CSRF there.
# RFC 8058 one-click unsubscribe is POSTed by mail clients with no session; the token is the secret.
CSRF_EXEMPT = {"webhooks.receive", "candidate.alert_unsubscribe_confirm", "notifications.unsubscribe_confirm"}


def test_every_post_route_is_in_the_csrf_table(app):
    """A new POST route must be added to CSRF_ROUTES (or this test fails)."""
    adapter = app.url_map.bind("localhost")
    covered = {
        (
            adapter.match(path.format(job=1, application=1, user=1), method="POST")[0],
            adapter.match(path.format(job=1, application=1, user=1), method="POST")[1].get("action"),
        )
        for path in CSRF_ROUTES
    }
    expected = set()
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            actions = re.search(r"<any\(([^)]*)\):action>", rule.rule)
            for action in [a.strip() for a in actions.group(1).split(",")] if actions else [None]:
                expected.add((rule.endpoint, action))
    assert expected - covered == {(endpoint, None) for endpoint in CSRF_EXEMPT}


@pytest.mark.parametrize("template", CSRF_ROUTES)
def test_post_without_csrf_token_is_rejected_with_400(client, app_ctx, template):
    owner = make_recruiter()
    job = make_job(owner)
    candidate = make_user()
    application = make_application(job, candidate)
    login(client, owner)
    path = template.format(job=job.id, application=application.id, user=candidate.id)
    response = client.post(path, data={"status": "hired", "title": "x"}, csrf=False)
    assert response.status_code == 400
    assert "security token" in response.text
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "applied"


def test_htmx_post_with_the_header_token_is_accepted(client, app_ctx):
    owner = make_recruiter()
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    token = client.csrf_token()
    response = client.post(
        f"/recruiter/applications/{application.id}/move",
        data={"status": "screening"},
        headers={"HX-Request": "true", "HX-Target": "pipeline", "X-CSRFToken": token},
        csrf=False,
    )
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/jobs", "/login", "/no-such-page", "/static/css/app.css"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "HX-Request" in headers["Vary"]


def test_session_cookie_is_httponly_and_samesite(client, app_ctx):
    make_user("cookie@example.com")
    response = client.post("/login", data={"email": "cookie@example.com", "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_session_cookie_is_secure(database_url, tmp_path):
    from conftest import CsrfClient

    from app import create_app

    app = create_app(
        overrides={"INSTANCE_DIR": str(tmp_path)},
        env={
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 64,
            "DATABASE_URL": database_url,
            "BASE_URL": "https://jobs.example.com",
        },
    )
    app.test_client_class = CsrfClient
    client = app.test_client()
    response = client.get(
        "/login",
        base_url="https://jobs.example.com",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"},
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_htmx_2_0_is_vendored_and_no_cdn_is_used():
    vendored = list((ROOT / "app" / "static" / "vendor").glob("htmx-2.0.*.min.js"))
    assert len(vendored) == 1
    assert 'version:"2.0.' in vendored[0].read_text()
    for template in (ROOT / "app" / "templates").rglob("*.html"):
        text = template.read_text()
        for cdn in ("unpkg.com", "cdn.", "jsdelivr"):
            assert cdn not in text, template


def test_layout_configures_htmx_history_restore_as_full_page(client):
    html = client.get("/").text
    assert '"historyRestoreAsHxRequest": false' in html
    assert "/static/vendor/htmx-2.0.10.min.js" in html


def test_no_inline_scripts_or_handlers_that_the_csp_would_block():
    for template in (ROOT / "app" / "templates").rglob("*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
            assert "application/ld+json" in match.group(1), f"inline script in {template}"
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {template}"
        assert "hx-on" not in text, template
        assert "style=" not in text, template
