import json
from datetime import timedelta

import pytest
from conftest import hx
from factories import login, make_application, make_job, make_recruiter, make_user, pdf_bytes

from app.extensions import db
from app.models import Application, ApplicationNote, Job, utcnow

JOB_FORM = {
    "title": "Staff Engineer",
    "description": "We need **you**.\n\n<script>x()</script>",
    "location": "Remote (EU)",
    "workplace": "remote",
    "employment_type": "full_time",
    "seniority": "senior",
    "salary_min": "90000",
    "salary_max": "120000",
    "salary_currency": "EUR",
    "salary_period": "year",
    "skills": "Python, Go, python",
}


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme")


def test_recruiter_saves_a_draft_then_publishes_it(client, owner):
    login(client, owner)
    response = client.post("/recruiter/jobs/new", data={**JOB_FORM, "action": "draft"})
    assert response.status_code == 302
    job = db.session.scalar(db.select(Job))
    assert job.status == "draft"
    assert job.published_at is None
    assert job.skills == ["Python", "Go"]  # trimmed and de-duplicated
    assert "<strong>you</strong>" in job.description_html
    assert "<script>" not in job.description_html
    assert "Draft" in client.get("/recruiter/").text
    assert "Staff Engineer" not in client.get("/jobs").text
    client.post(f"/recruiter/jobs/{job.id}/publish")
    db.session.refresh(job)
    assert job.status == "published"
    assert job.published_at is not None
    assert job.expires_at - job.published_at == timedelta(days=30)
    assert "Staff Engineer" in client.get("/jobs").text


def test_recruiter_publishes_directly_and_edits(client, owner):
    login(client, owner)
    client.post("/recruiter/jobs/new", data={**JOB_FORM, "action": "publish"})
    job = db.session.scalar(db.select(Job))
    assert job.is_open
    edit_page = client.get(f"/recruiter/jobs/{job.id}/edit").text
    assert 'value="Staff Engineer"' in edit_page
    assert 'value="Python, Go"' in edit_page
    client.post(f"/recruiter/jobs/{job.id}/edit", data={**JOB_FORM, "title": "Principal Engineer", "action": "save"})
    db.session.refresh(job)
    assert job.title == "Principal Engineer"
    assert job.slug == "principal-engineer"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the job a title."),
        ({"description": ""}, "description", "Describe the job."),
        ({"salary_min": "abc"}, "salary_min", "Not a valid integer value."),
        ({"salary_min": "100", "salary_max": "50"}, "salary_max", "The maximum salary must not be below the minimum."),
        ({"workplace": "moon"}, "workplace", "Not a valid choice."),
    ],
)
def test_invalid_job_form_shows_errors_beside_fields(client, owner, changes, field, message):
    login(client, owner)
    response = client.post("/recruiter/jobs/new", data={**JOB_FORM, **changes})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_close_and_reopen_a_job(client, owner):
    job = make_job(owner, title="Cycle Role")
    login(client, owner)
    client.post(f"/recruiter/jobs/{job.id}/close")
    db.session.refresh(job)
    assert job.status == "closed"
    assert "This job is no longer accepting applications." in client.get(f"/jobs/{job.id}/{job.slug}").text
    client.post(f"/recruiter/jobs/{job.id}/reopen")
    db.session.refresh(job)
    assert job.is_open
    assert job.expires_at > utcnow() + timedelta(days=29)


def test_an_expired_job_can_be_reopened(client, owner):
    job = make_job(owner, status="expired")
    login(client, owner)
    assert "Expired" in client.get("/recruiter/").text
    client.post(f"/recruiter/jobs/{job.id}/reopen")
    db.session.refresh(job)
    assert job.is_open


def test_live_markdown_preview_is_sanitised(client, owner):
    login(client, owner)
    response = client.post(
        "/recruiter/jobs/preview",
        data={"description": "# Hi\n**bold** <img src=x onerror=alert(1)>"},
        headers=hx("description-preview"),
    )
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.text
    assert "onerror" not in response.text
    assert "<html" not in response.text


def test_dashboard_counts_views_and_applicants_per_stage(client, owner):
    job = make_job(owner, title="Counted Role")
    for status in ("applied", "applied", "interview", "rejected"):
        make_application(job, make_user(), status=status)
    job.view_count = 17
    db.session.commit()
    login(client, owner)
    html = client.get("/recruiter/").text
    row = html.split("Counted Role", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0].split(">", 1)[1].strip() for c in row.split("<td")[1:]]
    # views, applied, screening, interview, offer, hired, rejected, withdrawn
    assert cells[1:9] == ["17", "2", "0", "1", "0", "0", "1", "0"]


def test_move_an_applicant_in_place_with_htmx(client, owner):
    job = make_job(owner)
    candidate = make_user(name="Ivy Interview")
    application = make_application(job, candidate)
    login(client, owner)
    response = client.post(
        f"/recruiter/applications/{application.id}/move", data={"status": "interview"}, headers=hx("pipeline")
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="pipeline"')
    assert "<html" not in response.text
    interview_column = response.text.split('id="stage-interview"', 1)[1].split("</section>", 1)[0]
    assert "Ivy Interview" in interview_column
    assert json.loads(response.headers["HX-Trigger"])["toast"]["message"] == "Ivy Interview moved to Interview."
    db.session.refresh(application)
    event = application.events[-1]
    assert (event.from_status, event.to_status, event.actor_id) == ("applied", "interview", owner.id)
    assert "Applied → Interview" in client.get(f"/recruiter/applications/{application.id}").text


def test_move_without_javascript_is_a_plain_post_and_redirect(client, owner):
    job = make_job(owner)
    application = make_application(job, make_user())
    login(client, owner)
    response = client.post(
        f"/recruiter/applications/{application.id}/move",
        data={"status": "screening", "next": f"/recruiter/jobs/{job.id}/pipeline"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/recruiter/jobs/{job.id}/pipeline"
    db.session.refresh(application)
    assert application.status == "screening"


def test_move_from_the_application_page_swaps_the_stage_panel(client, owner):
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    response = client.post(
        f"/recruiter/applications/{application.id}/move",
        data={"status": "offer", "note": "Great call"},
        headers=hx("application-stage"),
    )
    assert response.text.lstrip().startswith('<section id="application-stage"')
    assert "Stage: Offer" in response.text
    db.session.refresh(application)
    assert application.events[-1].note == "Great call"


@pytest.mark.parametrize("headers", [{}, hx("pipeline")])
def test_tampered_stage_name_gets_a_clear_422(client, owner, headers):
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    response = client.post(f"/recruiter/applications/{application.id}/move", data={"status": "ceo"}, headers=headers)
    assert response.status_code == 422
    assert "Unknown stage &#39;ceo&#39;." in response.text or "Unknown stage 'ceo'." in response.text
    db.session.refresh(application)
    assert application.status == "applied"
    assert len(application.events) == 1


def test_a_withdrawn_application_cannot_be_moved(client, owner):
    application = make_application(make_job(owner), make_user(), status="withdrawn")
    login(client, owner)
    response = client.post(f"/recruiter/applications/{application.id}/move", data={"status": "offer"})
    assert response.status_code == 422
    assert "The candidate withdrew this application" in response.text


def test_private_notes_are_added_and_never_shown_to_the_candidate(client, owner):
    candidate = make_user()
    application = make_application(make_job(owner), candidate)
    login(client, owner)
    response = client.post(
        f"/recruiter/applications/{application.id}/notes", data={"body": "Strong SQL"}, headers=hx("notes")
    )
    assert response.status_code == 200
    assert "Strong SQL" in response.text
    assert "<html" not in response.text
    empty = client.post(f"/recruiter/applications/{application.id}/notes", data={"body": ""}, headers=hx("notes"))
    assert empty.status_code == 422
    assert "Write something first." in empty.text
    note = db.session.scalar(db.select(ApplicationNote))
    client.post(f"/recruiter/notes/{note.id}/delete")
    assert db.session.scalar(db.select(db.func.count(ApplicationNote.id))) == 0
    client.post(f"/recruiter/applications/{application.id}/notes", data={"body": "Secret opinion"})
    client.post("/logout")
    login(client, candidate)
    assert "Secret opinion" not in client.get("/me/applications").text


def test_recruiter_downloads_the_resume(client, owner):
    from io import BytesIO

    job = make_job(owner)
    candidate = make_user()
    login(client, candidate)
    data = pdf_bytes()
    client.post(
        f"/jobs/{job.id}/apply", data={"resume": (BytesIO(data), "jane.pdf")}, content_type="multipart/form-data"
    )
    client.post("/logout")
    application = db.session.scalar(db.select(Application))
    login(client, owner)
    response = client.get(f"/recruiter/applications/{application.id}/resume")
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="jane.pdf"'


def test_pipeline_can_be_sorted_by_match_score(client, owner):
    job = make_job(owner)
    low = make_application(job, make_user(name="Low Score"))
    high = make_application(job, make_user(name="High Score"))
    low.match_score, high.match_score = 20, 90
    db.session.commit()
    login(client, owner)
    html = client.get(f"/recruiter/jobs/{job.id}/pipeline?sort=score").text
    assert html.index("High Score") < html.index("Low Score")


def test_candidates_cannot_open_recruiter_pages(client, app_ctx):
    login(client, make_user())
    response = client.get("/recruiter/")
    assert response.status_code == 403
    assert "Create a company or accept an invitation first." in response.text


def test_company_profile_can_be_edited_with_a_logo(client, owner):
    from io import BytesIO

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    login(client, owner)
    response = client.post(
        "/recruiter/company",
        data={
            "company_name": "Acme Renamed",
            "website": "https://acme.example.com",
            "about": "New about",
            "logo": (BytesIO(png), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(owner.company)
    assert owner.company.slug == "acme-renamed"
    logo = client.get("/companies/acme-renamed/logo")
    assert logo.status_code == 200
    assert logo.mimetype == "image/png"
    assert logo.data == png
