"""Match scores: the local scorer, scoring on apply, OpenAI scoring and its fallback, what recruiters see."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from factories import login, make_application, make_job, make_recruiter, make_user
from fakes_openai import MATCH_ANSWER, fake_openai  # noqa: F401 (fixture)
from resume_samples import NO_SKILLS_RESUME, text_pdf

from app.extensions import db
from app.integrations.ai.local_scorer import CandidateFacts, JobFacts, score_match, years_of_experience
from app.models import Application
from app.services import applications, matching, profiles

TODAY = date(2026, 6, 1)
JOB = JobFacts(title="Senior Backend Engineer", seniority="senior", skills=["Python", "postgres", "Kubernetes"])


def _apply(client, job, resume: bytes, filename: str = "cv.pdf"):
    response = client.post(
        f"/jobs/{job.id}/apply",
        data={"resume": (BytesIO(resume), filename), "cover_letter": "Hi"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text[:500]
    db.session.expire_all()
    return db.session.scalar(db.select(Application).where(Application.job_id == job.id).order_by(Application.id.desc()))


# --- The local scorer ---------------------------------------------------------------------------


def test_local_scorer_ranks_a_candidate_with_every_skill_above_one_with_none():
    strong = CandidateFacts(
        headline="Backend Engineer",
        skills=["Python", "PostgreSQL", "Kubernetes"],
        experience=[{"title": "Backend Engineer", "start": "2018-01", "end": "Present"}],
    )
    weak = CandidateFacts(
        headline="Florist",
        skills=["Flower arranging"],
        experience=[{"title": "Florist", "start": "2024-01", "end": "Present"}],
    )
    strong_result, strong_parts = score_match(JOB, strong, today=TODAY)
    weak_result, weak_parts = score_match(JOB, weak, today=TODAY)
    assert strong_result.score == 100
    assert strong_parts == {"skills": 1.0, "experience": 1.0, "title": 1.0}
    assert strong_result.skills_matched == ["Python", "PostgreSQL", "Kubernetes"]
    assert strong_result.skills_missing == []
    assert weak_result.score < 20
    assert weak_result.skills_missing == ["Python", "PostgreSQL", "Kubernetes"]
    assert weak_result.experience_fit == "About 2 years of experience; a senior role usually asks for 5 or more years."
    assert "Matches 0 of 3 skills (missing Python, PostgreSQL, Kubernetes)" in weak_result.summary


def test_local_scorer_is_deterministic():
    facts = CandidateFacts(skills=["Python"], text="Worked with Kubernetes daily. 6 years of experience.")
    results = {score_match(JOB, facts, today=TODAY)[0].model_dump_json() for _ in range(5)}
    assert len(results) == 1
    result = score_match(JOB, facts, today=TODAY)[0]
    assert result.skills_matched == ["Python", "Kubernetes"]  # Kubernetes found in the resume text
    assert result.experience_fit.startswith("About 6 years of experience, in range")  # from the claim in the text


@pytest.mark.parametrize(("start", "expected"), [(None, 0.5), ("2023-12", 0.5), ("2021-06", 1.0), ("2014", 1.0)])
def test_experience_fit_grows_with_years_up_to_the_seniority(start, expected):
    # A senior role asks for 5 years: 2.5 years fits half; unknown years count as half too.
    experience = [] if start is None else [{"start": start, "end": "Present"}]
    _, parts = score_match(JOB, CandidateFacts(experience=experience), today=TODAY)
    assert parts["experience"] == expected


def test_years_of_experience_counts_overlapping_positions_once():
    experience = [
        {"start": "2015-01", "end": "2018-01"},
        {"start": "2017-01", "end": "2019-01"},
        {"start": "2020", "end": "2021"},
        {"start": "", "end": "2010"},
        {"start": "garbage", "end": "x"},
    ]
    assert years_of_experience(experience, today=TODAY) == 5.0


# --- Scoring applications -----------------------------------------------------------------------------


@pytest.fixture
def job(app_ctx):
    return make_job(
        make_recruiter("Acme"),
        title="Senior Backend Engineer",
        seniority="senior",
        skills="Python, PostgreSQL, Kubernetes, Rust",
    )


def test_applying_scores_the_application_with_a_breakdown(app, client, job):
    login(client, make_user())
    application = _apply(client, job, text_pdf())
    assert application.match_score is not None
    assert 50 <= application.match_score <= 100
    breakdown = application.match_breakdown
    assert breakdown["scorer"] == "local"
    assert breakdown["fallback"] is None
    assert breakdown["skills_matched"] == ["Python", "PostgreSQL", "Kubernetes"]
    assert breakdown["skills_missing"] == ["Rust"]
    assert breakdown["source"] == "parsed resume"  # inline: the parse ran first, on commit
    assert set(breakdown["components"]) == {"skills", "experience", "title"}
    assert breakdown["summary"].startswith("Matches 3 of 4 skills (missing Rust)")


def test_scoring_does_not_wait_for_the_parse(app, app_ctx, job):
    candidate = make_user()
    application = applications.apply(job, candidate, _Upload(text_pdf()))
    application_id = application.id
    db.session.flush()
    # Score before any parse ran (a busy worker may take the low queue first): the resume is read here.
    scored = matching.score_application(application_id)
    assert scored.match_breakdown["source"] == "resume text"
    assert scored.match_breakdown["skills_matched"] == ["Python", "PostgreSQL", "Kubernetes"]
    db.session.rollback()


def test_a_reviewed_profile_is_what_gets_scored(app, app_ctx, job):
    candidate = make_user()
    profiles.save_reviewed_profile(
        candidate,
        {
            "headline": "Rust engineer",
            "skills": "Rust, Python",
            "experience": [{"title": "Senior Backend Engineer", "company": "X", "start": "2015-01", "end": "Present"}],
        },
    )
    application = make_application(job, candidate)
    scored = matching.score_application(application.id)
    assert scored.match_breakdown["source"] == "reviewed profile"
    assert scored.match_breakdown["skills_matched"] == ["Python", "Rust"]


class _Upload:
    def __init__(self, data, filename="cv.pdf"):
        self.filename, self._data = filename, data

    def read(self):
        return self._data


def test_recruiter_sees_the_score_and_its_breakdown(app, client, job):
    login(client, make_user())
    application = _apply(client, job, text_pdf())
    recruiter = app.test_client()
    login(recruiter, job.created_by)
    page = recruiter.get(f"/recruiter/applications/{application.id}").text
    section = page[page.index('id="match-title"') :]
    assert f"<strong>{application.match_score}</strong>" in section
    assert "Skills matched" in section
    assert "<li>Kubernetes</li>" in section
    assert "Skills missing" in section
    assert "<li>Rust</li>" in section
    assert "in range for a senior role" in section
    assert "Scored by the built-in scorer from the candidate’s parsed resume" in section


def test_recruiter_sorts_applicants_by_score_with_unscored_last(app, client, job):
    low, high, unscored = make_user(name="Low Lou"), make_user(name="High Hana"), make_user(name="Nobody Ned")
    for user, score in ((low, 20), (high, 90), (unscored, None)):
        application = make_application(job, user)
        application.match_score = score
    db.session.commit()
    assert [a.candidate.display_name for a in applications.pipeline(job, sort="score")["applied"]] == [
        "High Hana",
        "Low Lou",
        "Nobody Ned",
    ]
    login(client, job.created_by)
    page = client.get(f"/recruiter/jobs/{job.id}/pipeline?sort=score").text
    names = re.findall(r"(High Hana|Low Lou|Nobody Ned)</a>", page)
    assert names == ["High Hana", "Low Lou", "Nobody Ned"]
    # The card's match badge (issue 13's compact cards): "90 match" to a screen reader.
    assert '"Match score">90<span class="visually-hidden"> match</span>' in page
    assert '"Match score">20<span class="visually-hidden"> match</span>' in page


# --- OpenAI scoring ---------------------------------------------------------------------------------


def test_openai_scores_when_configured_without_seeing_contact_details(app, app_ctx, fake_openai, job):
    candidate = make_user()
    application = applications.apply(job, candidate, _Upload(text_pdf()))
    db.session.commit()  # inline: parse, then score, both through the fake
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.match_score == MATCH_ANSWER["score"]
    assert application.match_breakdown["scorer"] == "openai"
    assert application.match_breakdown["model"] == "gpt-test-mini"
    assert application.match_breakdown["summary"] == MATCH_ANSWER["summary"]

    [request] = [
        r for r in fake_openai.requests if r["json"]["response_format"]["json_schema"]["name"] == "MatchResult"
    ]
    assert request["headers"]["authorization"] == "Bearer sk-test-key"
    prompt = next(m["content"] for m in request["json"]["messages"] if m["role"] == "user")
    assert "Title: Senior Backend Engineer" in prompt
    assert "Required skills: Python, PostgreSQL, Kubernetes, Rust" in prompt
    assert "Staff Platform Engineer" in prompt  # the parsed profile (from the fake's parse answer)
    assert "jane.doe@example.com" not in prompt
    assert "1234 5678" not in prompt
    assert "[email]" in prompt


def test_when_openai_fails_the_local_scorer_answers_and_the_breakdown_says_so(app, app_ctx, fake_openai, job):
    candidate = make_user()
    profiles.save_reviewed_profile(candidate, {"skills": "Python, Kubernetes"})  # no parse call on apply
    db.session.commit()
    fake_openai.fail(3, status=503)
    application = applications.apply(job, candidate, _Upload(text_pdf(NO_SKILLS_RESUME)))
    db.session.commit()
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert len(fake_openai.requests) == 3
    breakdown = application.match_breakdown
    assert breakdown["scorer"] == "local"
    assert application.match_score is not None
    assert breakdown["fallback"].startswith("The AI scorer could not be used (OpenAI answered 503 after 3 attempts")
    assert breakdown["skills_matched"] == ["Python", "Kubernetes"]

    login_client = app.test_client()
    login(login_client, job.created_by)
    page = login_client.get(f"/recruiter/applications/{application.id}").text
    assert "The AI scorer could not be used" in page
    assert "Scored by the built-in scorer" in page
