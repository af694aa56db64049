"""Accessible HTML on every page: labelled fields, named buttons, landmarks, a skip link."""

from html.parser import HTMLParser

import pytest
from factories import login, make_application, make_job, make_recruiter, make_user

from app.extensions import db
from app.services import companies


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.labels_for, self.buttons, self.landmarks, self.links = [], set(), [], [], []
        self._label_depth = 0
        self._button = None
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.labels_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.fields.append((attrs.get("id"), attrs.get("name"), self._label_depth > 0))
        if tag == "button":
            self._button = {"text": "", "aria": attrs.get("aria-label")}
        if tag in ("main", "header", "nav", "footer"):
            self.landmarks.append(tag)
        if tag == "a":
            self.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1
        if tag == "button" and self._button is not None:
            self.buttons.append(self._button)
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    return parser


@pytest.fixture
def pages(app, app_ctx, client):
    owner = make_recruiter("Accessible Co")
    job = make_job(owner)
    candidate = make_user()
    application = make_application(job, candidate)
    admin = make_user(role="admin")
    with app.test_request_context():
        _, token = companies.invite_member(owner, "a11y@example.com")
    db.session.commit()
    return {
        None: [
            "/",
            "/jobs",
            f"/jobs/{job.id}/{job.slug}",
            "/login",
            "/signup",
            "/signup/recruiter",
            f"/companies/{owner.company.slug}",
            f"/invitations/{token}",
            "/no-such-page",
            "/password/forgot",
        ],
        candidate: [
            f"/jobs/{job.id}/apply",
            "/me/applications",
            "/me/saved",
            "/jobs",
            "/me/profile",
            "/me/alerts",
            "/account",
        ],
        owner: [
            "/recruiter/",
            "/recruiter/jobs/new",
            f"/recruiter/jobs/{job.id}/edit",
            f"/recruiter/jobs/{job.id}/pipeline",
            f"/recruiter/applications/{application.id}",
            "/recruiter/team",
            "/recruiter/company",
        ],
        admin: [
            "/admin/",
            "/admin/users",
            "/admin/companies",
            "/admin/jobs",
            "/admin/queues",
            "/admin/webhooks",
            "/dev/outbox",
        ],
    }


def test_every_page_is_accessible(client, pages):
    checked = 0
    for user, paths in pages.items():
        if user is not None:
            login(client, user)
        for path in paths:
            html = client.get(path).text
            page = audit(html)
            assert page.html_lang == "en", path
            for field_id, name, wrapped in page.fields:
                assert wrapped or (field_id and field_id in page.labels_for), (
                    f"{path}: field {name!r} has no visible label"
                )
            for button in page.buttons:
                assert button["text"].strip() or button["aria"], f"{path}: a button has no name"
                assert button["text"].strip().lower() not in ("submit", "ok", "go"), f"{path}: vague button"
            assert page.landmarks.count("main") == 1
            assert "header" in page.landmarks
            assert "nav" in page.landmarks
            assert "footer" in page.landmarks, path
            assert page.links[0] == "#main", f"{path}: the skip link must come first"
            checked += 1
        if user is not None:
            client.post("/logout")
    assert checked == 31


def test_errors_are_tied_to_their_fields(client):
    html = client.post("/signup", data={"name": "", "email": "bad", "password": "x"}).text
    for field in ("name", "email", "password"):
        tag = html.split(f'id="{field}"', 1)[0].rsplit("<", 1)[1] + html.split(f'id="{field}"', 1)[1].split(">", 1)[0]
        assert 'aria-invalid="true"' in tag, field
        assert f"{field}-error" in tag, field
        assert f'<p class="field-error" id="{field}-error">' in html
    assert 'role="alert"' in html
