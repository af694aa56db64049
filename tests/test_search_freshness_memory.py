"""Issue 9, search side: how stale a search may be (the catch-up interval), where an index is built
(never in a web process serving requests, unless embedded) and how it is stored (separate segment
files, read through memory maps). Real Whoosh on disk, real PostgreSQL/SQLite; the interval's clock
is moved by the test instead of sleeping."""

import os
import re
import threading
from datetime import timedelta

import pytest
from conftest import app_config
from factories import make_job, make_recruiter
from search_support import fresh_index, titles  # noqa: F401  (fixture)
from sqlalchemy import event, func, select, update
from werkzeug.datastructures import MultiDict

from app.config import load_config
from app.extensions import db
from app.models import Company, Job, utcnow
from app.search import parse_params, search_jobs, sync
from app.search.index import get_index
from app.tasks.search import ensure_index


@pytest.fixture
def owner(app_ctx, fresh_index):
    return make_recruiter("Fresh Co")


@pytest.fixture
def clock(monkeypatch):
    """sync's interval clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(sync, "clock", lambda: now[0])
    return now


def change_elsewhere(job_id: int, title: str) -> None:
    """A commit the way another process makes it: no session of this process sees it."""
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(title=title, updated_at=utcnow()))


def test_another_process_change_is_searchable_within_the_interval_not_later(app, client, owner, clock):
    job = make_job(owner, title="Warehouse Lead")
    with app_config(app, SEARCH_CATCH_UP_MS=1000):
        assert titles(client.get("/jobs?q=warehouse").text) == ["Warehouse Lead"]  # checked at t=1000
        change_elsewhere(job.id, "Harbour Pilot")
        clock[0] += 0.5  # inside the interval: no check, the index is as it was (the stated staleness)
        assert titles(client.get("/jobs?q=harbour").text) == []
        clock[0] += 0.5  # the interval has passed: this search checks first
        assert titles(client.get("/jobs?q=harbour").text) == ["Harbour Pilot"]
        assert titles(client.get("/jobs?q=warehouse").text) == []


def test_this_process_change_is_on_its_next_search_even_inside_the_interval(app, client, owner, clock):
    job = make_job(owner, title="Warehouse Lead")
    with app_config(app, SEARCH_CATCH_UP_MS=60_000):
        assert titles(client.get("/jobs?q=warehouse").text) == ["Warehouse Lead"]
        # A commit of this process outside a request (a CLI command, a thread): no catch-up ran
        # after it, and the interval is far from over.
        db.session.get(Job, job.id).title = "Lighthouse Keeper"
        db.session.commit()
        assert titles(client.get("/jobs?q=lighthouse").text) == ["Lighthouse Keeper"]


def test_a_search_does_not_wait_for_another_thread_catching_up(app, client, owner, clock):
    make_job(owner, title="Warehouse Lead")
    client.get("/jobs?q=warehouse")
    handle = get_index(app)
    clock[0] += 10
    holding, release = threading.Event(), threading.Event()

    def catching_up():  # another thread of this process, in the middle of a long catch-up
        with handle.sync_lock:
            holding.set()
            release.wait(timeout=5)

    other = threading.Thread(target=catching_up)
    other.start()
    holding.wait(timeout=5)
    try:
        with app_config(app, SEARCH_CATCH_UP_MS=1000):
            assert titles(client.get("/jobs?q=warehouse").text) == ["Warehouse Lead"]
            assert handle.sync_lock.locked()  # answered while the other catch-up still runs
    finally:
        release.set()
        other.join()


def test_a_web_process_never_builds_a_missing_index_the_worker_task_does(app, client, owner):
    make_job(owner, title="Harbour Pilot")
    handle = get_index(app)
    os.remove(os.path.join(handle.root, "CURRENT"))  # a new deploy: no index on this disk
    with app_config(app, SEARCH_REBUILD_IN_WEB=False):
        page = client.get("/jobs?q=harbour").text
        assert titles(page) == ["Harbour Pilot"]  # answered from the database meanwhile
        assert handle.rebuild_thread is None  # nothing was built in the web process
        assert handle.current_name() is None
        assert ensure_index.fn() == 1  # the worker's periodic job builds it
        assert handle.current_name() is not None
        assert ensure_index.fn() == 0  # nothing due any more
        assert titles(client.get("/jobs?q=harbour").text) == ["Harbour Pilot"]
        assert handle.snapshot().doc_count >= 1


def test_embedded_mode_still_builds_in_the_background(app, client, owner):
    make_job(owner, title="Harbour Pilot")
    handle = get_index(app)
    os.remove(os.path.join(handle.root, "CURRENT"))
    with app_config(app, SEARCH_REBUILD_IN_WEB=True):
        client.get("/jobs?q=harbour")
        assert handle.rebuild_thread is not None
        handle.rebuild_thread.join(timeout=30)
    assert handle.current_name() is not None


def test_segments_are_separate_files_never_one_compound_file(app, client, owner):
    make_job(owner, title="Harbour Pilot")  # a catch-up commit after the build: a second segment
    make_job(owner, title="Lighthouse Keeper")
    handle = get_index(app)
    files = os.listdir(handle.current_path())
    assert any(name.endswith(".trm") for name in files)  # the term file of a segment, on its own
    assert not any(name.endswith(".seg") for name in files)  # no compound segment file
    assert all(not segment.is_compound() for segment in handle.segments())
    assert titles(client.get("/jobs?q=lighthouse").text) == ["Lighthouse Keeper"]


# --- PostgreSQL: counts from the per-process count cache stay exact ---------------------------


def browse(**args):
    multi = MultiDict(args)
    results = search_jobs(parse_params(multi))
    assert not results.degraded
    return results


def facet(results, group: str) -> dict[str, int]:
    return next(({o.value: o.count for o in f.options} for f in results.facets if f.name == group), {})


def database_counts() -> tuple[int, dict[str, int]]:
    """Open jobs per company slug, counted by the database itself."""
    rows = db.session.execute(
        select(Company.slug, func.count()).join(Job.company).where(Job.open_clause(utcnow())).group_by(Company.slug)
    ).all()
    return sum(n for _, n in rows), dict(rows)


@pytest.mark.postgres
def test_postgres_totals_and_facets_equal_the_database_after_every_commit(app, app_ctx):
    acme, globex = make_recruiter("Acme Analytics"), make_recruiter("Globex")
    jobs = [make_job(acme, title=f"Analyst {n}") for n in range(3)] + [make_job(globex, title="Clerk")]
    with app_config(app, SEARCH_BACKEND="postgres"):
        for change in (
            lambda: None,
            lambda: setattr(db.session.get(Job, jobs[0].id), "status", "closed"),  # a close
            lambda: make_job(globex, title="Courier"),  # a new posting
            lambda: setattr(db.session.get(Job, jobs[1].id), "company_id", globex.company.id),  # moved
        ):
            change()
            db.session.commit()
            for args in ({}, {"q": "analyst"}, {"company": "globex"}):
                results = browse(**args)
                again = browse(**args)  # the same search again, answered from the cache
                assert (again.total, facet(again, "company")) == (results.total, facet(results, "company"))
            total, by_company = database_counts()
            results = browse()
            assert results.total == total
            assert facet(results, "company") == by_company
            assert browse(company="globex").total == by_company["globex"]


# --- results are hydrated with one lean query -------------------------------------------------


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_backend(request, app):
    if request.param == "whoosh":
        request.getfixturevalue("fresh_index")
    with app_config(app, SEARCH_BACKEND=request.param):
        yield request.param


def test_a_results_page_loads_its_jobs_in_one_query_and_renders_without_more(app, app_ctx, client, any_backend):
    owner = make_recruiter("Lean Co")
    for n in range(5):
        make_job(owner, title=f"Lean Engineer {n}", featured_until=utcnow() + timedelta(days=1) if n == 0 else None)
    db.session.commit()
    client.get("/jobs?q=lean")  # absorbs the new jobs (a Whoosh catch-up loads whole rows)
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = client.get("/jobs?q=lean&page=1").text  # another address: not a kept page (caching.PageCache)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(titles(page)) == 5
    assert "Lean Co" in page
    by_id = [s for s in statements if re.search(r"FROM jobs .*WHERE jobs\.id (IN|=)", s)]
    assert len(by_id) == 1, by_id  # the page's jobs, with their companies: nothing loaded per card
    assert not [s for s in statements if re.search(r"FROM companies WHERE companies\.id =", s)]
    assert "description" in by_id[0]
    assert "view_count" not in by_id[0]
    assert "created_by_id" not in by_id[0]


def test_the_postgres_count_cache_holds_a_bounded_number_of_rows():
    from app.search.postgres_backend import _CountCache

    cache = _CountCache(max_rows=100)
    cache.put(("huge",), [("location", "x", 1, None, None)] * 40)  # over a quarter: never kept
    assert cache.get(("huge",)) is None
    for n in range(20):
        cache.put((n,), [("total", "", n, None, None)] * 20)
        assert cache.rows <= 100
    assert cache.get((19,)) is not None  # the newest stay
    assert cache.get((0,)) is None  # the oldest went


# --- what a web process holds stays bounded ---------------------------------------------------


def test_the_term_cache_stays_within_its_byte_budget_and_still_answers(app, app_ctx, owner, monkeypatch):
    """Every word searched leaves its postings and a bitset of the whole segment in the engine's
    cache; the cache counts those bytes (bitsets included) and drops the least recent words over
    the budget, and a word dropped is read again when searched."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    for n, word in enumerate(words):
        make_job(owner, title=f"{word.title()} Engineer", description=f"{word} work number {n}")
    db.session.commit()
    budget = 6_000
    monkeypatch.setattr(get_index(app), "term_cache_bytes", budget)
    get_index(app)._searcher = None  # the next search takes a snapshot with this budget
    for word in words * 2:
        results = search_jobs(parse_params(MultiDict({"q": word})))
        assert [hit.job.title for hit in results.hits] == [f"{word.title()} Engineer"]
    segments = list(get_index(app)._segments.values())
    assert sum(data.cached_bytes for data in segments) <= budget
    for data in segments:
        assert data.cached_bytes == sum(entry.size() for entry in data.terms.values())
        assert len(data.terms) < 2 * len(words)  # some words were dropped (title and description each)


def test_the_term_cache_budget_comes_from_the_setting(app, tmp_path):
    """SEARCH_TERM_CACHE_MB reaches the engine: each search's snapshot trims to it."""
    with app_config(app, SEARCH_TERM_CACHE_MB=3, SEARCH_INDEX_DIR=str(tmp_path / "own-index")):
        handle = get_index(app)
        assert handle.term_cache_bytes == 3 * 1024 * 1024
    assert load_config({"APP_ENV": "test", "SECRET_KEY": "s" * 40})["SEARCH_TERM_CACHE_MB"] == 16


def test_occasional_background_work_runs_once_a_minute_and_logs_its_failure(app, caplog):
    """The PostgreSQL backend's vocabulary refresh and count folding run on a thread at most once a
    minute per process, whatever the number of searches asking; a failure is logged, not raised."""
    from app.search.postgres_backend import _Occasionally

    runs = []
    done = threading.Event()

    def work():
        runs.append(1)
        done.set()
        raise RuntimeError("database went away")

    occasionally = _Occasionally(work, "test-occasional", "testing the occasional work")
    occasionally(app)
    assert done.wait(5)
    for _ in range(5):
        occasionally(app)  # within the minute: nothing more starts
    occasionally.interval = 0
    done.clear()
    occasionally(app)
    assert done.wait(5)
    for thread in threading.enumerate():
        if thread.name == "test-occasional":
            thread.join(5)
    assert runs == [1, 1]
    assert "search: testing the occasional work failed" in caplog.text
