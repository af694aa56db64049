"""A browse without words on the PostgreSQL backend reads its counts from search.facet_counts
(migration 0030), kept by triggers, instead of counting every open job. A visitor must see exactly
what counting the jobs shows: after a job is posted, edited, closed, reopened or deleted, when its
expiry passes (the sweeper has not run), when the watermark of the expired counts moves past it or
lags behind the search's time, and after the appended rows are folded."""

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import app_config
from factories import make_job, make_recruiter
from sqlalchemy import Integer, String, bindparam, func, select, text
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Company, Job, utcnow
from app.search import backend as search_backend
from app.search import documents, parse_params, postgres_backend, sql
from app.search.registry import get_backend

pytestmark = pytest.mark.postgres

# Every browse whose counts come from search.facet_counts: no filter, and each group alone.
BROWSES = [
    {},
    {"sort": "newest"},
    {"workplace": "remote"},
    {"workplace": ["remote", "hybrid"]},
    {"employment_type": "contract"},
    {"seniority": "senior"},
    {"location": "Berlin, Germany"},
    {"posted": "7d"},
    {"posted": "24h"},
    {"salary_min": "75000"},
    {"salary_min": "60000"},  # not one of the steps
    {"q": "the"},  # only a stop word: every open job
]


@pytest.fixture
def pg(app, app_ctx):
    with app_config(app, SEARCH_BACKEND="postgres"):
        yield app


def outcome(app, args: dict, board: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(postgres_backend, "BOARD_COUNTS", board)
    postgres_backend._count_cache.clear()
    db.session.commit()  # a new transaction: what the next request would see
    request = parse_params(MultiDict(args)).request(20, NOW[0])
    found = get_backend(app).search(request)
    db.session.rollback()
    return found.total, found.facets, found.labels, [hit.job.id for hit in found.hits]


NOW = [utcnow()]


def assert_board_counts_the_jobs(app, monkeypatch):
    """Every browse: the board's counts and page are those of counting the jobs."""
    for args in BROWSES:
        kept = outcome(app, args, True, monkeypatch)
        counted = outcome(app, args, False, monkeypatch)
        assert kept == counted, args
    assert_stored_counts_are_exact()


def assert_stored_counts_are_exact():
    """search.facet_counts, summed, holds exactly what a GROUP BY of search.jobs gives, each row
    counted once by value and once more as "x_" when its expiry is at or before the watermark."""
    stored = db.session.execute(
        text("SELECT facet, value, sum(n) FROM search.facet_counts GROUP BY 1, 2 HAVING sum(n) <> 0")
    ).all()
    exact = db.session.execute(
        text(
            "SELECT f.facet, f.value, count(*) FROM search.jobs AS s CROSS JOIN search.facet_watermark AS w"
            " CROSS JOIN LATERAL search.job_facets(s.workplace, s.employment_type, s.seniority, s.location,"
            " s.company_id, s.salary_usd, s.published_at, coalesce(s.expires_at <= w.at, false)) AS f"
            " GROUP BY 1, 2"
        )
    ).all()
    assert sorted(stored) == sorted(exact)


def make_board():
    acme, globex = make_recruiter("Acme"), make_recruiter("Globex")
    now = utcnow()
    jobs = [
        make_job(
            acme, title="Data Analyst", workplace="remote", seniority="junior", published_at=now - timedelta(hours=2)
        ),
        make_job(
            acme,
            title="Platform Engineer",
            workplace="onsite",
            location="London, UK",
            salary_min=120000,
            salary_max=160000,
            salary_currency="USD",
            published_at=now - timedelta(days=3),
        ),
        make_job(
            globex,
            title="Nurse",
            workplace="hybrid",
            employment_type="contract",
            salary_min=400,
            salary_max=500,
            salary_currency="GBP",
            salary_period="day",
            published_at=now - timedelta(days=20),
        ),
        make_job(globex, title="Cook", salary_min=None, salary_max=None, published_at=now - timedelta(days=45)),
        make_job(globex, title="Draft Writer", status="draft"),
    ]
    return acme, globex, jobs


def test_board_counts_equal_counting_the_jobs_through_every_change(pg, monkeypatch):
    acme, globex, jobs = make_board()
    NOW[0] = utcnow()
    assert_board_counts_the_jobs(pg, monkeypatch)

    # Posted, edited (each facet, the salary, the publication time), moved to another company.
    make_job(acme, title="Another Analyst", workplace="remote", location="Berlin, DE")
    analyst = db.session.get(Job, jobs[0].id)
    analyst.workplace, analyst.seniority, analyst.location = "hybrid", "lead", "Lisbon, Portugal"
    engineer = db.session.get(Job, jobs[1].id)
    engineer.salary_max, engineer.published_at = 60000, utcnow() - timedelta(days=10)
    nurse = db.session.get(Job, jobs[2].id)
    nurse.company_id = acme.company.id
    db.session.commit()
    NOW[0] = utcnow()
    assert_board_counts_the_jobs(pg, monkeypatch)

    # Closed, reopened, deleted, a draft published.
    cook = db.session.get(Job, jobs[3].id)
    cook.status = "closed"
    db.session.commit()
    NOW[0] = utcnow()
    assert_board_counts_the_jobs(pg, monkeypatch)
    cook.status = "published"
    db.session.delete(db.session.get(Job, jobs[1].id))
    draft = db.session.get(Job, jobs[4].id)
    draft.status, draft.published_at = "published", utcnow()
    db.session.commit()
    NOW[0] = utcnow()
    assert_board_counts_the_jobs(pg, monkeypatch)


def test_expiry_passing_counts_at_once_whatever_the_watermark(pg, monkeypatch):
    _, _, jobs = make_board()
    # Expired before the watermark moves (between it and the search's time), then folded into it.
    analyst = db.session.get(Job, jobs[0].id)
    analyst.expires_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    NOW[0] = utcnow()
    assert outcome(pg, {}, True, monkeypatch)[0] == 3
    assert_board_counts_the_jobs(pg, monkeypatch)
    postgres_backend.compact_facet_counts()  # the watermark moves to now: the analyst counted as expired
    assert db.session.scalar(text("SELECT count(*) FROM search.facet_counts WHERE facet LIKE 'x!_%' ESCAPE '!'"))
    assert_board_counts_the_jobs(pg, monkeypatch)

    # An expiry moved back into the future, and one moved into the past, behind the watermark.
    analyst.expires_at = utcnow() + timedelta(days=3)
    nurse = db.session.get(Job, jobs[2].id)
    nurse.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    NOW[0] = utcnow()
    assert_board_counts_the_jobs(pg, monkeypatch)

    # A search whose time is behind the watermark (a request that began before it moved): the jobs
    # that expire between the two are still open for it.
    cook = db.session.get(Job, jobs[3].id)
    cook.expires_at = utcnow() + timedelta(seconds=30)
    db.session.commit()
    NOW[0] = utcnow()
    db.session.execute(text("SELECT search.advance_facet_watermark(now() + interval '1 minute')"))
    db.session.commit()
    assert_board_counts_the_jobs(pg, monkeypatch)
    # And one ahead of both the expiry and the watermark.
    NOW[0] = utcnow() + timedelta(minutes=2)
    assert_board_counts_the_jobs(pg, monkeypatch)


def test_folding_the_appended_rows_keeps_every_count(pg, monkeypatch):
    acme, _, jobs = make_board()
    for n in range(5):
        make_job(acme, title=f"Engineer {n}", workplace="remote")
    before = db.session.scalar(text("SELECT count(*) FROM search.facet_counts"))
    NOW[0] = utcnow()
    counted = outcome(pg, {}, False, monkeypatch)
    postgres_backend.compact_facet_counts()
    assert db.session.scalar(text("SELECT count(*) FROM search.facet_counts")) < before
    assert outcome(pg, {}, True, monkeypatch) == counted
    assert_board_counts_the_jobs(pg, monkeypatch)


def test_a_fold_leaves_no_dead_space_for_browses_to_read(pg, monkeypatch):
    """The rows a fold replaces are reclaimed at once (autovacuum may be off, or behind): a table
    that is mostly dead rows after many changes is rewritten to what its rows need."""
    monkeypatch.setattr(postgres_backend, "FACET_COUNTS_REWRITE_PAGES", 1)
    acme, _, _ = make_board()
    jobs = [make_job(acme, title=f"Engineer {n}", workplace="remote") for n in range(40)]
    for seniority in ("junior", "mid", "lead", "junior", "senior", "mid"):  # each edit appends rows
        for job in jobs:
            job.seniority = seniority
        db.session.commit()

    def pages():
        db.session.commit()
        return db.session.scalar(text("SELECT pg_relation_size('search.facet_counts') / 8192"))

    grown = pages()
    NOW[0] = utcnow()
    counted = outcome(pg, {}, False, monkeypatch)
    db.session.remove()  # as on the thread that folds: no transaction of this test holds the old rows
    postgres_backend.compact_facet_counts()
    assert grown >= 6
    assert pages() == 1  # the folded rows fit on one page, and nothing else is left
    assert outcome(pg, {}, True, monkeypatch) == counted
    assert_board_counts_the_jobs(pg, monkeypatch)


def test_a_rebuild_recounts_the_board(pg, monkeypatch):
    make_board()
    db.session.execute(text("DELETE FROM search.facet_counts"))  # as if the triggers had been off
    db.session.commit()
    get_backend(pg).rebuild()
    NOW[0] = utcnow()
    assert_board_counts_the_jobs(pg, monkeypatch)


def test_truncating_jobs_empties_the_board(pg, monkeypatch):
    make_board()
    db.session.execute(text("TRUNCATE jobs CASCADE"))
    db.session.commit()
    NOW[0] = utcnow()
    assert outcome(pg, {}, True, monkeypatch)[0] == 0
    assert_board_counts_the_jobs(pg, monkeypatch)


def test_the_stored_yearly_salary_is_the_one_searches_computed(pg):
    """search.yearly_usd (migration 0030, behind search.jobs.salary_usd) gives the very float that
    sql.yearly_usd's expression gives, for every currency and period, known or not."""
    for upper in (1, 37, 123457):
        for currency in [*documents.USD_RATES, "XYZ"]:
            for period in [*documents.PERIODS_PER_YEAR, "fortnight"]:
                u = bindparam("u", upper, type_=Integer)
                c, p = bindparam("c", currency, type_=String), bindparam("p", period, type_=String)
                stored = func.search.yearly_usd(u, c, p)
                assert db.session.scalar(select(sql.yearly_usd(u, c, p).is_not_distinct_from(stored))), (
                    upper,
                    currency,
                    period,
                )


def _migration(filename: str):
    """A migration module, loaded from its file (migrations/versions is not a package)."""
    path = Path(__file__).parent.parent / "migrations" / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"migration_{filename[:4]}", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def test_the_migration_keeps_the_rates_and_steps_of_the_code():
    """Migration 0030 holds frozen copies of the rates, periods and salary steps: when the code's
    change, a new migration must replace search.yearly_usd and search.job_facets."""
    migration = _migration("0030_pgsearch_board_counts.py")
    assert migration.USD_RATES == documents.USD_RATES
    assert migration.PERIODS_PER_YEAR == documents.PERIODS_PER_YEAR
    assert migration.SALARY_STEPS == search_backend.SALARY_STEPS


def test_the_migration_numbers_the_small_facets_as_the_code_does():
    """Migration 0031 numbers workplace, employment type and seniority values in search.jobs.cell
    from frozen copies: a value added in the code needs a new migration that renumbers them."""
    migration = _migration("0031_pgsearch_phrases_cells.py")
    assert migration.CELL_VALUES == postgres_backend.CELL_VALUES
    assert migration.SALARY_STEPS == search_backend.SALARY_STEPS


def test_each_jobs_cell_number_reads_back_as_its_values(pg):
    make_board()
    db.session.commit()
    rows = db.session.execute(
        text(
            "SELECT cell, workplace, employment_type, seniority, "
            + postgres_backend._salary_bucket("salary_usd")
            + " FROM search.jobs"
        )
    ).all()
    assert len(rows) == 4
    for cell, *values in rows:
        assert postgres_backend._CELLS[cell] == (*values[:3], str(values[3]))


def test_a_job_with_a_value_the_cells_do_not_number_is_counted_by_its_texts(pg, monkeypatch):
    make_board()
    db.session.commit()
    db.session.execute(text("UPDATE jobs SET workplace = 'moon base', seniority = 'wizard' WHERE title = 'Cook'"))
    db.session.commit()
    assert db.session.scalar(text("SELECT cell FROM search.jobs WHERE workplace = 'moon base'")) is None
    total, facets, _, _ = outcome(pg, {"q": "build"}, True, monkeypatch)  # every job's description
    assert total == 4
    assert facets["workplace"] == {"remote": 1, "onsite": 1, "hybrid": 1, "moon base": 1}
    assert facets["seniority"]["wizard"] == 1
    total, facets, _, _ = outcome(pg, {"q": "build", "workplace": "remote"}, True, monkeypatch)
    assert total == 1
    assert facets["workplace"] == {"remote": 1, "onsite": 1, "hybrid": 1, "moon base": 1}  # the group's own
    assert facets["seniority"] == {"junior": 1}
    total, facets, _, _ = outcome(pg, {"q": "build", "seniority": "senior"}, True, monkeypatch)
    assert facets["seniority"] == {"junior": 1, "senior": 2, "wizard": 1}


def test_a_company_rename_relabels_the_board(pg, monkeypatch):
    acme, _, _ = make_board()
    company = db.session.get(Company, acme.company.id)
    company.name = "Acme Zephyr"
    db.session.commit()
    NOW[0] = utcnow()
    _, _, labels, _ = outcome(pg, {}, True, monkeypatch)
    assert labels["company"][company.slug] == "Acme Zephyr"
    assert_board_counts_the_jobs(pg, monkeypatch)


def test_moving_the_watermark_never_waits_for_a_writer(pg):
    """A writer holds the watermark (FOR SHARE) until it commits: the watermark stays where it is
    meanwhile (it would queue every later writer behind it), and moves on the next try."""
    _, _, jobs = make_board()
    # Past wherever an earlier test left it.
    later = (
        "SELECT search.advance_facet_watermark("
        "greatest(now(), (SELECT at FROM search.facet_watermark)) + interval '1 s')"
    )
    writer = db.engine.connect()
    transaction = writer.begin()
    writer.execute(text("UPDATE jobs SET workplace = 'remote' WHERE id = :id"), {"id": jobs[3].id})
    with db.engine.begin() as other:
        assert other.scalar(text(later)) is False
    transaction.commit()
    writer.close()
    with db.engine.begin() as other:
        assert other.scalar(text(later)) is True
    assert_stored_counts_are_exact()
