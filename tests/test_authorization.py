"""Authorization on every object reached by id, as one table.

A recruiter of another company gets 404 (never 403: ids are not confirmed to exist), a candidate
gets 404 for someone else's application or resume, and anonymous users are sent to log in.
"""

from io import BytesIO

import pytest
from factories import login, make_job, make_recruiter, make_user, pdf_bytes

from app.extensions import db
from app.models import Application, ApplicationNote, Invitation, Membership
from app.services import companies

# (method, path template); the templates name objects owned by company A and candidate A.
RECRUITER_ROUTES = [
    ("GET", "/recruiter/jobs/{job}/edit"),
    ("POST", "/recruiter/jobs/{job}/edit"),
    ("POST", "/recruiter/jobs/{job}/publish"),
    ("POST", "/recruiter/jobs/{job}/close"),
    ("POST", "/recruiter/jobs/{job}/reopen"),
    ("GET", "/recruiter/jobs/{job}/pipeline"),
    ("GET", "/recruiter/applications/{application}"),
    ("POST", "/recruiter/applications/{application}/move"),
    ("POST", "/recruiter/applications/{application}/notes"),
    ("GET", "/recruiter/applications/{application}/resume"),
    ("POST", "/recruiter/notes/{note}/delete"),
    ("POST", "/recruiter/team/members/{membership}/remove"),
    ("POST", "/recruiter/team/invitations/{invitation}/revoke"),
]
CANDIDATE_ROUTES = [
    ("POST", "/me/applications/{application}/withdraw"),
    ("GET", "/me/documents/{document}"),
]
LOGIN_ONLY_ROUTES = (
    RECRUITER_ROUTES
    + CANDIDATE_ROUTES
    + [
        ("GET", "/me/applications"),
        ("GET", "/me/saved"),
        ("GET", "/recruiter/"),
        ("GET", "/recruiter/team"),
        ("GET", "/recruiter/jobs/new"),
        ("GET", "/jobs/{job}/apply"),
        ("POST", "/jobs/{job}/save"),
    ]
)


@pytest.fixture
def world(app, app_ctx, client):
    """Company A with a job, an application (with resume), a note, a colleague and an invitation."""
    owner_a = make_recruiter("Company A")
    job = make_job(owner_a)
    candidate_a = make_user("candidate-a@example.com")
    login(client, candidate_a)
    client.post(
        f"/jobs/{job.id}/apply", data={"resume": (BytesIO(pdf_bytes()), "a.pdf")}, content_type="multipart/form-data"
    )
    client.post("/logout")
    application = db.session.scalar(db.select(Application))
    note = ApplicationNote(application_id=application.id, author_id=owner_a.id, body="private")
    colleague = make_user("colleague-a@example.com")
    membership = Membership(company_id=owner_a.company.id, user_id=colleague.id, role="recruiter")
    db.session.add_all([note, membership])
    db.session.commit()
    with app.test_request_context():
        companies.invite_member(owner_a, "invitee@example.com")
    db.session.commit()
    ids = {
        "job": job.id,
        "application": application.id,
        "note": note.id,
        "membership": membership.id,
        "invitation": db.session.scalar(db.select(Invitation.id)),
        "document": application.resume_id,
    }
    return {"ids": ids, "owner_a": owner_a, "candidate_a": candidate_a}


def _call(client, method, template, ids):
    path = template.format(**ids)
    return client.open(path, method=method, data={"status": "hired", "body": "x"})


@pytest.mark.parametrize(("method", "template"), RECRUITER_ROUTES)
def test_recruiter_of_other_company_gets_404(client, world, method, template):
    login(client, make_recruiter("Company B"))
    assert _call(client, method, template, world["ids"]).status_code == 404


@pytest.mark.parametrize(("method", "template"), CANDIDATE_ROUTES)
def test_other_candidate_gets_404(client, world, method, template):
    login(client, make_user("candidate-b@example.com"))
    assert _call(client, method, template, world["ids"]).status_code == 404


@pytest.mark.parametrize(("method", "template"), LOGIN_ONLY_ROUTES)
def test_anonymous_users_are_sent_to_log_in(client, world, method, template):
    response = _call(client, method, template, world["ids"])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("method", "template"), LOGIN_ONLY_ROUTES)
def test_anonymous_htmx_requests_get_hx_redirect_to_login(client, world, method, template):
    response = client.open(
        template.format(**world["ids"]),
        method=method,
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/jobs?q=x"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_nothing_was_changed_by_the_attempts(client, world):
    """The owner still sees everything intact after the table above ran against a fresh world."""
    login(client, make_recruiter("Company B"))
    for method, template in RECRUITER_ROUTES:
        _call(client, method, template, world["ids"])
    db.session.expire_all()
    application = db.session.get(Application, world["ids"]["application"])
    assert application.status == "applied"
    assert db.session.get(ApplicationNote, world["ids"]["note"]) is not None
    assert db.session.get(Membership, world["ids"]["membership"]) is not None
    assert application.job.is_open


@pytest.mark.parametrize(("method", "template"), RECRUITER_ROUTES)
def test_the_owning_company_does_reach_each_route(client, world, method, template):
    """The same table, by the owner: proves the 404s above come from authorization, not broken routes."""
    login(client, world["owner_a"])
    assert _call(client, method, template, world["ids"]).status_code in (200, 302)


@pytest.mark.parametrize(("method", "template"), CANDIDATE_ROUTES)
def test_the_owning_candidate_does_reach_each_route(client, world, method, template):
    login(client, world["candidate_a"])
    assert _call(client, method, template, world["ids"]).status_code in (200, 302)
