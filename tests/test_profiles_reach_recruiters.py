"""Issue 13, defects 1, 2, 3 and 9: the candidate's profile and resume reach the recruiter, applying
offers the profile resume, an upload over the limit keeps the form, recruiters cannot apply or save."""

from __future__ import annotations

from io import BytesIO

import pytest
from conftest import hx
from factories import docx_bytes, login, make_job, make_recruiter, make_user, pdf_bytes

from app.extensions import db
from app.models import Application, CandidateProfile, Document, SavedJob
from app.services import profiles

PROFILE = {
    "headline": "Staff Data Engineer",
    "summary": "Builds pipelines people trust.",
    "location": "Kraków, Poland",
    "phone": "",
    "skills": "Python, Apache Kafka, A/B Testing",
    "links": "github.com/lukasz\nhttps://lukasz.example.org/portfolio",
    "experience": [{"title": "Data Engineer", "company": "Allegro", "start": "2020-03", "end": "Present"}],
    "education": [{"institution": "AGH University of Science and Technology", "degree": "MSc Computer Science"}],
}


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme")


@pytest.fixture
def job(owner):
    return make_job(owner, title="Platform Engineer")


@pytest.fixture
def candidate(app_ctx):
    return make_user("lukasz@example.com", name="Łukasz Wiśniewski")


def _apply(client, job, data=None, filename="cv.pdf", **fields):
    form = {"cover_letter": "Dear team, I would love to join.", **fields}
    if data is not None:
        form["resume"] = (BytesIO(data), filename)
    return client.post(f"/jobs/{job.id}/apply", data=form, content_type="multipart/form-data")


def _reviewed_profile_with_resume(client, candidate, data=None, filename="profile-cv.pdf"):
    """Upload a resume on the profile page (read inline: no Redis in tests) and save the review."""
    login(client, candidate)
    upload = client.post(
        "/me/profile/resume",
        data={"resume": (BytesIO(data or pdf_bytes()), filename)},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    profiles.save_reviewed_profile(candidate, {**PROFILE, "links": PROFILE["links"]})
    db.session.commit()
    return db.session.scalar(db.select(CandidateProfile).where(CandidateProfile.user_id == candidate.id))


# --- Defect 1: the recruiter sees the reviewed profile and the resume ------------------------------


def test_the_recruiter_sees_the_reviewed_profile_and_the_pdf_inline(client, job, owner, candidate):
    _reviewed_profile_with_resume(client, candidate)
    assert _apply(client, job, pdf_bytes(), "Łukasz CV.pdf").status_code == 302
    client.post("/logout")
    application = db.session.scalar(db.select(Application))

    login(client, owner)
    page = client.get(f"/recruiter/applications/{application.id}").text
    for shown in (
        "Staff Data Engineer",
        "Builds pipelines people trust.",
        "Kraków, Poland",
        "Data Engineer</strong> at Allegro",
        "AGH University of Science and Technology",
        "A/B Testing",
        'href="https://github.com/lukasz"',
        'href="https://lukasz.example.org/portfolio"',
    ):
        assert shown in page
    preview_url = f"/recruiter/applications/{application.id}/resume/preview"
    assert '<iframe class="resume-frame"' in page
    assert f'src="{preview_url}"' in page

    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert preview.mimetype == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("inline;")
    # Framed by our own page only: the page's CSP allows same-origin frames (default-src 'self').
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-src" not in page_csp(client, application)
    assert "default-src 'self'" in page_csp(client, application)


def page_csp(client, application) -> str:
    return client.get(f"/recruiter/applications/{application.id}").headers["Content-Security-Policy"]


def test_a_docx_resume_is_shown_as_its_text(client, job, owner, candidate):
    login(client, candidate)
    docx = docx_bytes("Łukasz Wiśniewski, Kafka pipelines at Allegro")
    assert _apply(client, job, docx, "cv.docx").status_code == 302
    client.post("/logout")
    application = db.session.scalar(db.select(Application))
    login(client, owner)
    page = client.get(f"/recruiter/applications/{application.id}").text
    assert '<div class="resume-text"' in page
    assert "Kafka pipelines at Allegro" in page
    assert "has not completed a profile yet" in page  # an unreviewed parse is not shown as the profile
    assert client.get(f"/recruiter/applications/{application.id}/resume/preview").status_code == 404


def test_the_inline_resume_is_only_for_the_company_of_the_job(client, job, candidate):
    login(client, candidate)
    _apply(client, job, pdf_bytes())
    client.post("/logout")
    application = db.session.scalar(db.select(Application))
    login(client, make_recruiter("Other Co"))
    assert client.get(f"/recruiter/applications/{application.id}/resume/preview").status_code == 404
    client.post("/logout")
    login(client, candidate)
    assert client.get(f"/recruiter/applications/{application.id}/resume/preview").status_code == 403


def test_profile_links_must_be_web_addresses(client, candidate):
    login(client, candidate)
    response = client.post("/me/profile", data={"links": "javascript:alert(1)", "headline": "Engineer"})
    assert response.status_code == 422
    assert "is not a web address" in response.text
    assert "Engineer" in response.text


# --- Defect 2: apply with the profile resume -----------------------------------------------------


def test_apply_offers_the_profile_resume_as_the_default(client, job, candidate):
    profile = _reviewed_profile_with_resume(client, candidate)
    page = client.get(f"/jobs/{job.id}/apply").text
    label = f"Use my profile resume (profile-cv.pdf, uploaded {profile.resume.created_at:%b %-d, %Y})"
    assert label in page
    assert '<input checked id="resume_choice-0" name="resume_choice" type="radio" value="profile">' in page
    # Sent without a file: the profile's resume goes with it, not a new copy.
    response = _apply(client, job, resume_choice="profile")
    assert response.status_code == 302
    application = db.session.scalar(db.select(Application))
    assert application.resume_id == profile.resume_id
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 1


def test_choosing_to_upload_still_needs_a_file(client, job, candidate):
    _reviewed_profile_with_resume(client, candidate)
    response = _apply(client, job, resume_choice="upload")
    assert response.status_code == 422
    assert "Choose a file to upload." in response.text
    assert "Dear team, I would love to join." in response.text


def test_one_click_apply_from_the_job_page_when_the_profile_is_complete(client, job, candidate):
    job_page = f"/jobs/{job.id}/{job.slug}"
    login(client, candidate)
    assert "Apply now with my profile" not in client.get(job_page).text  # no profile yet
    profile = _reviewed_profile_with_resume(client, candidate)
    page = client.get(job_page).text
    assert "Apply now with my profile" in page
    response = client.post(f"/jobs/{job.id}/apply", data={"resume_choice": "profile"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/applications"
    assert db.session.scalar(db.select(Application)).resume_id == profile.resume_id


def test_without_a_profile_resume_the_upload_is_required(client, job, candidate):
    login(client, candidate)
    page = client.get(f"/jobs/{job.id}/apply").text
    assert "Use my profile resume" not in page
    response = _apply(client, job, resume_choice="profile")  # a tampered choice
    assert response.status_code == 422


# --- Defect 3: an upload over the limit keeps the form ---------------------------------------------


def test_an_upload_over_the_server_limit_keeps_the_cover_letter(client, job, candidate):
    login(client, candidate)
    response = _apply(client, job, b"0" * (7 * 1024 * 1024), "huge.pdf")
    assert response.status_code == 413
    assert "Resumes can be at most 5 MB." in response.text
    assert "Dear team, I would love to join." in response.text  # what was typed is still there
    assert 'id="resume-error"' in response.text  # beside the field
    assert 'data-max-bytes="5242880"' in response.text  # the browser checks before sending next time
    assert "Send application" in response.text


def test_an_upload_over_the_limit_by_htmx_keeps_the_form_too(client, job, candidate):
    login(client, candidate)
    response = client.post(
        f"/jobs/{job.id}/apply",
        data={"resume": (BytesIO(b"0" * (7 * 1024 * 1024)), "huge.pdf"), "cover_letter": "Kept by htmx too"},
        content_type="multipart/form-data",
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.status_code == 413
    assert "Kept by htmx too" in response.text
    assert "Resumes can be at most 5 MB." in response.text


def test_an_oversized_profile_upload_keeps_the_upload_panel(client, candidate):
    login(client, candidate)
    big = {"resume": (BytesIO(b"0" * (7 * 1024 * 1024)), "huge.pdf")}
    response = client.post(
        "/me/profile/resume", data=big, content_type="multipart/form-data", headers=hx("resume-panel")
    )
    assert response.status_code == 413
    assert 'id="resume-panel"' in response.text
    assert "Resumes can be at most 5 MB." in response.text
    big = {"resume": (BytesIO(b"0" * (7 * 1024 * 1024)), "huge.pdf")}
    page = client.post("/me/profile/resume", data=big, content_type="multipart/form-data")
    assert page.status_code == 413
    assert "Upload and read my resume" in page.text
    assert "Save my profile" in page.text


# --- Defect 9: recruiters neither apply nor save ---------------------------------------------------


def test_recruiters_see_no_apply_or_save_and_are_refused_on_the_server(client, job):
    other = make_recruiter("Other Co")
    login(client, other)
    page = client.get(f"/jobs/{job.id}/{job.slug}").text
    assert "Apply for this job" not in page
    assert "Save “Platform Engineer”" not in page
    assert "Save “Platform Engineer”" not in client.get("/jobs").text

    form = client.get(f"/jobs/{job.id}/apply")
    assert form.status_code == 403
    assert "Recruiter accounts cannot apply to jobs" in form.text
    applied = _apply(client, job, pdf_bytes())
    assert applied.status_code == 403
    assert "Recruiter accounts cannot apply to jobs" in applied.text
    saved = client.post(f"/jobs/{job.id}/save", data={"saved": "1"})
    assert saved.status_code == 403
    assert "Recruiter accounts cannot save jobs" in saved.text
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0
    assert db.session.scalar(db.select(db.func.count(SavedJob.id))) == 0
