import json

from conftest import hx
from factories import login, make_application, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import SavedJob


def test_my_applications_shows_stage_and_full_timeline(client, app_ctx):
    owner = make_recruiter("Acme")
    job = make_job(owner, title="QA Engineer")
    candidate = make_user()
    make_application(job, candidate, status="interview")
    login(client, candidate)
    html = client.get("/me/applications").text
    assert "QA Engineer" in html
    assert "Acme" in html
    assert "Stage: <strong>Interview</strong>" in html
    assert "Application sent" in html
    assert "Moved to Interview" in html


def test_candidate_withdraws_and_the_recruiter_sees_it(client, app_ctx):
    owner = make_recruiter()
    job = make_job(owner, title="Support Lead")
    candidate = make_user(name="Wendy Withdraw")
    application = make_application(job, candidate, status="screening")
    login(client, candidate)
    response = client.post(f"/me/applications/{application.id}/withdraw")
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == "withdrawn"
    assert [(e.from_status, e.to_status) for e in application.events][-1] == ("screening", "withdrawn")
    assert "Stage: <strong>Withdrawn</strong>" in client.get("/me/applications").text
    assert "You withdrew" in client.get("/me/applications").text
    client.post("/logout")
    login(client, owner)
    board = client.get(f"/recruiter/jobs/{job.id}/pipeline").text
    withdrawn_column = board.split('id="stage-withdrawn"', 1)[1]
    assert "Wendy Withdraw" in withdrawn_column
    assert "The candidate withdrew this application." in client.get(f"/recruiter/applications/{application.id}").text


def test_withdraw_with_htmx_swaps_the_card_and_toasts(client, app_ctx):
    job = make_job(make_recruiter(), title="Ops")
    candidate = make_user()
    application = make_application(job, candidate)
    login(client, candidate)
    response = client.post(f"/me/applications/{application.id}/withdraw", headers=hx(f"application-{application.id}"))
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="application-{application.id}"')
    assert "<html" not in response.text
    assert "Withdrawn" in response.text
    assert "withdrew" in json.loads(response.headers["HX-Trigger"])["toast"]["message"]


def test_a_closed_application_cannot_be_withdrawn(client, app_ctx):
    job = make_job(make_recruiter())
    candidate = make_user()
    application = make_application(job, candidate, status="hired")
    login(client, candidate)
    client.post(f"/me/applications/{application.id}/withdraw")
    db.session.refresh(application)
    assert application.status == "hired"
    assert "This application is already hired." in client.get("/me/applications").text


def test_save_and_unsave_a_job_in_place_with_htmx(client, app_ctx):
    job = make_job(make_recruiter(), title="Saved Role")
    candidate = make_user()
    login(client, candidate)
    listing = client.get("/jobs").text
    assert f'id="save-{job.id}"' in listing
    # A short visible verb; the title completes the button's name for screen readers.
    assert 'Save<span class="visually-hidden"> “Saved Role”</span>' in listing
    saved = client.post(f"/jobs/{job.id}/save", data={"saved": "1"}, headers=hx(f"save-{job.id}"))
    assert saved.status_code == 200
    assert "<html" not in saved.text
    assert 'aria-pressed="true"' in saved.text
    assert 'Saved<span class="visually-hidden"> — remove “Saved Role”</span>' in saved.text
    assert "Saved Role" in client.get("/me/saved").text
    # Saving twice (a double click) is harmless.
    client.post(f"/jobs/{job.id}/save", data={"saved": "1"}, headers=hx(f"save-{job.id}"))
    assert db.session.scalar(db.select(db.func.count(SavedJob.id))) == 1
    removed = client.post(f"/jobs/{job.id}/save", data={"saved": "0"}, headers=hx(f"saved-{job.id}"))
    assert removed.status_code == 200
    assert removed.text == ""
    assert "No saved jobs yet" in client.get("/me/saved").text


def test_save_without_javascript_redirects_back(client, app_ctx):
    job = make_job(make_recruiter())
    candidate = make_user()
    login(client, candidate)
    response = client.post(f"/jobs/{job.id}/save", data={"saved": "1"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(SavedJob.id))) == 1


def test_saved_jobs_list_marks_closed_jobs(client, app_ctx):
    owner = make_recruiter()
    job = make_job(owner, title="Soon Closed")
    candidate = make_user()
    login(client, candidate)
    client.post(f"/jobs/{job.id}/save", data={"saved": "1"})
    from app.services import jobs

    jobs.close_job(job, owner)
    db.session.commit()
    assert "No longer accepting applications" in client.get("/me/saved").text


def test_candidate_downloads_their_own_resume(client, app_ctx):
    from io import BytesIO

    from factories import pdf_bytes

    job = make_job(make_recruiter())
    candidate = make_user()
    login(client, candidate)
    data = pdf_bytes()
    client.post(f"/jobs/{job.id}/apply", data={"resume": (BytesIO(data), "cv.pdf")}, content_type="multipart/form-data")
    from app.models import Application

    application = db.session.scalar(db.select(Application))
    response = client.get(f"/me/documents/{application.resume_id}")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Disposition"] == 'attachment; filename="cv.pdf"'
