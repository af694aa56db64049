"""Resume parsing: text extraction, the local and OpenAI parsers, resilience, and the candidate's flow."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from conftest import hx
from factories import login, make_job, make_recruiter, make_user
from fakes_openai import RESUME_ANSWER, Answer, configured, fake_openai  # noqa: F401 (fixture)
from resume_samples import NO_SKILLS_RESUME, RESUME, resume_docx, scanned_pdf, text_pdf
from sqlalchemy import update

from app.extensions import db
from app.integrations.ai import local_parser
from app.integrations.documents import PDF
from app.integrations.http import breaker, reset_breakers
from app.models import CandidateProfile, Document, utcnow
from app.services import documents, profiles, resumes
from app.tasks.resumes import sweep_parses


class Upload:
    """What store_resume reads from request.files."""

    def __init__(self, data: bytes, filename: str = "cv.pdf"):
        self.filename, self._data = filename, data

    def read(self) -> bytes:
        return self._data


def _profile(user) -> CandidateProfile:
    db.session.expire_all()
    return profiles.get_profile(user)


def _upload_and_parse(user, data: bytes, filename: str = "cv.pdf") -> CandidateProfile:
    """Store a resume and request its parse; without REDIS_URL the job runs inline on commit."""
    resumes.request_parse(user, documents.store_resume(user, Upload(data, filename)))
    db.session.commit()
    return _profile(user)


# --- Text extraction ----------------------------------------------------------------------------


def test_text_is_extracted_from_a_pdf_and_kept_on_the_document(app_ctx):
    user = make_user()
    document = documents.store_resume(user, Upload(text_pdf()))
    text = resumes.extract_text(document)
    db.session.commit()
    assert "Jane Doe" in text
    assert "Senior Backend Engineer - Acme GmbH" in text
    assert "Jan 2019 - Present" in text
    db.session.expire_all()
    assert db.session.get(Document, document.id).extracted_text == text


def test_text_is_extracted_from_a_docx_with_its_header_and_tables(app_ctx):
    user = make_user()
    data = resume_docx(table_rows=[("Certifications", "AWS Solutions Architect")])
    text = resumes.extract_text(documents.store_resume(user, Upload(data, "cv.docx")))
    assert text.splitlines()[0] == "Jane Doe"  # from the page header
    assert "Backend Developer at Globex Corporation" in text
    assert "Certifications" in text
    assert "AWS Solutions Architect" in text


def test_a_scanned_pdf_gets_the_no_text_status_and_says_what_to_do(app_ctx):
    user = make_user()
    profile = _upload_and_parse(user, scanned_pdf(), "scan.pdf")
    assert profile.parse_status == "no_text"
    assert profile.parse_error == resumes.NO_TEXT_MESSAGE
    assert profile.parsed is None
    assert profile.headline == ""
    assert profile.resume.extracted_text == ""


def test_a_damaged_file_fails_with_a_reason_instead_of_crashing(app_ctx):
    user = make_user()
    # Passed the upload check (it starts like a PDF and has a page) but the stored bytes are broken.
    document = Document(
        owner_id=user.id,
        filename="broken.pdf",
        content_type=PDF,
        size=20,
        sha256="0" * 64,
        data=b"%PDF-1.4 garbage \x00\x01",
    )
    db.session.add(document)
    db.session.flush()
    resumes.request_parse(user, document)
    db.session.commit()
    profile = _profile(user)
    assert profile.parse_status == "failed"
    assert profile.parse_error == resumes.UNREADABLE_MESSAGE


# --- The local parser ---------------------------------------------------------------------------


def test_local_parser_reads_contact_sections_dates_and_skills():
    parsed = local_parser.parse_resume(RESUME)
    assert parsed.contact.name == "Jane Doe"
    assert parsed.contact.email == "jane.doe@example.com"
    assert parsed.contact.phone == "+49 30 1234 5678"
    assert parsed.contact.location == "Berlin, Germany"
    assert parsed.contact.links == ["https://linkedin.com/in/janedoe"]
    assert parsed.headline == "Senior Backend Engineer"
    assert parsed.summary.startswith("Backend engineer with eight years")
    assert [(p.title, p.company, p.start, p.end) for p in parsed.experience] == [
        ("Senior Backend Engineer", "Acme GmbH", "2019-01", "Present"),
        ("Backend Developer", "Globex Corporation", "2016-03", "2018-12"),
    ]
    assert "Kubernetes" in parsed.experience[0].description
    assert [(s.institution, s.degree, s.start, s.end) for s in parsed.education] == [
        ("Technical University of Munich", "M.Sc. Computer Science", "2012", "2014")
    ]
    # Listed skills first, then the vocabulary's finds elsewhere in the text; aliases named one way.
    assert parsed.skills[:7] == ["Python", "Go", "SQL", "Docker", "Terraform", "AWS", "Git"]
    assert {"Kubernetes", "Django", "PostgreSQL", "Flask", "Redis", "CI/CD", "REST APIs"} <= set(parsed.skills)
    assert parsed.confidence == 1.0


def test_local_parser_gives_little_confidence_to_text_that_is_not_a_resume():
    parsed = local_parser.parse_resume("Minutes of the meeting. we discussed the budget and agreed to meet again.")
    assert parsed.experience == []
    assert parsed.education == []
    assert parsed.contact.name == ""
    assert parsed.confidence < 0.3


def test_local_parser_copes_with_hostile_text_in_linear_time():
    # One 200,000-character "word" made an unbounded email pattern take minutes (quadratic).
    started = time.monotonic()
    for text in ("a" * 200_000, "1 " * 100_000, "Jan 2019 - " * 20_000, "\x00\ufffd(" * 50_000):
        assert local_parser.parse_resume(text).confidence <= 0.3
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jan 2019", "2019-01"),
        ("September 2020", "2020-09"),
        ("Sept. 2020", "2020-09"),
        ("03/2018", "2018-03"),
        ("2017", "2017"),
        ("2021-06", "2021-06"),
        ("Present", "Present"),
        ("current", "Present"),
        ("13/2018", ""),
    ],
)
def test_local_parser_normalizes_dates(raw, expected):
    assert local_parser.normalize_date(raw) == expected


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("Jan 2019 – Present", "2019-01", "Present"),
        ("2017-2020", "2017", "2020"),
        ("03/2018 - 06/2021", "2018-03", "2021-06"),
        ("May 2015 to Dec 2016", "2015-05", "2016-12"),
    ],
)
def test_local_parser_finds_date_ranges_in_experience(line, start, end):
    parsed = local_parser.parse_resume(f"Experience\nData Analyst, Initech\n{line}\n- Reports.")
    assert (parsed.experience[0].start, parsed.experience[0].end) == (start, end)
    assert (parsed.experience[0].title, parsed.experience[0].company) == ("Data Analyst", "Initech")


# --- OpenAI, through the real client, against the fake --------------------------------------------


def test_openai_parses_the_resume_with_structured_output(app, app_ctx, fake_openai):
    user = make_user()
    profile = _upload_and_parse(user, text_pdf())
    assert profile.parse_status == "done"
    assert profile.parser == "openai"
    assert profile.parse_error is None
    assert profile.parsed == RESUME_ANSWER
    assert profile.parse_confidence == 0.93

    [request] = fake_openai.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test-key"
    assert request["json"]["model"] == "gpt-test-mini"
    response_format = request["json"]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "ResumeProfile"
    assert response_format["json_schema"]["strict"] is True
    schema = response_format["json_schema"]["schema"]
    assert set(schema["required"]) == {
        "contact",
        "headline",
        "summary",
        "experience",
        "education",
        "skills",
        "confidence",
    }
    assert '"default"' not in str(schema).replace("'", '"')  # strict mode rejects defaults
    assert "Senior Backend Engineer - Acme GmbH" in fake_openai.user_message()


def test_an_openai_refusal_falls_back_to_the_local_parser_and_says_so(app, app_ctx, fake_openai):
    fake_openai.script.append(Answer(refusal="I can't help with that."))
    profile = _upload_and_parse(make_user(), text_pdf())
    assert profile.parse_status == "done"
    assert profile.parser == "local_fallback"
    assert "OpenAI declined: I can't help with that." in profile.parse_error
    assert profile.parsed["contact"]["name"] == "Jane Doe"  # the local parser's work


def test_an_answer_cut_off_by_the_length_limit_falls_back(app, app_ctx, fake_openai):
    fake_openai.script.append(Answer(finish_reason="length", content='{"contact": {"na'))
    profile = _upload_and_parse(make_user(), text_pdf())
    assert profile.parser == "local_fallback"
    assert "output length limit" in profile.parse_error


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_openai_5xx_is_retried_then_the_breaker_opens_and_closes_after_the_cool_down(app, app_ctx, fake_openai):
    clock = FakeClock()
    reset_breakers()
    circuit = breaker("openai", failure_threshold=2, cooldown_seconds=30, clock=clock)
    user = make_user()
    fake_openai.fail(6, status=500)

    first = _upload_and_parse(user, text_pdf())
    assert len(fake_openai.requests) == 3  # the SDK's 2 retries, not ours
    assert first.parser == "local_fallback"
    assert "OpenAI answered 500 after 3 attempts" in first.parse_error
    assert circuit.state == "closed"
    assert circuit.failures == 1

    _upload_and_parse(user, text_pdf())
    assert len(fake_openai.requests) == 6
    assert circuit.state == "open"

    third = _upload_and_parse(user, text_pdf())  # refused without calling OpenAI at all
    assert len(fake_openai.requests) == 6
    assert third.parse_status == "done"
    assert third.parser == "local_fallback"
    assert "OpenAI is paused after repeated failures" in third.parse_error

    clock.now += 31  # cool-down over: one trial call goes through, succeeds, and closes the breaker
    fourth = _upload_and_parse(user, text_pdf())
    assert len(fake_openai.requests) == 7
    assert fourth.parser == "openai"
    assert fourth.parse_error is None
    assert circuit.state == "closed"


def test_a_slow_openai_times_out_within_the_configured_timeout(app, app_ctx, fake_openai):
    fake_openai.script += [Answer(delay=1.5) for _ in range(3)]
    with configured(app, OUTBOUND_TIMEOUT_SECONDS=0.3):
        profile = _upload_and_parse(make_user(), text_pdf())
    assert len(fake_openai.requests) == 3  # each attempt timed out and was retried by the SDK
    assert profile.parser == "local_fallback"
    assert "OpenAI did not answer within 0.3 s (3 attempts)" in profile.parse_error
    assert breaker("openai").failures == 1


def test_a_wrong_api_key_is_recorded_and_does_not_trip_the_breaker(app, app_ctx, fake_openai):
    fake_openai.script.append(Answer(status=401))
    profile = _upload_and_parse(make_user(), text_pdf())
    assert len(fake_openai.requests) == 1  # 401 is not retried
    assert "OpenAI refused the request (401)" in profile.parse_error
    assert profile.parser == "local_fallback"
    assert breaker("openai").failures == 0


def test_a_newer_upload_supersedes_a_parse_still_running(app, app_ctx, fake_openai):
    user = make_user()
    old_resume = documents.store_resume(user, Upload(text_pdf(), "old.pdf"))
    new_resume = documents.store_resume(user, Upload(text_pdf(NO_SKILLS_RESUME), "new.pdf"))
    db.session.commit()
    user_id, new_resume_id = user.id, new_resume.id

    def candidate_uploads_again_meanwhile(request):
        # While OpenAI works on the old resume, the candidate uploads another (another web request).
        with app.app_context():
            db.session.execute(
                update(CandidateProfile)
                .where(CandidateProfile.user_id == user_id)
                .values(
                    resume_id=new_resume_id, parse_status="pending", parse_requested_at=utcnow() + timedelta(seconds=1)
                )
            )
            db.session.commit()
            db.session.remove()

    fake_openai.on_request = candidate_uploads_again_meanwhile

    profile = resumes.request_parse(user, old_resume)
    profile_id = profile.id
    db.session.commit()  # runs the old parse inline: its result must not land on the profile
    profile = _profile(user)
    assert profile.resume_id == new_resume_id
    assert profile.parse_status == "pending"
    assert profile.parsed is None
    fake_openai.on_request = None
    assert resumes.run_parse(profile_id) == "done"
    assert _profile(user).parse_status == "done"


# --- Nothing lost: the sweeper ----------------------------------------------------------------------


def test_the_sweeper_parses_profiles_whose_job_was_lost(app, app_ctx):
    user, other = make_user(), make_user()
    for who in (user, other):
        profiles.get_or_create_profile(who).resume = documents.store_resume(who, Upload(text_pdf()))
    db.session.commit()
    ten_minutes_ago = utcnow() - timedelta(minutes=10)
    # One request whose job never ran (Redis was down), one whose worker died mid-parse.
    db.session.execute(
        update(CandidateProfile)
        .where(CandidateProfile.user_id == user.id)
        .values(parse_status="pending", parse_requested_at=ten_minutes_ago)
    )
    db.session.execute(
        update(CandidateProfile)
        .where(CandidateProfile.user_id == other.id)
        .values(parse_status="parsing", parse_requested_at=ten_minutes_ago, updated_at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    assert sweep_parses() == 2  # inline mode: enqueue_now runs them right away
    assert _profile(user).parse_status == "done"
    assert _profile(other).parse_status == "done"


def test_the_sweeper_leaves_fresh_requests_to_their_own_job(app, app_ctx):
    user = make_user()
    profile = profiles.get_or_create_profile(user)
    profile.parse_status, profile.parse_requested_at = "pending", utcnow()
    db.session.commit()
    assert sweep_parses() == 0
    assert _profile(user).parse_status == "pending"


# --- The candidate's flow over HTTP -----------------------------------------------------------------


def _post_resume(client, data: bytes, filename: str = "cv.pdf", headers=None):
    return client.post(
        "/me/profile/resume",
        data={"resume": (BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers=headers or {},
    )


def test_candidate_uploads_reviews_the_prefilled_profile_and_saves_it(app, app_ctx, client):
    user = make_user()
    login(client, user)
    response = _post_resume(client, text_pdf(), headers=hx("resume-panel"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="resume-panel"' in response.text
    assert "Review your pre-filled profile" in response.text
    assert "Resume uploaded" in response.headers["HX-Trigger"]
    assert 'hx-trigger="every 2s"' not in response.text  # inline mode: already done, nothing to poll

    page = client.get("/me/profile").text
    assert "We pre-filled this from your resume — check it and save" in page
    assert 'value="Senior Backend Engineer"' in page
    assert 'value="Berlin, Germany"' in page
    assert 'value="Acme GmbH"' in page
    assert 'value="Globex Corporation"' in page
    assert 'value="2016-03"' in page
    assert re.search(r'<textarea[^>]*name="skills"[^>]*>\s*Python, Go, SQL, Docker', page)
    assert _profile(user).reviewed_at is None
    assert _profile(user).headline == ""

    form = {
        "headline": "Staff Backend Engineer",
        "location": "Berlin, Germany",
        "phone": "+49 30 1234 5678",
        "summary": "Backend engineer.",
        "skills": "python, postgres, Kubernetes, Team leadership",
        "experience-0-title": "Senior Backend Engineer",
        "experience-0-company": "Acme GmbH",
        "experience-0-start": "2019-01",
        "experience-0-end": "Present",
        "experience-0-description": "Payments.",
        "experience-1-title": "Backend Developer",
        "experience-1-company": "Globex Corporation",
        "experience-1-start": "2016-03",
        "experience-1-end": "2018-12",
        "experience-1-remove": "y",
        "experience-2-title": "",
        "experience-2-company": "",  # the empty "add a position" entry
        "education-0-institution": "Technical University of Munich",
        "education-0-degree": "M.Sc. Computer Science",
        "education-0-start": "2012",
        "education-0-end": "2014",
    }
    saved = client.post("/me/profile", data=form)
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/me/profile"
    profile = _profile(user)
    assert profile.reviewed_at is not None
    assert profile.headline == "Staff Backend Engineer"
    assert profile.phone == "+49 30 1234 5678"
    assert profile.skills == ["Python", "PostgreSQL", "Kubernetes", "Team Leadership"]
    assert profile.experience == [
        {
            "company": "Acme GmbH",
            "title": "Senior Backend Engineer",
            "start": "2019-01",
            "end": "Present",
            "description": "Payments.",
        }
    ]
    assert profile.education[0]["institution"] == "Technical University of Munich"

    again = client.get("/me/profile").text
    assert "We pre-filled this" not in again
    assert "Last saved" in again
    assert 'value="Staff Backend Engineer"' in again


def test_the_status_fragment_polls_while_pending_and_stops_when_done(app, app_ctx, client):
    user = make_user()
    profile = profiles.get_or_create_profile(user)
    profile.resume = documents.store_resume(user, Upload(text_pdf()))
    profile.parse_status, profile.parse_requested_at = "pending", utcnow()
    db.session.commit()
    login(client, user)

    waiting = client.get("/me/profile/parse-status", headers=hx("parse-status"))
    assert waiting.status_code == 200
    assert "<html" not in waiting.text
    assert 'hx-trigger="every 2s"' in waiting.text
    assert "seen=pending" in waiting.text
    assert "is waiting to be read" in waiting.text
    unchanged = client.get("/me/profile/parse-status?seen=pending", headers=hx("parse-status"))
    assert unchanged.status_code == 204  # nothing swapped, nothing re-announced; polling goes on

    page = client.get("/me/profile/parse-status")  # the same URL loaded directly: a whole page
    assert "<html" in page.text
    assert 'role="status"' in page.text
    assert "Go to your profile" in page.text
    assert "HX-Request" in page.headers["Vary"]
    assert 'role="status" aria-live="polite"' in client.get("/me/profile").text

    assert resumes.run_parse(profile.id) == "done"
    done = client.get("/me/profile/parse-status?seen=pending", headers=hx("parse-status"))
    assert done.status_code == 200
    assert "hx-trigger" not in done.text
    assert "Review your pre-filled profile" in done.text


def test_no_text_and_failed_parses_tell_the_candidate_what_to_do(app, app_ctx, client):
    user = make_user()
    login(client, user)
    response = _post_resume(client, scanned_pdf(), headers=hx("resume-panel"))
    assert "We could not read text from this file. It may be a scanned image" in response.text
    assert "hx-trigger" not in response.text

    profile = _profile(user)
    profile.parse_status, profile.parse_error = "failed", resumes.CRASHED_MESSAGE
    db.session.commit()
    failed = client.get("/me/profile/parse-status", headers=hx("parse-status")).text
    assert resumes.CRASHED_MESSAGE in failed
    assert "Try reading cv.pdf again" in failed
    retried = client.post("/me/profile/resume/retry", headers=hx("parse-status"))
    assert retried.status_code == 200
    assert "We could not read text" in retried.text


def test_uploading_something_that_is_not_a_resume_is_refused_beside_the_field(app, app_ctx, client):
    login(client, make_user())
    response = _post_resume(client, b"MZ\x90\x00 not a resume", "cv.pdf", headers=hx("resume-panel"))
    assert response.status_code == 422
    assert "This file is not a readable PDF or Word (.docx) document." in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="resume-error"' in response.text
    plain = _post_resume(client, b"", "empty.pdf")
    assert plain.status_code == 422
    assert "<html" in plain.text
    assert "This file is empty." in plain.text


@pytest.mark.parametrize("path", ["/me/profile", "/me/profile/resume", "/me/profile/resume/retry"])
def test_profile_posts_without_a_csrf_token_are_refused(app, app_ctx, client, path):
    user = make_user()
    login(client, user)
    response = client.post(path, data={"headline": "Forged"}, csrf=False)
    assert response.status_code == 400
    assert "security token" in response.text
    assert profiles.get_profile(user) is None


def test_profile_uploads_are_capped_per_hour(app, app_ctx, client):
    user = make_user()
    for _ in range(resumes.MAX_UPLOADS_PER_HOUR):
        documents.store_resume(user, Upload(text_pdf()))
    db.session.commit()
    login(client, user)
    response = _post_resume(client, text_pdf(), headers=hx("resume-panel"))
    assert response.status_code == 422
    assert "uploaded a lot of files in the last hour" in response.text
    assert profiles.get_profile(user) is None  # nothing requested


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"headline": "x" * 201}, "headline", "Field cannot be longer than 200 characters."),
        (
            {"experience-0-start": "since the dawn of time, more or less"},
            "experience-0-start",
            "Field cannot be longer",
        ),
        ({"skills": "a" * 70}, "skills", "is too long for a skill"),
    ],
)
def test_bad_profile_input_is_shown_beside_the_field_not_a_500(app, app_ctx, client, form, field, message):
    user = make_user()
    login(client, user)
    response = client.post("/me/profile", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}"' in response.text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', response.text)
    assert profiles.get_profile(user) is None or _profile(user).reviewed_at is None


class _Labels(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.label_for, self.wrapped, self.depth, self.buttons, self._in_button = (
            [],
            set(),
            set(),
            0,
            [],
            False,
        )

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit"):
            self.inputs.append(attrs.get("id"))
            if self.depth:
                self.wrapped.add(attrs.get("id"))
        if tag == "button":
            self._in_button = True
            self.buttons.append("")

    def handle_endtag(self, tag):
        if tag == "label":
            self.depth -= 1
        if tag == "button":
            self._in_button = False

    def handle_data(self, data):
        if self._in_button:
            self.buttons[-1] += data.strip()


def test_the_profile_page_labels_every_field_and_names_every_button(app, app_ctx, client):
    user = make_user()
    _upload_and_parse(user, text_pdf())
    login(client, user)
    html = client.get("/me/profile").text
    page = _Labels()
    page.feed(html)
    assert len(page.inputs) > 15
    unlabelled = [i for i in page.inputs if i not in page.label_for and i not in page.wrapped]
    assert unlabelled == []
    assert "Upload and read my resume" in page.buttons
    assert "Save my profile" in page.buttons
    assert all(page.buttons)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_applying_fills_an_unreviewed_profile_but_never_overwrites_a_reviewed_one(app, app_ctx, client):
    job = make_job(make_recruiter("Acme"), title="Platform Engineer")
    other_job = make_job(make_recruiter("Globex"), title="Backend Engineer")
    user = make_user()
    login(client, user)
    client.post(
        f"/jobs/{job.id}/apply",
        data={"resume": (BytesIO(text_pdf()), "cv.pdf"), "cover_letter": "Hi"},
        content_type="multipart/form-data",
    )
    profile = _profile(user)
    assert profile.parse_status == "done"
    assert profile.parsed["contact"]["name"] == "Jane Doe"

    profiles.save_reviewed_profile(user, {"headline": "Reviewed headline", "skills": "Python"})
    db.session.commit()
    first_resume = profile.resume_id
    client.post(
        f"/jobs/{other_job.id}/apply",
        data={"resume": (BytesIO(text_pdf(NO_SKILLS_RESUME)), "cv2.pdf")},
        content_type="multipart/form-data",
    )
    profile = _profile(user)
    assert profile.resume_id == first_resume
    assert profile.headline == "Reviewed headline"


# --- A real worker ------------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.redis
def test_a_real_rq_worker_parses_an_uploaded_resume(rq, client, app_ctx):
    user = make_user()
    login(client, user)
    response = _post_resume(client, text_pdf(), headers=hx("resume-panel"))
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.text
    assert "is waiting to be read" in response.text
    assert _profile(user).parse_status == "pending"
    # Parsing has its own queue: a slow file never holds up emails on the others.
    assert [job.func_name for job in rq.queue("parse").jobs] == ["app.tasks.resumes.parse_resume"]
    rq.work()
    profile = _profile(user)
    assert profile.parse_status == "done"
    assert profile.parser == "local"
    assert profile.parsed["contact"]["email"] == "jane.doe@example.com"
    fragment = client.get("/me/profile/parse-status?seen=pending", headers=hx("parse-status"))
    assert fragment.status_code == 200
    assert "hx-trigger" not in fragment.text
