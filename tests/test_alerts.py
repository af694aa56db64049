"""Job alerts: saved searches mailed as digests of jobs published since the last one."""

from datetime import timedelta

import pytest
from factories import login, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import EmailMessage, JobAlert, utcnow
from app.services import alerts
from app.tasks.alerts import send_alert_digests


def _digests():
    db.session.expire_all()
    return db.session.scalars(
        db.select(EmailMessage).where(EmailMessage.template == "job_alert_digest").order_by(EmailMessage.id)
    ).all()


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Alerting Co")


def _age(alert, **delta):
    alert.created_at = utcnow() - timedelta(**delta)
    if alert.last_sent_at is not None:
        alert.last_sent_at = utcnow() - timedelta(**delta)
    db.session.commit()


def test_candidate_saves_the_current_search_as_an_alert(client, owner):
    candidate = make_user("alerted@example.com")
    login(client, candidate)
    response = client.post("/alerts", data={"q": "python", "workplace": "remote", "page": "3", "frequency": "weekly"})
    assert response.status_code == 302
    alert = db.session.scalar(db.select(JobAlert))
    assert alert.query == {"q": ["python"], "workplace": ["remote"]}  # the page is not part of a search
    assert alert.frequency == "weekly"
    assert alert.name == "“python” · Remote"
    page = client.get("/me/alerts").text
    assert "“python” · Remote" in page
    assert "Weekly" in page


def test_jobs_page_offers_to_save_the_search_shown_as_an_alert(client, owner):
    import re

    anonymous = client.get("/jobs?q=python&workplace=remote&page=1").text
    assert "Log in to save this search as an alert" in anonymous
    assert 'name="frequency"' not in anonymous
    login(client, make_user("saver@example.com"))
    page = client.get("/jobs?q=python&workplace=remote&sort=newest").text
    form = re.search(r'<form[^>]*action="/alerts".*?</form>', page, re.S)
    assert form, "the jobs page has no alert form"
    assert "Save this search as an alert" in form.group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="(q|workplace|sort)" value="([^"]*)"', form.group(0)))
    assert hidden == {"q": "python", "workplace": "remote"}  # the sort order is not part of a search
    # The form is not inside the search form (forms cannot nest; the browser would drop it).
    search_form = re.search(r'<form[^>]*id="job-search".*?</form>', page, re.S).group(0)
    assert 'action="/alerts"' not in search_form
    client.post("/alerts", data={**hidden, "frequency": "daily"})
    assert db.session.scalar(db.select(JobAlert)).query == {"q": ["python"], "workplace": ["remote"]}


def test_recruiters_are_not_offered_job_alerts(client, owner):
    login(client, owner)
    assert "Save this search as an alert" not in client.get("/jobs?q=python").text


def test_digest_lists_only_jobs_published_since_the_last_one_and_nothing_when_none(client, owner):
    candidate = make_user("digest@example.com", name="Dee")
    alert, _ = alerts.create_alert(candidate, {"q": ["python"]}, "daily")
    db.session.commit()
    make_job(owner, title="Old Python Job", published_at=utcnow() - timedelta(days=3))
    _age(alert, days=2)
    make_job(owner, title="Python Engineer")
    make_job(owner, title="Java Engineer", description="Java only.", skills="Java")
    assert send_alert_digests() == 1
    [digest] = _digests()
    assert digest.to_address == "digest@example.com"
    assert "Python Engineer" in digest.text_body
    assert "Old Python Job" not in digest.text_body
    assert "Java Engineer" not in digest.text_body
    assert digest.subject == "1 new job for “python”"
    # The next run finds nothing new (and it is not due yet anyway): no email.
    assert send_alert_digests() == 0
    # A day later it is due, but nothing was published since the digest went out: still no email.
    from app.models import Job

    db.session.refresh(alert)
    alert.last_sent_at = utcnow() - timedelta(days=1, minutes=1)
    for job in db.session.scalars(db.select(Job)):
        job.published_at = alert.last_sent_at - timedelta(minutes=1)
    db.session.commit()
    assert alerts.due_alert_ids() == [alert.id]
    assert send_alert_digests() == 0
    assert len(_digests()) == 1


def test_weekly_alerts_wait_a_week(owner):
    candidate = make_user()
    alert, _ = alerts.create_alert(candidate, {"q": ["engineer"]}, "weekly")
    alert.last_sent_at = utcnow() - timedelta(days=3)
    db.session.commit()
    make_job(owner, title="Fresh Engineer")
    assert alerts.due_alert_ids() == []
    alert.last_sent_at = utcnow() - timedelta(days=7)
    db.session.commit()
    assert alerts.due_alert_ids() == [alert.id]


def test_digest_has_a_one_click_unsubscribe_link_and_header(client, owner):
    candidate = make_user("unsub@example.com")
    alert, _ = alerts.create_alert(candidate, {}, "daily")
    db.session.commit()
    _age(alert, hours=2)
    make_job(owner, title="Anything")
    send_alert_digests()
    [digest] = _digests()
    link = f"/alerts/unsubscribe/{alert.unsubscribe_token}"
    assert digest.headers["List-Unsubscribe"] == f"<http://127.0.0.1:5000{link}>"  # from BASE_URL
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"http://127.0.0.1:5000{link}" in digest.text_body
    assert link in digest.html_body
    # Logged out. Opening the link (as a mail scanner does) changes nothing: it asks first.
    page = client.get(link)
    assert page.status_code == 200
    assert "Unsubscribe from" in page.text
    db.session.refresh(alert)
    assert alert.active is True
    done = client.post(link)
    assert done.status_code == 303
    assert done.headers["Location"] == link
    assert "You are unsubscribed" in client.get(link).text
    db.session.refresh(alert)
    assert alert.active is False
    undo = client.post(f"/alerts/resubscribe/{alert.unsubscribe_token}")
    assert undo.status_code == 303
    assert undo.headers["Location"] == link
    assert "Stop emails for this alert?" in client.get(link).text
    db.session.refresh(alert)
    assert alert.active is True


def test_rfc8058_one_click_post_unsubscribes_without_a_session(client, owner):
    alert, _ = alerts.create_alert(make_user(), {}, "daily")
    db.session.commit()
    response = client.post(
        f"/alerts/unsubscribe/{alert.unsubscribe_token}", data={"List-Unsubscribe": "One-Click"}, csrf=False
    )
    assert response.status_code == 204
    db.session.refresh(alert)
    assert alert.active is False


def test_unknown_unsubscribe_token_is_404(client):
    assert client.get("/alerts/unsubscribe/nope").status_code == 404


def test_a_digest_is_never_sent_twice_for_the_same_jobs(app, owner, monkeypatch):
    """Two runs racing on one alert: the second loses the conditional claim and sends nothing."""
    candidate = make_user()
    alert, _ = alerts.create_alert(candidate, {}, "daily")
    db.session.commit()
    _age(alert, hours=1)
    make_job(owner, title="Once")
    real_new_jobs_for, raced = alerts.new_jobs_for, []

    def racing(alert_row, since):
        jobs = real_new_jobs_for(alert_row, since)
        if not raced:
            raced.append(True)
            with app.app_context():  # another worker, with its own session, gets there first
                assert alerts.send_digest(alert_row.id) == 1
        return jobs

    monkeypatch.setattr(alerts, "new_jobs_for", racing)
    assert alerts.send_digest(alert.id) == 0
    assert raced
    assert len(_digests()) == 1


def test_other_users_alerts_are_404(client, owner):
    alert, _ = alerts.create_alert(make_user(), {}, "daily")
    db.session.commit()
    login(client, make_user())
    assert client.post(f"/me/alerts/{alert.id}/delete").status_code == 404


def test_anonymous_save_alert_goes_to_login(client):
    response = client.post("/alerts", data={"q": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_saving_the_same_search_twice_keeps_one_alert(client, owner):
    candidate = make_user("twice@example.com")
    login(client, candidate)
    client.post("/alerts", data={"q": "Python", "workplace": "remote", "frequency": "daily"})
    second = client.post("/alerts", data={"workplace": "remote", "q": "python ", "frequency": "weekly"})
    assert "You already had an alert for" in client.get(second.headers["Location"]).text
    rows = db.session.scalars(db.select(JobAlert).where(JobAlert.user_id == candidate.id)).all()
    assert len(rows) == 1
    assert rows[0].frequency == "weekly"


def test_two_simultaneous_saves_of_one_search_make_one_alert(app, owner):
    """Both requests find no alert, then both insert: the upsert keeps it to one row, no error."""
    import threading

    candidate = make_user("race@example.com")
    barrier, results = threading.Barrier(2), []
    real_alert_for = alerts._alert_for

    def slow_alert_for(user, key):
        found = real_alert_for(user, key)
        if found is None:
            barrier.wait(timeout=5)  # both have looked and found nothing
        return found

    def save_in_own_session():
        with app.app_context():
            try:
                results.append(
                    alerts.create_alert(db.session.get(type(candidate), candidate.id), {"q": ["go"]}, "daily")[1]
                )
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                results.append(error)

    alerts._alert_for = slow_alert_for
    try:
        threads = [threading.Thread(target=save_in_own_session) for _ in range(2)]
        [t.start() for t in threads]
        [t.join(10) for t in threads]
    finally:
        alerts._alert_for = real_alert_for
    assert sorted(map(str, results)) == ["False", "True"], results
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(JobAlert.id)).where(JobAlert.user_id == candidate.id)) == 1
