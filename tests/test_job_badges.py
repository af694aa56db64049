""" "Applied" and "Saved" badges on job cards for the signed-in candidate; nothing for anonymous
visitors, whose pages are cached for everyone."""

import re

import pytest
from factories import login, make_application, make_job, make_recruiter, make_user
from sqlalchemy import event

from app.extensions import db
from app.services import saved_jobs


@pytest.fixture
def board(app_ctx):
    owner = make_recruiter("Badge Co")
    jobs = {name: make_job(owner, title=f"{name} Role") for name in ("Applied", "Saved", "Plain")}
    return {"owner": owner, "jobs": jobs}


def _badges(page: str) -> dict[str, list[str]]:
    """Card title -> the badges on that card."""
    cards = {}
    for card in page.split('<li class="job-card')[1:]:
        title = re.search(r'id="job-\d+-title"><a [^>]*>(.*?)</a>', card, re.S).group(1)
        cards[re.sub(r"<[^>]+>", "", title).strip()] = re.findall(r'class="badge badge--(\w+)"', card)
    return cards


def _paths(board):
    return ["/", "/jobs", "/jobs?q=role", f"/companies/{board['owner'].company.slug}"]


def test_signed_in_candidate_sees_applied_and_saved_on_every_list(client, board):
    candidate = make_user()
    make_application(board["jobs"]["Applied"], candidate)
    saved_jobs.set_saved(candidate, board["jobs"]["Saved"], True)
    db.session.commit()
    login(client, candidate)
    client.get("/")  # the "Welcome back" message
    for path in _paths(board):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "private, no-cache", path
        assert _badges(response.text) == {"Applied Role": ["applied"], "Saved Role": ["saved"], "Plain Role": []}, path


def test_anonymous_pages_carry_no_badges_and_stay_cacheable(client, board):
    candidate = make_user()
    make_application(board["jobs"]["Applied"], candidate)
    saved_jobs.set_saved(candidate, board["jobs"]["Saved"], True)
    db.session.commit()
    login(client, candidate)
    client.get("/")
    etags = {path: client.get(path).headers["ETag"] for path in _paths(board)}
    client.post("/logout")
    client.get("/")  # the "logged out" message
    client.delete_cookie("session")
    for path in _paths(board):
        # Even offered the signed-in copy's ETag, the anonymous visitor gets the anonymous page.
        response = client.get(path, headers={"If-None-Match": etags[path]})
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert response.headers["Cache-Control"].startswith("public, max-age="), path
        assert "badge--" not in response.text, path
        assert set(_badges(response.text)) == {"Applied Role", "Saved Role", "Plain Role"}, path


def test_one_query_for_the_marks_of_a_whole_page(client, board):
    candidate = make_user()
    for job in board["jobs"].values():
        make_application(job, candidate)
    login(client, candidate)
    client.get("/")
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "saved_jobs" in statement or "FROM applications" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = client.get("/jobs").text
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert list(_badges(page).values()) == [["applied"]] * 3
    assert len(statements) == 1


def test_recruiters_see_no_badges(client, board):
    login(client, board["owner"])
    assert "badge--" not in client.get("/jobs").text
