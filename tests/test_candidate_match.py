"""Candidates see their own match score and what matched / what is missing, and nothing meant for
the recruiter."""

import pytest
from factories import login, make_application, make_job, make_recruiter, make_user

from app.extensions import db


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme")


def test_candidate_sees_their_score_what_matched_and_what_is_missing(client, owner):
    candidate = make_user()
    application = make_application(make_job(owner), candidate)
    application.match_score = 67
    application.match_breakdown = {
        "skills_matched": ["Python"],
        "skills_missing": ["PostgreSQL"],
        "experience_fit": "About 6 years of experience, in range for a senior role.",
        "summary": "RECRUITER SUMMARY: weak on databases, read last",
        "strengths": ["Has worked as Backend Engineer"],
        "fallback": "The AI scorer could not be used (bad key sk-123)",
        "components": {"skills": 0.5},
        "scorer": "openai",
        "model": "gpt-secret",
    }
    db.session.commit()
    other = make_application(application.job, make_user(name="Other Applicant"))
    other.match_score = 99
    db.session.commit()
    login(client, candidate)

    page = client.get("/me/applications").text
    assert "Your match: <strong>67</strong> out of 100" in page
    assert "<li>Python</li>" in page
    assert "<li>PostgreSQL</li>" in page
    assert "About 6 years of experience, in range for a senior role." in page
    for private in ("RECRUITER SUMMARY", "sk-123", "gpt-secret", "Other Applicant", ">99<"):
        assert private not in page


def test_no_score_section_before_scoring(client, owner):
    candidate = make_user()
    make_application(make_job(owner), candidate)
    login(client, candidate)
    assert "Your match:" not in client.get("/me/applications").text
