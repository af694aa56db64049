"""Previous / next applicant on the recruiter's application page: the pipeline board's order."""

import re
from datetime import timedelta

import pytest
from factories import login, make_application, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import utcnow


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme")


def _applicant(job, name: str, status: str = "applied", days_ago: int = 0, score: int | None = None):
    application = make_application(job, make_user(name=name), status)
    application.created_at = utcnow() - timedelta(days=days_ago)
    application.match_score = score
    db.session.commit()
    return application


def _links(page: str) -> dict[str, str]:
    return dict(re.findall(r'<a rel="(prev|next)" href="([^"]+)"', page))


def test_previous_and_next_follow_the_pipeline_order_within_the_job(client, owner):
    job = make_job(owner)
    older = _applicant(job, "Old Applied", days_ago=3, score=90)
    newer = _applicant(job, "New Applied", days_ago=1, score=10)
    interview = _applicant(job, "In Interview", "interview", days_ago=0, score=50)
    _applicant(make_job(owner, title="Other job"), "Other Job Applicant")
    login(client, owner)

    first = client.get(f"/recruiter/applications/{newer.id}").text
    assert _links(first) == {"next": f"/recruiter/applications/{older.id}?sort=newest"}
    assert "Applicant 1 of 3" in first
    middle = client.get(_links(first)["next"]).text
    assert _links(middle) == {
        "prev": f"/recruiter/applications/{newer.id}?sort=newest",
        "next": f"/recruiter/applications/{interview.id}?sort=newest",
    }
    last = client.get(_links(middle)["next"]).text
    assert _links(last) == {"prev": f"/recruiter/applications/{older.id}?sort=newest"}
    assert "Applicant 3 of 3" in last
    assert "Other Job Applicant" not in first + middle + last


def test_sorted_by_score_the_best_comes_first_within_a_stage(client, owner):
    job = make_job(owner)
    older = _applicant(job, "High Score", days_ago=3, score=90)
    newer = _applicant(job, "Low Score", days_ago=1, score=10)
    login(client, owner)
    page = client.get(f"/recruiter/applications/{older.id}?sort=score").text
    assert _links(page) == {"next": f"/recruiter/applications/{newer.id}?sort=score"}


def test_another_companys_recruiter_gets_no_page_and_no_neighbours(client, owner):
    job = make_job(owner)
    application = _applicant(job, "Private Person")
    _applicant(job, "Neighbour Person")
    login(client, make_recruiter("Rival"))
    response = client.get(f"/recruiter/applications/{application.id}")
    assert response.status_code == 404
    assert "Neighbour Person" not in response.text
