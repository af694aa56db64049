from io import BytesIO

import pytest
from factories import confirm_email, docx_bytes, login, make_application, make_job, make_recruiter, make_user, pdf_bytes
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Application, ApplicationEvent, Document


def _apply(client, job, data: bytes, filename: str = "cv.pdf", cover: str = "Hi there", **kwargs):
    return client.post(
        f"/jobs/{job.id}/apply",
        data={"resume": (BytesIO(data), filename), "cover_letter": cover},
        content_type="multipart/form-data",
        **kwargs,
    )


@pytest.fixture
def job(app_ctx):
    return make_job(make_recruiter("Acme"), title="Platform Engineer")


@pytest.fixture
def candidate(app_ctx):
    return make_user("cand@example.com", name="Cara Candidate")


def test_anonymous_apply_goes_to_login_and_back_to_the_form(client, job):
    response = client.get(f"/jobs/{job.id}/apply")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    login_page = client.get(response.headers["Location"])
    assert f'value="/jobs/{job.id}/apply"' in login_page.text  # carried in the form
    assert f"next=/jobs/{job.id}/apply" in login_page.text.replace("%2F", "/")  # and to sign-up
    signup = client.post(
        "/signup",
        data={
            "name": "New Person",
            "email": "new@example.com",
            "password": "long enough pw",
            "next": f"/jobs/{job.id}/apply",
        },
    )
    assert signup.headers["Location"] == "/signup/check-your-inbox"
    # The confirmation link carries the way back: confirming logs in and lands on the form.
    confirmed = confirm_email(client, "new@example.com")
    assert confirmed.headers["Location"] == f"/jobs/{job.id}/apply"
    assert "Send application" in client.get(confirmed.headers["Location"]).text


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (pdf_bytes(), "My CV.pdf", "application/pdf"),
        (docx_bytes(), "resume.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (pdf_bytes(), "no-extension", "application/pdf"),  # the bytes decide, not the name
    ],
)
def test_candidate_applies_with_a_resume(client, job, candidate, data, filename, content_type):
    login(client, candidate)
    response = _apply(client, job, data, filename)
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/applications"
    application = db.session.scalar(db.select(Application))
    assert application.status == "applied"
    assert application.cover_letter == "Hi there"
    assert application.resume.content_type == content_type
    assert application.resume.data == data
    assert application.resume.size == len(data)
    assert [e.to_status for e in application.events] == ["applied"]
    page = client.get("/me/applications").text
    assert "Platform Engineer" in page
    assert "Stage: <strong>Applied</strong>" in page


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"%PDF-1.4 this is not really a pdf", "cv.pdf", "This file is not a readable PDF or Word (.docx) document."),
        (b"MZ\x90\x00 an executable", "cv.pdf", "This file is not a readable PDF or Word (.docx) document."),
        (b"plain text resume", "cv.docx", "This file is not a readable PDF or Word (.docx) document."),
        (b"", "empty.pdf", "This file is empty."),
    ],
)
def test_fake_or_empty_files_are_refused_with_a_clear_message(client, job, candidate, data, filename, message):
    login(client, candidate)
    response = _apply(client, job, data, filename)
    assert response.status_code == 422
    assert message in response.text
    assert 'id="resume-error"' in response.text
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 0


def test_missing_resume_is_a_form_error(client, job, candidate):
    login(client, candidate)
    response = client.post(
        f"/jobs/{job.id}/apply", data={"cover_letter": "no file"}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Choose a file to upload." in response.text


def test_resume_over_5_mb_is_refused(client, job, candidate):
    login(client, candidate)
    big = pdf_bytes() + b"%" + b"0" * (5 * 1024 * 1024)
    response = _apply(client, job, big)
    assert response.status_code == 422
    assert "resumes can be at most 5 MB" in response.text


def test_a_huge_upload_gets_a_clear_413_not_a_crash(client, job, candidate):
    login(client, candidate)
    response = _apply(client, job, b"0" * (7 * 1024 * 1024))
    assert response.status_code == 413
    assert "Resumes can be at most 5 MB." in response.text


def test_applying_twice_says_when_you_already_applied(client, job, candidate):
    login(client, candidate)
    _apply(client, job, pdf_bytes())
    application = db.session.scalar(db.select(Application))
    expected = f"You already applied on {application.created_at:%B %-d, %Y}."
    again = _apply(client, job, pdf_bytes())
    assert again.status_code == 409
    assert expected in again.text
    assert expected in client.get(f"/jobs/{job.id}/apply").text
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 1


def test_the_database_refuses_a_second_application_too(job, candidate):
    make_application(job, candidate)
    db.session.add(Application(job_id=job.id, candidate_id=candidate.id, status="applied"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_service_turns_a_racing_duplicate_into_already_applied(app, job, candidate):
    """Two submits racing past the pre-check: the unique constraint decides, the user sees a clear message."""
    from unittest import mock

    from werkzeug.datastructures import FileStorage

    from app.errors import Conflict
    from app.services import applications

    make_application(job, candidate)
    with (
        app.test_request_context(),
        mock.patch.object(
            applications, "existing_application", side_effect=[None, db.session.scalar(db.select(Application))]
        ),
        pytest.raises(Conflict, match="You already applied on"),
    ):
        applications.apply(job, candidate, FileStorage(BytesIO(pdf_bytes()), "cv.pdf"))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ApplicationEvent.id))) == 1


def test_cannot_apply_to_a_closed_job(client, app_ctx, candidate):
    job = make_job(make_recruiter(), status="closed")
    login(client, candidate)
    response = _apply(client, job, pdf_bytes())
    assert response.status_code == 422
    assert "This job is no longer accepting applications." in response.text


def test_apply_to_unknown_job_is_404(client, candidate):
    login(client, candidate)
    assert client.get("/jobs/424242/apply").status_code == 404
