"""Issue 9's rules that are not timings: GET never writes, views are still counted, anonymous public
pages are cookie-free and cacheable, revalidation is a 304, the home page does not count on every
request."""

from __future__ import annotations

import gzip
import threading

import brotli
import pytest
from conftest import hx
from factories import login, make_job, make_recruiter, make_user
from flask import template_rendered
from search_support import fresh_index  # noqa: F401  (fixture)
from sqlalchemy import event

from app.blueprints import caching
from app.extensions import db
from app.models import Job
from app.services import jobs, views
from app.tasks.maintenance import flush_views


@pytest.fixture(autouse=True)
def minute(monkeypatch):
    """Pins the minute-long window that anonymous search pages key their ETag on, so a test that
    revalidates never straddles a minute boundary (one CI run did, and got a 200 for a 304).
    Set `minute["now"]` to move the clock on."""
    clock = {"now": 0}
    monkeypatch.setattr(caching, "time_window", lambda: clock["now"])
    return clock


@pytest.fixture
def board(app_ctx, fresh_index):
    """One job on a board with its own, ready search index (so searches are never the database's
    stand-in answer, which is not kept)."""
    owner = make_recruiter("Cache Co")
    return {"owner": owner, "job": make_job(owner, title="Cached Role")}


def _public_paths(board) -> list[str]:
    job = board["job"]
    return ["/", "/jobs", "/jobs?q=cached", f"/jobs/{job.id}/{job.slug}", f"/companies/{job.company.slug}"]


class WriteRecorder:
    """Every INSERT/UPDATE/DELETE the database is sent while it is attached."""

    def __init__(self):
        self.statements: list[str] = []
        self.thread = threading.get_ident()  # requests run here; background flushers do not count

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() != self.thread:
            return
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.statements.append(statement)


def test_public_get_requests_never_write_to_the_database(client, board):
    client.get(_public_paths(board)[3])  # a first visit may catch the index up (not a database write)
    recorder = WriteRecorder()
    event.listen(db.engine, "before_cursor_execute", recorder)
    try:
        for path in _public_paths(board):
            for _ in range(2):
                assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", recorder)
    assert recorder.statements == []


def test_views_are_counted_in_memory_and_added_by_the_flush(client, board):
    job = board["job"]
    for _ in range(3):
        client.get(f"/jobs/{job.id}/{job.slug}")
    db.session.refresh(job)
    assert job.view_count == 0  # nothing written yet
    updated_at = job.updated_at
    assert flush_views() == 3
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.view_count == 3
    assert job.updated_at == updated_at  # a view is not an edit: the search index has nothing to do
    assert flush_views() == 0  # counted once


@pytest.mark.redis
def test_views_are_shared_through_redis_when_it_is_configured(app, rq, client, board):
    job = board["job"]
    for _ in range(2):
        client.get(f"/jobs/{job.id}/{job.slug}")
    assert rq.connection.hget(views.REDIS_KEY, str(job.id)) == b"2"
    assert flush_views() == 2
    db.session.expire_all()
    assert db.session.get(Job, job.id).view_count == 2
    assert not rq.connection.exists(views.REDIS_KEY)


@pytest.mark.redis
def test_views_survive_redis_going_away(app, rq, client, board, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    job = board["job"]

    def down(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(type(rq.connection), "hincrby", down)
    client.get(f"/jobs/{job.id}/{job.slug}")
    monkeypatch.undo()
    assert flush_views() == 1


def test_anonymous_public_pages_set_no_cookie_and_carry_no_csrf_token(client, board):
    for path in _public_paths(board):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert 'name="csrf-token"' not in response.text, path
        assert "X-CSRFToken" not in response.text, path
        assert response.headers["Cache-Control"].startswith("public, max-age="), path
        assert "Cookie" in response.headers["Vary"], path


def test_logged_in_pages_are_private_and_keep_their_token(client, board):
    login(client, make_user())
    client.get("/")  # shows (and uses up) the "Welcome back" message
    response = client.get("/jobs")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert 'name="csrf-token"' in response.text


@pytest.mark.parametrize("which", [0, 3, 4])
def test_a_revalidation_of_an_unchanged_page_is_a_304(client, board, which):
    path = _public_paths(board)[which]
    first = client.get(path)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_the_etag_changes_when_the_job_does(client, board):
    job = board["job"]
    path = f"/jobs/{job.id}/{job.slug}"
    etag = client.get(path).headers["ETag"]
    jobs.update_job(job, {"description": "Now with more detail."})
    db.session.commit()
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_page_and_fragment_and_users_never_share_an_etag(client, board):
    page = client.get("/jobs").headers["ETag"]
    fragment = client.get("/jobs", headers=hx("job-results")).headers["ETag"]
    login(client, make_user())
    client.get("/")
    mine = client.get("/jobs").headers["ETag"]
    assert len({page, fragment, mine}) == 3


def test_the_home_page_count_is_cached_but_a_change_here_shows_at_once(client, board, app):
    assert "See all 1 open jobs" in client.get("/").text
    make_job(board["owner"], title="Second Role")
    assert "See all 2 open jobs" in client.get("/").text
    counts = []
    listener = lambda conn, cur, statement, *a: counts.append(statement) if "count(" in statement.lower() else None  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get("/")
        client.get("/")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert counts == []


def test_an_anonymous_home_page_repeat_is_the_kept_page_and_a_new_job_renders_anew(client, board, app):
    rendered = []
    record = lambda sender, template, context, **extra: rendered.append(template.name)  # noqa: E731
    template_rendered.connect(record, app)
    try:
        first = client.get("/")
        again = client.get("/")
        make_job(board["owner"], title="Second Role")
        changed = client.get("/")
    finally:
        template_rendered.disconnect(record, app)
    assert again.get_data() == first.get_data()
    assert rendered.count("public/home.html") == 2  # the first visit and the one after the new job
    assert "Second Role" in changed.text
    login(client, make_user())
    assert "Second Role" in client.get("/").text  # a signed-in page is rendered for its user


def test_an_anonymous_job_page_repeat_is_the_kept_page_and_an_edit_renders_anew(client, board, app):
    job = board["job"]
    path = f"/jobs/{job.id}/{job.slug}"
    rendered = []
    record = lambda sender, template, context, **extra: rendered.append(template.name)  # noqa: E731
    template_rendered.connect(record, app)
    try:
        first = client.get(path)
        again = client.get(path)
        jobs.update_job(job, {"title": "Cached Role", "description": "Now with a **new** description."})
        db.session.commit()
        changed = client.get(path)
    finally:
        template_rendered.disconnect(record, app)
    assert again.get_data() == first.get_data()
    assert rendered.count("public/job_detail.html") == 2  # the first visit and the one after the edit
    assert "new</strong> description" in changed.text
    login(client, make_user())
    signed_in = client.get(path)
    assert "Save" not in first.text
    assert "Save" in signed_in.text  # rendered for the user, not the kept page


def test_a_page_showing_a_one_time_message_is_never_cached(client, board):
    login(client, make_user())
    client.post("/logout")  # flashes "You have been logged out." for the next page
    response = client.get("/")
    assert "You have been logged out." in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    assert client.get("/").headers["Cache-Control"].startswith("public")


def test_responses_are_compressed_when_the_client_accepts_it(client, board):
    plain = client.get("/jobs")
    packed = client.get("/jobs", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    again = client.get("/jobs", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_card_links_match_what_url_for_builds(app, board):
    from flask import url_for

    job = board["job"]
    with app.test_request_context():
        job_path = app.jinja_env.globals["job_path"]
        company_path = app.jinja_env.globals["company_path"]
        for candidate in (job, type("J", (), {"id": 2147483647, "slug": "a-b-ü"})()):
            assert job_path(candidate) == url_for("public.job_detail", job_id=candidate.id, slug=candidate.slug)
        assert company_path(job.company) == url_for("public.company", slug=job.company.slug)


# --- search pages: ETag by index version and query, rendered pages kept per version ---------------------------


class Queries:
    """SQL statements the application sends while attached (from this thread)."""

    def __init__(self):
        self.statements: list[str] = []
        self.thread = threading.get_ident()

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == self.thread:
            self.statements.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


@pytest.mark.parametrize("headers", [{}, hx("job-results")], ids=["page", "fragment"])
def test_a_repeated_anonymous_search_is_served_from_the_rendered_pages(client, board, headers):
    first = client.get("/jobs?q=cached", headers=headers)
    assert "Cached Role" in first.text
    with Queries() as queries:
        again = client.get("/jobs?q=cached", headers=headers)
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["HX-Push-Url"] == first.headers["HX-Push-Url"]
    # Only the index's catch-up check (ids and times of changed rows) reached the database: no job
    # was loaded to render a card, the page was kept.
    assert [q for q in queries.statements if "jobs.title" in q] == []
    assert len(queries.statements) <= 1


def test_a_kept_page_goes_out_compressed_as_the_client_accepts(client, board):
    plain = client.get("/jobs?q=cached")
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        packed = client.get("/jobs?q=cached", headers={"Accept-Encoding": f"{encoding}, identity"})
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert decode(packed.get_data()) == plain.get_data()
        revalidation = {"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]}
        again = client.get("/jobs?q=cached", headers=revalidation)
        assert again.status_code == 304


def test_a_kept_page_is_held_compressed_and_still_served_plain(client, board):
    """Issue 9's worker memory: a page first asked for in brotli is kept as brotli only (a tenth of
    its size), and a client that accepts no encoding still gets the exact page from it."""
    caching.pages.clear()
    packed = client.get("/jobs?q=cached", headers={"Accept-Encoding": "br"})
    page = brotli.decompress(packed.get_data())
    assert len(caching.pages) == 1
    assert caching.pages.stored_bytes() == len(packed.get_data()) < len(page) / 3
    plain = client.get("/jobs?q=cached", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == page
    assert caching.pages.stored_bytes() == len(packed.get_data())  # the plain body was not kept


def test_a_new_index_version_replaces_the_kept_page(client, board):
    first = client.get("/jobs?q=role")
    assert "Second Role" not in first.text
    make_job(board["owner"], title="Second Role")
    again = client.get("/jobs?q=role", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "Second Role" in again.text
    assert again.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("headers", [{}, hx("job-results")], ids=["page", "fragment"])
def test_a_search_revalidation_is_a_304_with_cache_headers(client, board, headers):
    first = client.get("/jobs?q=cached&workplace=remote", headers=headers)
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert first.headers["Last-Modified"]
    again = client.get("/jobs?q=cached&workplace=remote", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    other = client.get("/jobs?q=other", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200  # another query, another ETag


def test_an_anonymous_search_page_is_rendered_anew_in_the_next_minute(client, board, minute):
    """Search pages also move with the clock (expiry, "posted in the past 24 hours"), so a kept page
    and its ETag last at most the minute they were made in."""
    first = client.get("/jobs?q=cached")
    assert client.get("/jobs?q=cached", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    minute["now"] += 1
    later = client.get("/jobs?q=cached", headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200
    assert later.headers["ETag"] != first.headers["ETag"]
    assert "Cached Role" in later.text


def test_the_search_etag_changes_when_a_job_in_it_changes(client, board):
    etag = client.get("/jobs?q=cached").headers["ETag"]
    jobs.update_job(board["job"], {"title": "Cached Role, renamed"})
    db.session.commit()
    response = client.get("/jobs?q=cached", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Cached Role, renamed" in response.text
    assert response.headers["ETag"] != etag
