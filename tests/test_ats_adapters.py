"""Each ATS adapter against its fake: pagination over 250+ jobs, auth, rate limits (a 429 with
Retry-After and a 500 mid-way), applications with the resume bytes, idempotent resends, stage reads
and webhook signatures made the documented way."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
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

from app.integrations import ats as adapters
from app.integrations.ats import (
    AtsAuthError,
    AtsNotSupported,
    AtsUnavailable,
    AtsWebhookRejected,
    CandidateSubmission,
    Resume,
)
from app.services import ats

RESUME = Resume("Jane Doe CV.pdf", "application/pdf", b"%PDF-1.4 fake resume \x00\xff bytes")


def build(provider: str, credentials: dict, options: dict | None = None):
    settings = ats.adapter_settings()
    settings.breaker = f"ats-test-{provider}"
    return adapters.build(provider, credentials, options, settings)


def submission(job_id: str, email: str = "jane@example.com", **extra) -> CandidateSubmission:
    return CandidateSubmission(
        ats_job_id=job_id, first_name="Jane", last_name="Doe", email=email, phone="+49 30 1234", resume=RESUME, **extra
    )


# --- Greenhouse -----------------------------------------------------------------------------------


def test_greenhouse_lists_every_job_across_cursor_pages_with_its_public_post(app, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeGreenhouse(jobs=260)) as fake:
        pages = list(build("greenhouse", GREENHOUSE_CREDENTIALS).list_jobs())
    assert [len(page) for page in pages] == [100, 100, 60]
    jobs = [job for page in pages for job in page]
    assert len({job.external_id for job in jobs}) == 260
    first = jobs[0]
    assert (first.external_id, first.title, first.location, first.is_open) == (
        "1",
        "Engineer 1",
        "Berlin, Germany",
        True,
    )
    assert "<strong>reliable</strong>" in first.description_html
    assert jobs[4].workplace == "remote"  # "Remote, Europe"
    # The cursor travels alone in the Link header's URL, as v3 requires (the fake answers 422 otherwise).
    job_requests = [r for r in fake.requests if r.path == "/v3/jobs"]
    assert [sorted(r.query) for r in job_requests] == [["per_page"], ["cursor"], ["cursor"]]
    assert fake.token_requests == 1


def test_greenhouse_honours_retry_after_and_retries_a_500_mid_way(app, app_ctx, ats_env, ats_clock):
    fake = FakeGreenhouse(jobs=260)
    fake.fail("/v3/jobs", 429, on_call=2, headers={"Retry-After": "7"})
    fake.fail("/v3/jobs", 500, on_call=3)
    with serving(app, ats_clock, fake):
        jobs = [job for page in build("greenhouse", GREENHOUSE_CREDENTIALS).list_jobs() for job in page]
    assert len(jobs) == 260
    assert 7 in ats_clock.sleeps  # the Retry-After, not our own backoff
    assert any(0 < pause < 7 for pause in ats_clock.sleeps)  # the backoff after the 500
    second_page = [r for r in fake.requests if r.path == "/v3/jobs" and "cursor" in r.query]
    assert len(second_page) == 4  # page 2: 429, 500, then answered; page 3 once


def test_greenhouse_waits_out_a_used_up_rate_limit_window_instead_of_earning_a_429(app, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeGreenhouse(jobs=260, window_limit=3)) as fake:
        jobs = [job for page in build("greenhouse", GREENHOUSE_CREDENTIALS).list_jobs() for job in page]
    assert len(jobs) == 260
    assert ats_clock.sleeps
    assert all(0 < pause <= 30 for pause in ats_clock.sleeps)
    assert fake.window
    assert max(fake.window.values()) <= 3


def test_a_retry_after_longer_than_we_wait_ends_the_call_in_plain_words(app, app_ctx, ats_env, ats_clock):
    fake = FakeGreenhouse(jobs=10)
    fake.fail("/v3/jobs", 429, on_call=1, headers={"Retry-After": "3600"})
    with serving(app, ats_clock, fake), pytest.raises(AtsUnavailable, match="asked us to wait 3600 s"):
        list(build("greenhouse", GREENHOUSE_CREDENTIALS).list_jobs())
    assert 3600 not in ats_clock.sleeps


def test_greenhouse_token_is_fetched_once_and_reused_until_it_expires(app, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeGreenhouse(jobs=5)) as fake:
        build("greenhouse", GREENHOUSE_CREDENTIALS).test_connection()
        build("greenhouse", GREENHOUSE_CREDENTIALS).test_connection()
    assert fake.token_requests == 1


def test_greenhouse_refuses_wrong_credentials_in_plain_words_without_repeating_them(app, app_ctx, ats_env, ats_clock):
    wrong = {**GREENHOUSE_CREDENTIALS, "client_secret": "not-the-secret-xyz"}
    with serving(app, ats_clock, FakeGreenhouse(jobs=5)), pytest.raises(AtsAuthError) as refused:
        build("greenhouse", wrong).test_connection()
    assert "refused the client ID and secret" in str(refused.value)
    assert "not-the-secret-xyz" not in str(refused.value)


def test_greenhouse_sends_candidate_application_and_resume_and_a_resend_creates_nothing(
    app, app_ctx, ats_env, ats_clock
):
    with serving(app, ats_clock, FakeGreenhouse(jobs=3)) as fake:
        adapter = build("greenhouse", GREENHOUSE_CREDENTIALS)
        sent = adapter.create_application(submission("2"))
        again = build("greenhouse", GREENHOUSE_CREDENTIALS).create_application(submission("2"))
    assert sent.created
    assert not again.created
    assert again.external_id == sent.external_id
    assert len(fake.candidates) == 1
    assert len(fake.applications) == 1
    [application] = fake.applications.values()
    assert application["job_id"] == 2
    [attachment] = application["attachments"]
    assert (attachment["filename"], attachment["type"], attachment["data"]) == (
        "Jane Doe CV.pdf",
        "resume",
        RESUME.data,
    )
    candidate = next(iter(fake.candidates.values()))["body"]
    assert candidate["email_addresses"] == [{"value": "jane@example.com", "type": "personal"}]
    assert candidate["tags"] == ["Jobifies"]
    assert "title" not in candidate  # no profile details unless candidate sync is on


def test_greenhouse_reads_the_current_stage_and_checks_webhook_signatures(app, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeGreenhouse(jobs=3)) as fake:
        adapter = build("greenhouse", GREENHOUSE_CREDENTIALS)
        sent = adapter.create_application(submission("1"))
        fake.move(sent.external_id, "Face to Face")
        assert adapter.get_application_stage(sent.external_id) == "Face to Face"
        body, headers = fake.webhook(sent.external_id)
        adapter.verify_webhook(body, headers)
        notice = adapter.parse_webhook(body, json.loads(body), headers)
        assert (notice.event_id, notice.event_type) == ("gh-evt-1", "candidate_stage_change")
        assert notice.stage_change.external_application_id == sent.external_id
        forged_body, forged_headers = fake.webhook(sent.external_id, secret="someone-elses-secret")
        with pytest.raises(AtsWebhookRejected, match="does not match"):
            adapter.verify_webhook(forged_body, forged_headers)
        with pytest.raises(AtsWebhookRejected, match="does not match"):
            adapter.verify_webhook(body.replace(b"Face", b"Fake"), headers)


def test_greenhouse_job_board_imports_the_public_board_with_only_a_token(app, app_ctx, ats_env, ats_clock):
    fake = FakeGreenhouse(jobs=260)
    fake.add_job(999, status="closed")
    with serving(app, ats_clock, fake):
        adapter = build("greenhouse_board", {"board_token": FakeGreenhouse.BOARD})
        jobs = [job for page in adapter.list_jobs() for job in page]
        with pytest.raises(AtsAuthError, match="no public job board"):
            build("greenhouse_board", {"board_token": "nope"}).test_connection()
    assert len(jobs) == 260  # the closed one is not on the board
    assert jobs[0].external_id == "1"  # Harvest's job id, so both modes name a job alike
    assert "<strong>reliable</strong>" in jobs[0].description_html  # the board sends it HTML-escaped
    with pytest.raises(AtsNotSupported, match="Harvest"):
        adapter.create_application(submission("1"))


# --- Lever ----------------------------------------------------------------------------------------


def test_lever_lists_postings_across_offset_pages_through_a_429_and_a_500(app, app_ctx, ats_env, ats_clock):
    fake = FakeLever(postings=260)
    fake.fail("/v1/postings", 429, on_call=2, headers={"Retry-After": "2"})
    fake.fail("/v1/postings", 500, on_call=4)
    with serving(app, ats_clock, fake):
        pages = list(build("lever", LEVER_CREDENTIALS).list_jobs())
    assert [len(page) for page in pages] == [100, 100, 60]
    first = pages[0][0]
    assert (first.title, first.location, first.workplace, first.employment_type) == (
        "Designer 1", "Lisbon", "onsite", "full_time"
    )  # fmt: skip
    assert "<h3>Requirements</h3>" in first.description_html
    offsets = [r.arg("offset") for r in fake.requests if r.path == "/v1/postings"]
    assert offsets == [None, "o100", "o100", "o200", "o200"]
    assert 2 in ats_clock.sleeps


def test_lever_sends_an_opportunity_with_the_resume_file_and_finds_it_on_a_resend(app, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeLever(postings=3)) as fake:
        sent = build("lever", LEVER_CREDENTIALS).create_application(submission("post-2"))
        again = build("lever", LEVER_CREDENTIALS).create_application(submission("post-2"))
        other_job = build("lever", LEVER_CREDENTIALS).create_application(submission("post-3"))
    assert sent.created
    assert not again.created
    assert other_job.created
    assert again.external_id == sent.external_id
    opportunity = fake.opportunities[sent.external_id]
    assert opportunity["files"]["resumeFile"] == ("Jane Doe CV.pdf", "application/pdf", RESUME.data)
    assert opportunity["fields"]["sources[]"] == ["Jobifies"]
    assert opportunity["fields"]["postings[]"] == ["post-2"]
    assert opportunity["fields"]["phones[]"] == ["+49 30 1234"]


def test_lever_stage_names_and_webhook_signature_over_token_and_triggered_at(app, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeLever(postings=2)) as fake:
        adapter = build("lever", LEVER_CREDENTIALS)
        sent = adapter.create_application(submission("post-1"))
        fake.move(sent.external_id, "On-site interview")
        assert adapter.get_application_stage(sent.external_id) == "On-site interview"
        body = fake.webhook(sent.external_id)
        adapter.verify_webhook(body, {})
        notice = adapter.parse_webhook(body, json.loads(body), {})
        assert notice.stage_change.external_application_id == sent.external_id
        with pytest.raises(AtsWebhookRejected, match="does not match"):
            adapter.verify_webhook(fake.webhook(sent.external_id, signature_token="forged"), {})
        # The signature covers token + triggeredAt: changing either breaks it.
        tampered = json.loads(body)
        tampered["triggeredAt"] += 1
        with pytest.raises(AtsWebhookRejected, match="does not match"):
            adapter.verify_webhook(json.dumps(tampered).encode(), {})
        expected = hmac.new(
            FakeLever.SIGNATURE_TOKEN.encode(),
            f"{json.loads(body)['token']}{json.loads(body)['triggeredAt']}".encode(),
            hashlib.sha256,
        ).hexdigest()
        assert json.loads(body)["signature"] == expected


# --- BambooHR -------------------------------------------------------------------------------------


def test_bamboohr_lists_openings_and_fetches_descriptions_from_the_careers_page(app, app_ctx, ats_env, ats_clock):
    fake = FakeBambooHR(jobs=260)
    fake.jobs[7]["status"]["label"] = "Filled"
    with serving(app, ats_clock, fake):
        adapter = build("bamboohr", BAMBOOHR_CREDENTIALS)
        pages = list(adapter.list_jobs())
        description = adapter.fetch_description("1")
        closed_description = adapter.fetch_description("7")
    assert [len(page) for page in pages] == [100, 100, 60]  # one answer, paged for progress
    jobs = {job.external_id: job for page in pages for job in page}
    assert jobs["1"].title == "Accountant 1"
    assert jobs["1"].is_open
    assert jobs["1"].description_html is None
    assert not jobs["7"].is_open
    assert "Job number 1" in description
    assert closed_description == ""
    assert all("application/json" in r.headers["accept"] for r in fake.requests)


def test_bamboohr_sends_the_application_with_its_resume_once(app, app_ctx, ats_env, ats_clock):
    with serving(app, ats_clock, FakeBambooHR(jobs=5)) as fake:
        sent = build("bamboohr", BAMBOOHR_CREDENTIALS).create_application(submission("3"))
        again = build("bamboohr", BAMBOOHR_CREDENTIALS).create_application(submission("3"))
    assert sent.created
    assert not again.created
    assert again.external_id == sent.external_id
    [application] = fake.applications.values()
    assert application["files"]["resume"] == ("Jane Doe CV.pdf", "application/pdf", RESUME.data)
    assert application["fields"]["source"] == "Jobifies"
    assert (application["fields"]["firstName"], application["fields"]["phoneNumber"]) == ("Jane", "+49 30 1234")


def test_bamboohr_reads_statuses_by_walking_the_paged_application_list(app, app_ctx, ats_env, ats_clock):
    fake = FakeBambooHR(jobs=5, applications=260)
    fake.fail(f"/api/gateway.php/{FakeBambooHR.SUBDOMAIN}/v1/applicant_tracking/applications", 500, on_call=2)
    wanted = [9001, 9150, 9260]
    fake.move(9150, "Interviewed")
    with serving(app, ats_clock, fake):
        stages = dict(build("bamboohr", BAMBOOHR_CREDENTIALS).application_stages([str(i) for i in wanted]))
    assert stages == {"9001": "New", "9150": "Interviewed", "9260": "New"}
    pages = [r.arg("page") for r in fake.requests if r.path.endswith("/applications")]
    assert pages == [None, "2", "2", "3"]  # three pages, the second asked twice (a 500)


def test_bamboohr_has_no_applicant_webhooks_and_says_why(app, app_ctx, ats_env):
    adapter = build("bamboohr", BAMBOOHR_CREDENTIALS)
    assert not adapter.supports_webhooks
    with pytest.raises(AtsWebhookRejected, match="employee records only"):
        adapter.verify_webhook(b"{}", {})


# --- Workday --------------------------------------------------------------------------------------


def test_workday_reads_requisitions_from_the_report_with_the_companys_field_names(app, app_ctx, ats_env, ats_clock):
    fake = FakeWorkday(requisitions=260)
    fake.entries[2]["Job_Requisition_Status"] = "Filled"
    for entry in fake.entries:
        entry["Title_In_Our_Report"] = entry.pop("Job_Posting_Title")
    with serving(app, ats_clock, fake):
        adapter = build("workday", workday_credentials(fake), {"title": "Title_In_Our_Report"})
        assert "260 requisition(s)" in adapter.test_connection()
        jobs = [job for page in adapter.list_jobs() for job in page]
    assert len(jobs) == 260
    assert (jobs[0].external_id, jobs[0].title, jobs[0].location) == ("R-00001", "Analyst 1", "Chicago, IL")
    assert jobs[0].description_html == "<p>Requisition 1.</p><p>Analyse things.</p>"
    assert not jobs[2].is_open
    assert jobs[3].employment_type == "part_time"
    assert all(r.arg("format") == "json" for r in fake.requests)


def test_workday_fetches_reports_only_from_allowed_hosts(app, app_ctx, ats_env):
    for url, reason in [
        ("https://evil.example.com/report", "must be on a Workday host"),
        ("http://wd2-impl-services1.workday.com/report", "must use https"),
        ("file:///etc/passwd", "full https:// address"),
    ]:
        with pytest.raises(AtsAuthError, match=reason):
            build("workday", {"report_url": url, "username": "u", "password": "p"}).test_connection()


def test_workday_does_not_write_candidates_and_explains_why(app, app_ctx, ats_env):
    adapter = build("workday", {"report_url": "https://x.workday.com/r", "username": "u", "password": "p"})
    with pytest.raises(AtsNotSupported, match="no self-serve API"):
        adapter.create_application(submission("R-00001"))
