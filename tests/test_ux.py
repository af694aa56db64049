"""Issue 13, UX defects: each test here failed on main before its fix (break-and-watch)."""

import re
import subprocess
from pathlib import Path

import pytest
from conftest import hx
from factories import login, make_application, make_job, make_recruiter, make_user
from search_support import fresh_index  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "app" / "templates"


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme")


# --- Defect 4: make run PORT=… points email links at that port ---------------------------------------


def test_make_run_with_a_port_sets_base_url_to_match():
    out = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=127.0.0.1"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = [line for line in out.splitlines() if " run --host" in line]
    assert serve
    assert "BASE_URL=http://127.0.0.1:8123" in serve[0]
    assert "--port 8123" in serve[0]


def test_readme_separates_make_port_from_gunicorn_port():
    readme = (ROOT / "README.md").read_text()
    assert "make run PORT=" in readme
    assert "gunicorn reads its own `PORT`" in readme


# --- Defect 5: a stage move swaps the timeline and its note too ---------------------------------------


def test_a_stage_move_on_the_application_page_also_swaps_the_timeline(client, owner):
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    response = client.post(
        f"/recruiter/applications/{application.id}/move",
        data={"status": "interview", "note": "Strong portfolio"},
        headers=hx("application-stage"),
    )
    assert response.status_code == 200
    timeline = response.text.split('<section id="timeline"', 1)[1].split("</section>", 1)[0]
    assert 'hx-swap-oob="true"' in timeline
    assert "Applied → Interview" in timeline
    assert "Strong portfolio" in timeline
    # The full page has the same element, so the out-of-band swap finds its target.
    assert '<section id="timeline"' in client.get(f"/recruiter/applications/{application.id}").text


# --- Defect 7: every htmx action shows progress and cannot be sent twice ------------------------------


ACTION_TAG = r"<(form|button|a|div|section|textarea)\b[^>]*?\bhx-(post|get|put|delete|patch)=[^>]*>"


def _htmx_actions():
    """(template, tag) for every element that sends a request when the user acts on it: hx-post/-get
    etc. without an automatic trigger (polls every Ns and the live preview are not user actions)."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(ACTION_TAG, text, re.S):
            tag = match.group(0)
            if "every " in tag or "'hx-trigger'" in text[match.start() - 200 : match.end()]:
                continue
            found.append((path.relative_to(TEMPLATES).as_posix(), tag))
    return found


def test_every_htmx_action_has_an_indicator_and_disables_its_button():
    actions = _htmx_actions()
    assert len(actions) >= 9  # the walk finds them (save, notes, moves, withdraw, upload, retry, sync, search)
    missing = [(name, tag) for name, tag in actions if "hx-indicator=" not in tag or "hx-disabled-elt=" not in tag]
    # The live search is the one exception for hx-disabled-elt: typing must never be blocked.
    missing = [
        (name, tag[:150]) for name, tag in missing if not (name == "public/jobs.html" and "hx-indicator=" in tag)
    ]
    assert missing == []


def test_the_script_disables_plain_forms_on_submit():
    script = (ROOT / "app" / "static" / "js" / "app.js").read_text()
    assert 'document.addEventListener("submit"' in script
    assert "setBusy(form, true)" in script


# --- Recruiter workspace: the pipeline board ------------------------------------------------------


def _emails(to: str, template: str = "stage_changed"):
    from app.extensions import db
    from app.models import EmailMessage

    return db.session.scalars(
        db.select(EmailMessage).where(EmailMessage.to_address == to, EmailMessage.template == template)
    ).all()


def test_pipeline_cards_have_a_one_click_move_to_the_next_stage(client, owner):
    job = make_job(owner)
    application = make_application(job, make_user(name="Nora Next"), status="screening")
    hired = make_application(job, make_user(name="Hana Hired"), status="hired")
    login(client, owner)
    html = client.get(f"/recruiter/jobs/{job.id}/pipeline").text
    card = html.split(f'id="card-{application.id}"', 1)[1].split("</li>", 1)[0]
    advance = card.split('class="advance-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="status" value="interview"' in advance
    assert "Move to Interview" in advance
    assert "<details" in card  # every other stage stays reachable without JavaScript
    assert "advance-form" not in html.split(f'id="card-{hired.id}"', 1)[1].split("</li>", 1)[0]  # the end
    response = client.post(
        f"/recruiter/applications/{application.id}/move", data={"status": "interview"}, headers=hx("pipeline")
    )
    assert f'id="card-{application.id}" data-move-url' not in response.text  # it carries the focus marker
    moved = response.text.split(f'id="card-{application.id}"', 1)[1].split(">", 1)[0]
    assert "data-focus-after-swap" in moved
    # Drag and drop: the vendored Sortable and the script that posts the move, on the page itself.
    assert "vendor/Sortable-1.15.7.min.js" in html
    assert "js/pipeline.js" in html
    assert 'data-stage="interview"' in html


def test_rejecting_with_a_reason_and_no_email(client, owner):
    from app.extensions import db

    candidate = make_user(name="Rex Reject")
    application = make_application(make_job(owner), candidate)
    login(client, owner)
    response = client.post(
        f"/recruiter/applications/{application.id}/move",
        data={"status": "rejected", "reason": "Chose another candidate", "email": "none", "note": "Close call"},
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == "rejected"
    assert application.events[-1].note == "Reason: Chose another candidate. Close call"
    assert _emails(candidate.email) == []
    # The candidate's own view never shows the private reason.
    login(client, candidate)
    assert "Chose another candidate" not in client.get("/me/applications").text


def test_rejecting_with_the_keep_in_touch_email(client, owner):
    candidate = make_user()
    application = make_application(make_job(owner), candidate)
    login(client, owner)
    client.post(f"/recruiter/applications/{application.id}/move", data={"status": "rejected", "email": "keep_in_touch"})
    (email,) = _emails(candidate.email)
    assert "keep your details on file" in email.text_body


@pytest.mark.parametrize("data", [{"reason": "You smell"}, {"email": "insult"}])
def test_a_tampered_reason_or_email_is_a_clear_422(client, owner, data):
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    response = client.post(f"/recruiter/applications/{application.id}/move", data={"status": "rejected", **data})
    assert response.status_code == 422
    assert "from the list" in response.text


def test_bulk_reject_moves_only_the_selected_and_skips_withdrawn(client, owner):
    from app.extensions import db

    job = make_job(owner)
    picked = [make_application(job, make_user()) for _ in range(2)]
    withdrawn = make_application(job, make_user(), status="withdrawn")
    untouched = make_application(job, make_user())
    login(client, owner)
    response = client.post(
        f"/recruiter/jobs/{job.id}/pipeline/bulk",
        data={
            "ids": [str(a.id) for a in [*picked, withdrawn]],
            "status": "rejected",
            "reason": "Other",
            "email": "none",
        },
        headers=hx("pipeline"),
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="pipeline"')
    assert "2 candidates moved to Rejected. 1 skipped" in response.headers["HX-Trigger"]
    for application in [*picked, withdrawn, untouched]:
        db.session.refresh(application)
    assert [a.status for a in picked] == ["rejected", "rejected"]
    assert withdrawn.status == "withdrawn"
    assert untouched.status == "applied"


def test_bulk_move_refuses_another_companys_application_and_moves_nothing(client, owner):
    from app.extensions import db

    job = make_job(owner)
    mine = make_application(job, make_user())
    theirs = make_application(make_job(make_recruiter("Other")), make_user())
    login(client, owner)
    response = client.post(
        f"/recruiter/jobs/{job.id}/pipeline/bulk", data={"ids": [str(mine.id), str(theirs.id)], "status": "offer"}
    )
    assert response.status_code == 404
    db.session.refresh(mine)
    db.session.refresh(theirs)
    assert (mine.status, theirs.status) == ("applied", "applied")


def test_bulk_move_with_nothing_selected_says_so(client, owner):
    job = make_job(owner)
    login(client, owner)
    response = client.post(f"/recruiter/jobs/{job.id}/pipeline/bulk", data={"status": "offer"})
    assert response.status_code == 302
    assert "Select at least one candidate first." in client.get(response.headers["Location"]).text


# --- Defect 10/11: the jobs page on phones; no empty filter groups -----------------------------------


def test_a_search_with_no_results_shows_no_empty_filter_groups(client, owner, fresh_index):
    make_job(owner, title="Python Developer")
    # Filters that match nothing: Employment type and Seniority have no option left to offer.
    html = client.get("/jobs?workplace=remote&location=Nowhere").text
    assert "No open jobs match" in html
    groups = html.split('<fieldset class="facet">')[1:]
    assert "Workplace" in html
    assert all("facet-option" in group.split("</fieldset>", 1)[0] for group in groups)


def test_jobs_filters_fold_into_a_filters_summary_with_the_count(client, owner):
    make_job(owner, title="Python Developer", workplace="remote")
    html = client.get("/jobs?workplace=remote&workplace=hybrid").text
    details = html.split('<details class="filters-toggle"', 1)[1].split("</details>", 1)[0]
    assert '<span id="filter-count"> (2)</span>' in details
    assert 'id="search-filters"' in details
    # htmx updates of the results update the count too.
    fragment = client.get("/jobs?workplace=remote", headers=hx("job-results")).text
    assert '<span id="filter-count" hx-swap-oob="innerHTML"> (1)</span>' in fragment


# --- Recruiter workspace: the dashboard -----------------------------------------------------------


def test_dashboard_marks_applications_new_since_the_last_visit(client, owner):
    from datetime import timedelta

    from app.extensions import db
    from app.models import utcnow

    job = make_job(owner, title="Counted Role")
    make_application(job, make_user()).created_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    login(client, owner)
    first = client.get("/recruiter/").text
    assert "new since your last visit" not in first  # a first visit has no "since"
    # The recruiter comes back an hour later: two applications arrived meanwhile.
    owner.membership.dashboard_seen_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    for _ in range(2):
        make_application(job, make_user())
    html = client.get("/recruiter/").text
    row = html.split("Counted Role", 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge new-badge">2 new</span>' in row
    # A reload or a filter within the same visit keeps the same "new".
    assert "2 new" in client.get("/recruiter/?status=open").text
    assert '<details class="actions-menu">' in row  # one menu instead of four wrapped buttons


def test_dashboard_filters_by_status_and_search(client, owner):
    make_job(owner, title="Data Engineer", location="Berlin, Germany")
    make_job(owner, title="Office Manager", location="Paris, France")
    make_job(owner, status="draft", title="Draft Designer")
    login(client, owner)
    drafts = client.get("/recruiter/?status=draft").text
    assert "Draft Designer" in drafts
    assert "Data Engineer" not in drafts
    found = client.get("/recruiter/?q=berlin").text
    assert "Data Engineer" in found
    assert "Office Manager" not in found
    assert "No jobs match these filters." in client.get("/recruiter/?q=nothing+like+this").text
    assert client.get("/recruiter/?status=<script>").status_code == 200  # unknown: all jobs


# --- Defect 12: alerts can be edited and paused; one alert per search --------------------------------


def test_alerts_can_be_edited_paused_and_resumed(client, app_ctx):
    from app.extensions import db
    from app.models import JobAlert
    from app.services import alerts

    user = make_user()
    login(client, user)
    client.post("/alerts", data={"q": "python", "frequency": "daily"})
    client.post("/alerts", data={"q": "python", "frequency": "weekly"})  # the same search: merged
    (alert,) = db.session.scalars(db.select(JobAlert).where(JobAlert.user_id == user.id)).all()
    response = client.post(f"/me/alerts/{alert.id}/edit", data={"action": "save", "frequency": "daily"})
    assert response.status_code == 302  # Post/Redirect/Get
    db.session.refresh(alert)
    assert alert.frequency == "daily"
    client.post(f"/me/alerts/{alert.id}/edit", data={"action": "pause"})
    db.session.refresh(alert)
    assert alert.paused
    assert alert.id not in alerts.due_alert_ids()  # no emails while paused
    page = client.get("/me/alerts").text
    assert "Paused" in page
    assert "Resume alert" in page
    client.post(f"/me/alerts/{alert.id}/edit", data={"action": "resume"})
    db.session.refresh(alert)
    assert not alert.paused
    assert alert.id in alerts.due_alert_ids()
    bad = client.post(f"/me/alerts/{alert.id}/edit", data={"action": "save", "frequency": "hourly"})
    assert "Choose daily or weekly." in client.get(bad.headers["Location"]).text


def test_someone_elses_alert_cannot_be_edited(client, app_ctx):
    from app.extensions import db
    from app.models import JobAlert

    owner = make_user()
    login(client, owner)
    client.post("/alerts", data={"q": "golang", "frequency": "daily"})
    alert = db.session.scalar(db.select(JobAlert).where(JobAlert.user_id == owner.id))
    login(client, make_user())
    assert client.post(f"/me/alerts/{alert.id}/edit", data={"action": "pause"}).status_code == 404
    db.session.refresh(alert)
    assert not alert.paused
