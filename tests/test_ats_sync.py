"""Two-way ATS sync, as the company owner and the candidates live it: connect (tested before it is
saved, stored encrypted), sync jobs in (created, updated, closed; a second sync changes nothing),
applications out after they commit (with the resume; a resend creates no duplicate), stages back
by signed webhook and by reading on each sync, and one company's failure never stopping another's.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from conftest import app_config, hx
from cryptography.fernet import Fernet, MultiFernet
from factories import login, make_application, make_job, make_recruiter, make_user, pdf_bytes
from fakes_ats import (
    BAMBOOHR_CREDENTIALS,
    GREENHOUSE_CREDENTIALS,
    LEVER_CREDENTIALS,
    FakeBambooHR,
    FakeGreenhouse,
    FakeLever,
    FakeWorkday,
    ats_clock,  # noqa: F401 (fixture)
    ats_env,  # noqa: F401 (fixture)
    serving,
    workday_credentials,
)
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import (
    Application,
    ApplicationEvent,
    AtsApplicationLink,
    AtsConnection,
    AtsSyncRun,
    Company,
    Job,
    Membership,
    WebhookEvent,
    utcnow,
)
from app.services import ats, ats_sync, credentials, moderation, moderation_admin
from app.tasks.ats import ats_tick, send_application, sync_connection


def connect(owner, provider: str, values: dict, options: dict | None = None) -> AtsConnection:
    connection, _ = ats.connect(owner, provider, values, options)
    db.session.commit()
    return connection


def sync(connection: AtsConnection) -> AtsSyncRun:
    """Queue a sync and let it run (without Redis, right after the commit, as `make run` does)."""
    run = ats.request_sync(connection, "manual")
    run_id = run.id
    db.session.commit()
    db.session.expire_all()
    return db.session.get(AtsSyncRun, run_id)


def counts(run: AtsSyncRun) -> dict:
    return {
        "seen": run.jobs_seen,
        "created": run.jobs_created,
        "updated": run.jobs_updated,
        "closed": run.jobs_closed,
    }


def company_jobs(company) -> dict[str, Job]:
    db.session.expire_all()
    return {j.external_id: j for j in db.session.scalars(select(Job).where(Job.company_id == company.id))}


def apply_with_resume(client, job, email: str, data: bytes):
    candidate = make_user(email, name="Jane Q. Doe")
    login(client, candidate)
    response = client.post(
        f"/jobs/{job.id}/apply",
        data={"resume": (io.BytesIO(data), "Jane Doe CV.pdf"), "cover_letter": "Hello"},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302), response.text[:400]
    return db.session.scalar(select(Application).where(Application.candidate_id == candidate.id))


# --- Connecting -----------------------------------------------------------------------------------


def test_the_owner_connects_greenhouse_only_once_the_connection_test_passes(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    login(client, owner)
    with serving(app, ats_clock, FakeGreenhouse(jobs=3)):
        page = client.get("/recruiter/integrations/?provider=greenhouse")
        assert "Harvest v3 client secret" in page.text
        wrong = client.post(
            "/recruiter/integrations/connect",
            data={"provider": "greenhouse", **GREENHOUSE_CREDENTIALS, "client_secret": "wrong"},
        )
        assert wrong.status_code == 422
        assert "The connection test failed, so nothing was saved" in wrong.text
        assert db.session.scalar(select(func.count(AtsConnection.id))) == 0
        right = client.post(
            "/recruiter/integrations/connect", data={"provider": "greenhouse", **GREENHOUSE_CREDENTIALS}
        )
        assert right.status_code == 302
    connection = db.session.scalar(select(AtsConnection))
    assert (connection.provider, connection.status, connection.company_id) == (
        "greenhouse",
        "connected",
        owner.company.id,
    )
    assert (connection.sync_jobs, connection.sync_applications, connection.sync_candidates) == (True, True, False)
    assert connection.interval_minutes == 60


def test_credentials_are_encrypted_at_rest_never_shown_again_and_never_logged(
    app, client, app_ctx, ats_env, ats_clock, caplog
):
    owner = make_recruiter("Acme")
    login(client, owner)
    with caplog.at_level(logging.DEBUG), serving(app, ats_clock, FakeGreenhouse(jobs=3)):
        client.post("/recruiter/integrations/connect", data={"provider": "greenhouse", **GREENHOUSE_CREDENTIALS})
        page = client.get("/recruiter/integrations/").text
    raw = db.session.execute(text("SELECT credentials FROM ats_connections")).scalar()
    for secret in (FakeGreenhouse.CLIENT_SECRET, FakeGreenhouse.WEBHOOK_SECRET):
        assert secret not in raw
        assert secret not in page
        assert secret not in caplog.text
    assert Fernet(ats_env).decrypt(raw.encode())  # a real Fernet token under the configured key
    assert credentials.decrypt(raw)["client_secret"] == FakeGreenhouse.CLIENT_SECRET
    assert 'type="password"' in page  # the secrets' fields come back empty


def test_rotating_the_key_re_encrypts_every_connection_with_the_new_key(app, runner, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeGreenhouse(jobs=2), FakeLever(postings=2)):
        first = connect(make_recruiter("A"), "greenhouse", GREENHOUSE_CREDENTIALS)
        second = connect(make_recruiter("B"), "lever", LEVER_CREDENTIALS)
    new_key = Fernet.generate_key().decode()
    with app_config(app, ENCRYPTION_KEYS=[new_key, ats_env]):
        result = runner.invoke(args=["ats", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "2 ATS connection(s)" in result.output
    db.session.expire_all()
    only_new = MultiFernet([Fernet(new_key)])
    for connection in (first, second):
        raw = db.session.execute(text("SELECT credentials FROM ats_connections WHERE id = :id"), {"id": connection.id})
        assert only_new.decrypt(raw.scalar().encode())  # the old key is no longer needed
    with app_config(app, ENCRYPTION_KEYS=[new_key]):
        assert credentials.decrypt(db.session.get(AtsConnection, first.id).credentials)["client_id"] == "gh-client"
    with app_config(app, ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(credentials.CredentialsUnreadable):
            credentials.decrypt(db.session.get(AtsConnection, first.id).credentials)
        assert runner.invoke(args=["ats", "rotate-key"]).exit_code != 0


def test_only_the_owner_manages_the_connection_and_colleagues_see_its_status(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    colleague = make_user("colleague@acme.example", role="recruiter")
    db.session.add(Membership(company_id=owner.company.id, user_id=colleague.id, role="recruiter"))
    db.session.commit()
    with serving(app, ats_clock, FakeGreenhouse(jobs=2)):
        connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
        login(client, colleague)
        page = client.get("/recruiter/integrations/")
        assert page.status_code == 200
        assert "Greenhouse" in page.text
        assert "Sync now" not in page.text
        for path in ("connect", "settings", "test", "sync", "disconnect"):
            response = client.post(f"/recruiter/integrations/{path}", data={"provider": "greenhouse"})
            assert response.status_code in (403, 422), path
    assert db.session.scalar(select(func.count(AtsConnection.id))) == 1
    assert db.session.scalar(select(func.count(AtsSyncRun.id))) == 0


# --- Jobs in --------------------------------------------------------------------------------------


def test_a_full_sync_creates_updates_and_closes_jobs_and_the_next_sync_changes_nothing(
    app, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    fake = FakeGreenhouse(jobs=260)
    with serving(app, ats_clock, fake):
        connection = connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
        first = sync(connection)
        assert (first.status, counts(first)) == ("succeeded", {"seen": 260, "created": 260, "updated": 0, "closed": 0})
        jobs = company_jobs(owner.company)
        assert len(jobs) == 260
        assert all(j.status == "published" and j.external_source == "greenhouse" for j in jobs.values())
        job = jobs["1"]
        assert (job.title, job.location, job.expires_at) == ("Engineer 1", "Berlin, Germany", None)
        assert "**reliable**" in job.description
        assert "<strong>reliable</strong>" in job.description_html
        assert "script" not in job.description_html
        assert "alert" not in job.description_html
        candidate_application = make_application(jobs["3"], make_user())

        fake.posts[1001]["title"] = "Senior Engineer 1"  # renamed
        fake.posts[1004]["content"] = "<p>A new description.</p>"  # rewritten
        fake.jobs[2]["status"] = "closed"  # closed in Greenhouse
        del fake.jobs[3], fake.posts[1003]  # gone from Greenhouse
        fake.add_job(261)  # new
        second = sync(connection)
        assert counts(second) == {"seen": 260, "created": 1, "updated": 2, "closed": 2}
        jobs = company_jobs(owner.company)
        assert jobs["1"].title == "Senior Engineer 1"
        assert jobs["1"].slug == "senior-engineer-1"
        assert jobs["4"].description == "A new description."
        assert (jobs["2"].status, jobs["3"].status, jobs["261"].status) == ("closed", "closed", "published")
        # Closed, not deleted: its applications are still there.
        assert db.session.get(Application, candidate_application.id).job_id == jobs["3"].id
        stamps = {external_id: job.updated_at for external_id, job in jobs.items()}

        third = sync(connection)
    assert (third.status, counts(third)) == ("succeeded", {"seen": 260, "created": 0, "updated": 0, "closed": 0})
    assert {k: j.updated_at for k, j in company_jobs(owner.company).items()} == stamps  # nothing was written
    assert third.requests_made == 6  # token cached: 3 pages of posts + 3 of jobs
    connection = db.session.get(AtsConnection, connection.id)
    assert (connection.status, connection.last_error) == ("synced", None)


def test_a_sync_never_touches_another_companys_jobs(app, app_ctx, ats_env, ats_clock):
    other = make_recruiter("Other Co")
    theirs = make_job(other, title="Their own job")
    theirs.external_source, theirs.external_id = "greenhouse", "1"
    db.session.commit()
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=5)):
        sync(connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS))
    db.session.expire_all()
    assert db.session.get(Job, theirs.id).title == "Their own job"
    assert db.session.get(Job, theirs.id).status == "published"
    assert len(company_jobs(owner.company)) == 5


def test_a_sync_publishes_no_job_of_a_company_a_moderator_took_down_and_tells_the_owner_why(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Shady Co")
    admin = make_user("root@example.com", role="admin")
    fake = FakeGreenhouse(jobs=3)
    with serving(app, ats_clock, fake):
        connection = connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
        sync(connection)
        moderation_admin.take_down_company(admin, owner.company.id, "spam")
        db.session.commit()
        fake.add_job(4)  # new in the ATS while the company is down
        held = sync(connection)
        assert held.status == "succeeded"
        assert {k: j.status for k, j in company_jobs(owner.company).items()} == dict.fromkeys("123", "closed")
        assert (held.jobs_created, held.jobs_updated, held.jobs_held) == (0, 0, 4)
        login(client, owner)
        page = client.get("/recruiter/integrations/").text
        assert "4 jobs held back: Shady Co was taken down by a moderator (Spam)" in page

        case = moderation.open_case_for(db.session.get(Company, owner.company.id))
        moderation_admin.approve(admin, case.id)
        db.session.commit()
        after = sync(connection)
    # Approved: the ATS's open jobs come back, the new one included, and nothing is held any more.
    assert (after.jobs_created, after.jobs_held, after.held_note) == (1, 0, None)
    assert {k: j.status for k, j in company_jobs(owner.company).items()} == dict.fromkeys("1234", "published")


def test_a_sync_never_reopens_a_job_a_moderator_took_down(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    admin = make_user("root@example.com", role="admin")
    fake = FakeGreenhouse(jobs=2)
    with serving(app, ats_clock, fake):
        connection = connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
        sync(connection)
        job = company_jobs(owner.company)["1"]
        moderation_admin.take_down_job(admin, job.id, "misleading")
        db.session.commit()
        fake.jobs[1]["status"] = "closed"  # closed and opened again in the ATS
        sync(connection)
        fake.jobs[1]["status"] = "open"
        fake.posts[1001]["title"] = "Engineer 1 (honest)"
        run = sync(connection)
    job = company_jobs(owner.company)["1"]
    assert (job.status, job.title) == ("closed", "Engineer 1 (honest)")  # edited from the ATS, still down
    assert company_jobs(owner.company)["2"].status == "published"
    assert run.jobs_held == 1
    assert "A moderator took “Engineer 1 (honest)” down (Misleading): the sync does not reopen it" in run.held_note
    login(client, owner)
    assert "1 job held back: A moderator took" in client.get("/recruiter/integrations/").text


def test_a_sync_that_fails_half_way_closes_nothing_and_says_why_in_plain_words(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    fake = FakeGreenhouse(jobs=260)
    with serving(app, ats_clock, fake):
        connection = connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
        sync(connection)
        fake.fail("/v3/jobs", 403, on_call=2)  # permissions withdrawn between pages
        failed = sync(connection)
    assert failed.status == "failed"
    assert "refused the credentials (403)" in failed.error
    assert FakeGreenhouse.CLIENT_SECRET not in failed.error
    assert all(job.status == "published" for job in company_jobs(owner.company).values())
    login(client, owner)
    page = client.get("/recruiter/integrations/").text
    assert "Last error:" in page
    assert "refused the credentials (403)" in page


def test_synced_fields_are_read_only_in_our_editor_with_a_note_saying_where_to_change_them(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=1)):
        sync(connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS))
    job = company_jobs(owner.company)["1"]
    login(client, owner)
    page = client.get(f"/recruiter/jobs/{job.id}/edit").text
    assert "This job comes from Greenhouse" in page
    assert "readonly" in page
    client.post(
        f"/recruiter/jobs/{job.id}/edit",
        data={"title": "Hijacked title", "description": "Other text", "location": "Mars", "workplace": "remote",
              "employment_type": "contract", "seniority": "lead", "salary_min": "90000", "salary_max": "120000",
              "salary_currency": "EUR", "salary_period": "year", "skills": "Go", "action": "save"},
    )  # fmt: skip
    job = company_jobs(owner.company)["1"]
    assert (job.title, job.location, job.salary_max, job.skills) == ("Engineer 1", "Berlin, Germany", 120000, ["Go"])
    client.post(f"/recruiter/jobs/{job.id}/close")
    assert company_jobs(owner.company)["1"].status == "published"
    assert "open or close it there" in client.get("/recruiter/").text


def test_the_job_board_import_needs_only_a_board_token(app, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=12)):
        run = sync(connect(owner, "greenhouse_board", {"board_token": FakeGreenhouse.BOARD}))
    assert counts(run) == {"seen": 12, "created": 12, "updated": 0, "closed": 0}
    assert company_jobs(owner.company)["1"].title == "Engineer 1"


# --- Applications out -----------------------------------------------------------------------------


@pytest.mark.redis
def test_an_application_goes_to_the_ats_after_it_commits_on_the_ats_queue_with_its_resume(
    app, client, app_ctx, ats_env, ats_clock, rq
):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=3)) as fake:
        connection = connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
        rq.work()  # nothing queued yet; the connect made no sync
        sync_run = ats.request_sync(connection)
        db.session.commit()
        rq.work()
        assert db.session.get(AtsSyncRun, sync_run.id).status == "succeeded"
        job = company_jobs(owner.company)["2"]
        resume = pdf_bytes("Jane Q. Doe\nPlatform engineer")
        application = apply_with_resume(client, job, "jane@example.com", resume)
        assert rq.queued()["ats"] == 1
        assert fake.applications == {}
        rq.work()
    db.session.expire_all()
    link = db.session.scalar(select(AtsApplicationLink).where(AtsApplicationLink.application_id == application.id))
    assert link.status == "sent"
    assert link.external_id
    [sent] = fake.applications.values()
    assert sent["job_id"] == 2
    assert str(sent["id"]) == link.external_id
    assert sent["attachments"][0]["data"] == resume  # the very bytes the candidate uploaded
    candidate = fake.candidates[sent["candidate_id"]]["body"]
    assert (candidate["first_name"], candidate["last_name"]) == ("Jane Q.", "Doe")
    assert candidate["email_addresses"][0]["value"] == "jane@example.com"
    assert candidate["tags"] == ["Jobifies"]


def test_a_resend_finds_the_application_in_the_ats_instead_of_creating_a_duplicate(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeLever(postings=3)) as fake:
        connection = connect(owner, "lever", LEVER_CREDENTIALS)
        sync(connection)
        application = apply_with_resume(client, company_jobs(owner.company)["post-2"], "jane@example.com", pdf_bytes())
        assert len(fake.opportunities) == 1  # sent inline right after the apply committed (no Redis)
        # Our record of it is lost (say the answer never arrived): the send runs again.
        link = db.session.scalar(select(AtsApplicationLink).where(AtsApplicationLink.application_id == application.id))
        sent_id = link.external_id
        link.status, link.external_id = "pending", None
        db.session.commit()
        assert send_application(application.id) == "found"
    assert len(fake.opportunities) == 1
    db.session.expire_all()
    assert db.session.get(AtsApplicationLink, link.id).external_id == sent_id


def test_applications_to_non_ats_jobs_and_to_workday_stay_here(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    fake = FakeWorkday(requisitions=2)
    with serving(app, ats_clock, fake):
        sync(connect(owner, "workday", workday_credentials(fake)))
        login(client, owner)
        page = client.get("/recruiter/integrations/").text
    assert "Applications to Workday: not supported." in page
    assert "no self-serve API" in page
    apply_with_resume(client, company_jobs(owner.company)["R-00001"], "a@example.com", pdf_bytes())
    apply_with_resume(client, make_job(owner, title="Posted here"), "b@example.com", pdf_bytes())
    assert db.session.scalar(select(func.count(AtsApplicationLink.id))) == 0


# --- Stages back ----------------------------------------------------------------------------------


def _sent_to_greenhouse(app, client, owner, fake) -> tuple[AtsConnection, Application, str]:
    connection = connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
    sync(connection)
    application = apply_with_resume(client, company_jobs(owner.company)["1"], "jane@example.com", pdf_bytes())
    link = db.session.scalar(select(AtsApplicationLink).where(AtsApplicationLink.application_id == application.id))
    return connection, application, link.external_id


def test_a_stage_webhook_with_a_real_signature_moves_the_application_and_a_forged_one_is_refused(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=2)) as fake:
        connection, application, external_id = _sent_to_greenhouse(app, client, owner, fake)
        fake.move(external_id, "Face to Face")
        url = f"/webhooks/greenhouse/{connection.id}"
        forged, forged_headers = fake.webhook(external_id, secret="guessed-secret", event_id="evil-1")
        refused = client.post(url, data=forged, headers=forged_headers, csrf=False)
        assert refused.status_code == 400
        assert "signature does not match" in refused.get_json()["error"]["message"]
        assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0
        assert db.session.get(Application, application.id).status == "applied"

        body, headers = fake.webhook(external_id)
        accepted = client.post(url, data=body, headers=headers, csrf=False)
        again = client.post(url, data=body, headers=headers, csrf=False)
    assert accepted.status_code == 200
    assert accepted.get_json()["data"] == {"accepted": 1, "duplicates": 0}
    assert again.get_json()["data"] == {"accepted": 0, "duplicates": 1}
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == "interview"
    event = application.events[-1]
    assert (event.actor_id, event.from_status, event.to_status) == (None, "applied", "interview")
    assert event.note.startswith("Moved in Greenhouse")
    assert "Face to Face" in event.note
    [stored] = db.session.scalars(select(WebhookEvent)).all()
    assert (stored.provider, stored.event_id, stored.status) == ("greenhouse", f"{connection.id}:gh-evt-1", "processed")


def test_a_lever_stage_change_comes_back_by_webhook_verified_over_token_and_triggered_at(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeLever(postings=2)) as fake:
        connection = connect(owner, "lever", LEVER_CREDENTIALS)
        sync(connection)
        application = apply_with_resume(client, company_jobs(owner.company)["post-1"], "j@example.com", pdf_bytes())
        [opportunity_id] = fake.opportunities
        fake.move(opportunity_id, "Recruiter screen")
        headers = {"Content-Type": "application/json"}
        url = f"/webhooks/lever/{connection.id}"
        forged = client.post(
            url, data=fake.webhook(opportunity_id, signature_token="nope"), headers=headers, csrf=False
        )
        assert forged.status_code == 400
        assert client.post(url, data=fake.webhook(opportunity_id), headers=headers, csrf=False).status_code == 200
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "screening"


def test_webhooks_reach_only_their_own_connection(app, client, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeGreenhouse(jobs=1), FakeLever(postings=1)) as (greenhouse, lever):
        mine = connect(make_recruiter("Acme"), "greenhouse", GREENHOUSE_CREDENTIALS)
        theirs = connect(make_recruiter("Other"), "lever", LEVER_CREDENTIALS)
        body = b'{"action": "ping", "payload": {}}'
        assert client.post(f"/webhooks/greenhouse/{theirs.id}", data=body, csrf=False,
                           headers={"Content-Type": "application/json"}).status_code == 404  # fmt: skip
        assert client.post(f"/webhooks/greenhouse/{mine.id + 1000}", data=body, csrf=False,
                           headers={"Content-Type": "application/json"}).status_code == 404  # fmt: skip
        assert client.post("/webhooks/greenhouse", data=body, headers={"Content-Type": "application/json"},
                           csrf=False).status_code == 404  # fmt: skip


def test_an_unmapped_stage_moves_nothing_and_is_reported_on_the_page(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=2)) as fake:
        connection, application, external_id = _sent_to_greenhouse(app, client, owner, fake)
        fake.move(external_id, "Mystery Stage")
        body, headers = fake.webhook(external_id)
        client.post(f"/webhooks/greenhouse/{connection.id}", data=body, headers=headers, csrf=False)
        db.session.expire_all()
        assert db.session.get(Application, application.id).status == "applied"
        assert db.session.get(AtsConnection, connection.id).unmapped_stages == ["Mystery Stage"]
        login(client, owner)
        assert "Stages without a mapping" in client.get("/recruiter/integrations/").text
        # Mapping it makes the next read move the application.
        form = ats.format_stage_map(db.session.get(AtsConnection, connection.id).stage_map)
        response = client.post(
            "/recruiter/integrations/settings",
            data={"sync_jobs": "y", "sync_applications": "y", "interval_minutes": "60",
                  "stage_map": form + "\nMystery Stage = Offer"},
        )  # fmt: skip
        assert response.status_code == 302
        run = sync(db.session.get(AtsConnection, connection.id))
    assert (run.stages_read, run.stages_moved) == (1, 1)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "offer"
    assert db.session.get(AtsConnection, connection.id).unmapped_stages == []


def test_a_stage_map_line_that_names_no_stage_of_ours_is_refused_beside_the_field(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=1)):
        connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
    login(client, owner)
    response = client.post(
        "/recruiter/integrations/settings",
        data={"sync_jobs": "y", "interval_minutes": "60", "stage_map": "Phone Screen = Screening\nOnsite = Party"},
    )
    assert response.status_code == 422
    assert "Line 2: “party” is not one of our stages" in response.text


def test_bamboohr_statuses_are_read_back_on_each_sync(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeBambooHR(jobs=3)) as fake:
        connection = connect(owner, "bamboohr", BAMBOOHR_CREDENTIALS)
        sync(connection)
        application = apply_with_resume(client, company_jobs(owner.company)["2"], "jane@example.com", pdf_bytes())
        [sent] = fake.applications.values()
        assert sent["fields"]["source"] == "Jobifies"
        fake.move(sent["id"], "Interviewed")
        run = sync(connection)
    assert (run.stages_read, run.stages_moved) == (1, 1)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == "interview"
    assert "Moved in BambooHR" in application.events[-1].note
    assert "read on sync" in application.events[-1].note


# --- Scheduling and failures ----------------------------------------------------------------------


def test_one_companys_broken_credentials_do_not_stop_anothers_sync(app, app_ctx, ats_env, ats_clock):
    broken, healthy = make_recruiter("Broken Co"), make_recruiter("Healthy Co")
    with serving(app, ats_clock, FakeGreenhouse(jobs=4), FakeLever(postings=7)) as (greenhouse, lever):
        connect(broken, "greenhouse", GREENHOUSE_CREDENTIALS)
        connect(healthy, "lever", LEVER_CREDENTIALS)
        greenhouse.CLIENT_SECRET = "rotated-in-greenhouse"  # the saved secret no longer works
        greenhouse.tokens.clear()
        from app.integrations.ats import clear_token_cache

        clear_token_cache()
        assert ats_tick()["queued"] == 2  # both due (never synced); each runs as its own job
    db.session.expire_all()
    runs = {r.connection.company.name: r for r in db.session.scalars(select(AtsSyncRun))}
    assert runs["Broken Co"].status == "failed"
    assert "refused the client ID and secret" in runs["Broken Co"].error
    assert runs["Healthy Co"].status == "succeeded"
    assert runs["Healthy Co"].jobs_created == 7
    assert len(company_jobs(healthy.company)) == 7
    assert company_jobs(broken.company) == {}
    statuses = {c.company.name: c.status for c in db.session.scalars(select(AtsConnection))}
    assert statuses == {"Broken Co": "error", "Healthy Co": "synced"}


def test_syncs_are_due_every_interval_an_hour_by_default(app, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeLever(postings=1)):
        connection = connect(owner, "lever", LEVER_CREDENTIALS)
        sync(connection)
        assert ats_sync.schedule_due_syncs() == []
        db.session.rollback()
        later = utcnow() + timedelta(minutes=61)
        assert len(ats_sync.schedule_due_syncs(now=later)) == 1
        db.session.rollback()


def test_two_syncs_of_one_connection_never_run_at_once(app, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeLever(postings=150)) as fake:
        connection = connect(owner, "lever", LEVER_CREDENTIALS)
        fake.requests.clear()
        first = AtsSyncRun(connection_id=connection.id, status="queued", queued_at=utcnow())
        second = AtsSyncRun(connection_id=connection.id, status="queued", queued_at=utcnow())
        db.session.add_all([first, second])
        db.session.commit()
        steps = ats_sync.run_sync(first.id)
        assert next(steps) == "claimed"
        db.session.commit()  # the first holds the lease
        assert sync_connection(second.id) == "done"
        db.session.expire_all()
        assert db.session.get(AtsSyncRun, second.id).status == "skipped"
        for _ in steps:
            db.session.commit()
        requests_after_first = len(fake.requests)
    db.session.expire_all()
    assert db.session.get(AtsSyncRun, first.id).status == "succeeded"
    assert requests_after_first == 2  # only the first run called Lever (two pages)
    assert db.session.get(AtsConnection, connection.id).sync_lease_until is None


def test_a_sync_whose_worker_died_is_failed_and_the_next_one_can_start(app, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeLever(postings=1)):
        connection = connect(owner, "lever", LEVER_CREDENTIALS)
        run = AtsSyncRun(connection_id=connection.id, status="queued", queued_at=utcnow())
        db.session.add(run)
        db.session.commit()
        steps = ats_sync.run_sync(run.id)
        next(steps)
        db.session.commit()
        steps.close()  # the worker is killed here
        db.session.rollback()
        lost, dead = ats_sync.recover_stale_runs(now=utcnow() + ats_sync.LEASE + timedelta(seconds=1))
        db.session.commit()
        assert dead == 1
        assert "stopped before it finished" in db.session.get(AtsSyncRun, run.id).error
        assert sync(db.session.get(AtsConnection, connection.id)).status == "succeeded"


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.redis
def test_sync_now_shows_progress_that_polls_until_the_sync_is_done(app, client, app_ctx, ats_env, ats_clock, rq):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=120)):
        connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
        login(client, owner)
        started = client.post("/recruiter/integrations/sync", headers=hx("sync-progress"))
        assert started.status_code == 200
        assert 'hx-trigger="every 1s"' in started.text
        assert "Waiting for a worker" in started.text
        assert 'tabindex="-1" autofocus>Latest sync' in started.text  # focus goes to the panel it swapped in
        run = db.session.scalar(select(AtsSyncRun))
        seen = f"{run.id}-queued-0-0-0-0"
        assert f"seen={seen}" in started.text
        # Nothing changed: 204, so the live region is not re-announced and the panel keeps polling.
        unchanged = client.get(f"/recruiter/integrations/progress?seen={seen}", headers=hx("sync-progress-body"))
        assert unchanged.status_code == 204
        # A second click does not start a second sync.
        client.post("/recruiter/integrations/sync", headers=hx("sync-progress"))
        assert db.session.scalar(select(func.count(AtsSyncRun.id))) == 1
        rq.work()
        done = client.get(f"/recruiter/integrations/progress?seen={seen}", headers=hx("sync-progress-body"))
    assert done.status_code == 200
    assert "every 1s" not in done.text
    assert "Finished" in done.text
    assert "<dd>120</dd>" in done.text
    assert 'id="ats-status" class="panel" aria-labelledby="status-title" hx-swap-oob="true"' in done.text
    assert "Synced" in done.text
    # Without JavaScript the same URL is the whole page.
    assert "<html" in client.get("/recruiter/integrations/progress").text


def test_sync_now_without_javascript_redirects_back_to_the_page(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeLever(postings=3)):
        connect(owner, "lever", LEVER_CREDENTIALS)
        login(client, owner)
        response = client.post("/recruiter/integrations/sync")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/recruiter/integrations/#sync-progress")
        page = client.get("/recruiter/integrations/").text
    assert "Finished" in page
    assert "Sync log" in page


def test_the_page_shows_the_webhook_address_from_base_url(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=1)):
        connection = connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS)
    login(client, owner)
    with app_config(app, BASE_URL="https://jobs.example.com"):
        page = client.get("/recruiter/integrations/").text  # served at http://localhost
    assert f"https://jobs.example.com/webhooks/greenhouse/{connection.id}" in page


def test_disconnect_deletes_the_stored_credentials_and_keeps_the_jobs(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeGreenhouse(jobs=3)):
        sync(connect(owner, "greenhouse", GREENHOUSE_CREDENTIALS))
    login(client, owner)
    response = client.post("/recruiter/integrations/disconnect")
    assert response.status_code == 302
    assert db.session.execute(text("SELECT COUNT(*) FROM ats_connections")).scalar() == 0
    assert db.session.execute(text("SELECT COUNT(*) FROM ats_sync_runs")).scalar() == 0
    jobs = company_jobs(owner.company)
    assert len(jobs) == 3
    assert all(job.status == "published" and job.expires_at is not None for job in jobs.values())
    # The jobs are ours to edit again.
    assert "This job comes from" not in client.get(f"/recruiter/jobs/{jobs['1'].id}/edit").text


def test_admins_see_every_sync_with_its_counts_and_errors(app, client, app_ctx, ats_env, ats_clock):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeLever(postings=4)):
        sync(connect(owner, "lever", LEVER_CREDENTIALS))
    admin = make_user("root@example.com", role="admin")
    login(client, admin)
    page = client.get("/admin/ats").text
    assert "Acme" in page
    assert "4 / 4 / 0 / 0" in page


def test_make_run_needs_no_ats_and_no_key(app, client, app_ctx):
    owner = make_recruiter("Acme")
    login(client, owner)
    with app_config(app, ENCRYPTION_KEYS=[]):
        page = client.get("/recruiter/integrations/").text
    assert "set <code>ENCRYPTION_KEY</code>" in page
    assert db.session.scalar(select(func.count(Company.id))) == 1
    assert ats_tick() == {"queued": 0, "requeued": 0, "failed": 0, "sends": 0}
    assert db.session.scalar(select(func.count(ApplicationEvent.id))) == 0


def test_each_connection_has_its_own_circuit_breaker(app, app_ctx, ats_env, ats_clock):
    """A Greenhouse account that keeps failing pauses calls for that connection only: another
    company on the very same Greenhouse still syncs."""
    down, fine = make_recruiter("Down Co"), make_recruiter("Fine Co")
    fake = FakeGreenhouse(jobs=3)
    with serving(app, ats_clock, fake):
        down_connection = connect(down, "greenhouse", GREENHOUSE_CREDENTIALS)
        fine_connection = connect(fine, "greenhouse", GREENHOUSE_CREDENTIALS)
        for attempt in range(1, 6):
            fake.fail("/v3/job_posts", 503, on_call=attempt)
        failed = sync(down_connection)
        assert failed.status == "failed"
        assert "did not answer properly after 5 attempts" in failed.error
        again = sync(db.session.get(AtsConnection, down_connection.id))
        assert "paused after repeated failures" in again.error  # its breaker is open: no call was made
        assert sync(fine_connection).status == "succeeded"
    assert len(company_jobs(fine.company)) == 3


def test_a_malformed_encryption_key_stops_start_up_without_printing_it():
    from app.config import ConfigError, load_config

    good = Fernet.generate_key().decode()
    with pytest.raises(ConfigError) as refused:
        load_config({"ENCRYPTION_KEY": f"{good},not-a-real-key-abcdef"})
    assert "ENCRYPTION_KEY: key 2 of 2 is not a Fernet key" in str(refused.value)
    assert "not-a-real-key-abcdef" not in str(refused.value)
    assert good not in str(refused.value)
    assert load_config({"ENCRYPTION_KEY": good})["ENCRYPTION_KEYS"] == [good]
    assert load_config({})["ENCRYPTION_KEYS"] == []  # make run: no ATS, no key needed


def test_the_integration_pages_are_accessible(app, client, app_ctx, ats_env, ats_clock):
    from test_accessibility import audit

    owner = make_recruiter("Acme")
    admin = make_user("root@example.com", role="admin")
    login(client, owner)
    paths = ["/recruiter/integrations/"] + [f"/recruiter/integrations/?provider={p.key}" for p in ats.PROVIDERS]
    with serving(app, ats_clock, FakeBambooHR(jobs=2)):
        pages = [client.get(path).text for path in paths]
        sync(connect(owner, "bamboohr", BAMBOOHR_CREDENTIALS))
        pages.append(client.get("/recruiter/integrations/").text)
    login(client, admin)
    pages.append(client.get("/admin/ats").text)
    for html in pages:
        page = audit(html)
        for field_id, name, wrapped in page.fields:
            assert wrapped or (field_id and field_id in page.labels_for), f"field {name!r} has no visible label"
        for button in page.buttons:
            assert button["text"].strip(), "a button has no name"
        assert page.landmarks.count("main") == 1
    assert "Sync settings" in pages[-2]


def test_replacing_credentials_shows_the_saved_public_values_but_never_a_secret(
    app, client, app_ctx, ats_env, ats_clock
):
    owner = make_recruiter("Acme")
    with serving(app, ats_clock, FakeBambooHR(jobs=1)):
        connect(owner, "bamboohr", BAMBOOHR_CREDENTIALS)
        login(client, owner)
        page = client.get("/recruiter/integrations/").text
        assert f'value="{FakeBambooHR.SUBDOMAIN}"' in page
        assert FakeBambooHR.API_KEY not in page
        # A blank secret keeps the saved one; the test runs again before anything is saved.
        response = client.post(
            "/recruiter/integrations/connect", data={"provider": "bamboohr", "subdomain": FakeBambooHR.SUBDOMAIN}
        )
        assert response.status_code == 302
    assert credentials.decrypt(db.session.scalar(select(AtsConnection)).credentials)["api_key"] == "bamboo-key"
