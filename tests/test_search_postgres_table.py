"""The PostgreSQL backend searches search.jobs (migration 0027), a narrow copy of the published jobs
kept by triggers on jobs. Each change a recruiter or the sweeper can make must reach it before the
next search: a new job, an edit of a searched word or of a facet, closing, reopening, expiry, a
company rename, a deletion (also of the company), and TRUNCATE. Each test asserts what a visitor
sees (titles, totals, facet counts) and that the copy matches the jobs rows."""

from datetime import timedelta

import pytest
from conftest import app_config
from factories import make_job, make_recruiter
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Company, Job, utcnow
from app.search import parse_params, search_jobs

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(app, app_ctx):
    with app_config(app, SEARCH_BACKEND="postgres"):
        yield


def search(**args):
    multi = MultiDict()
    for key, value in args.items():
        multi.add(key, value)
    db.session.commit()  # a new transaction: what the next request would see
    results = search_jobs(parse_params(multi))
    assert not results.degraded
    return results


def counts(results, group: str) -> dict[str, int]:
    for facet in results.facets:
        if facet.name == group:
            return {option.value: option.count for option in facet.options if option.count}
    return {}


def copy_matches_jobs():
    """search.jobs holds exactly the published jobs, each with the row's current values."""
    rows = db.session.execute(
        text(
            "SELECT count(*) FILTER (WHERE s.id IS NULL OR j.id IS NULL"
            "   OR s.company_id <> j.company_id OR s.location <> btrim(j.location)"
            "   OR s.workplace <> j.workplace OR s.seniority <> j.seniority"
            "   OR s.expires_at IS DISTINCT FROM j.expires_at"
            "   OR s.salary_upper IS DISTINCT FROM coalesce(j.salary_max, j.salary_min)"
            "   OR s.search_vector IS DISTINCT FROM j.search_vector),"
            " count(s.id)"
            " FROM search.jobs AS s FULL JOIN (SELECT * FROM jobs WHERE status = 'published') AS j ON j.id = s.id"
        )
    ).one()
    return rows[0] == 0, rows[1]


def test_a_published_job_is_found_and_counted_and_a_draft_is_not(pg):
    owner = make_recruiter("Acme")
    make_job(owner, title="Lighthouse Keeper", location="  Oban  ")
    make_job(owner, title="Lighthouse Painter", status="draft")
    found = search(q="lighthouse")
    assert [hit.job.title for hit in found.hits] == ["Lighthouse Keeper"]
    assert found.total == 1
    assert counts(found, "location") == {"Oban": 1}
    assert copy_matches_jobs() == (True, 1)


def test_an_edit_of_words_or_facets_shows_on_the_next_search(pg):
    owner = make_recruiter("Acme")
    job = make_job(owner, title="Lighthouse Keeper", workplace="onsite", salary_min=None, salary_max=None)
    job.title = "Harbour Master"
    job.workplace = "remote"
    job.salary_min, job.salary_max, job.salary_currency = 120000, 150000, "USD"
    db.session.commit()
    assert search(q="lighthouse").total == 0
    found = search(q="harbour")
    assert [hit.job.title for hit in found.hits] == ["Harbour Master"]
    assert counts(found, "workplace") == {"remote": 1}
    assert search(q="harbour", salary_min="100000").total == 1
    assert copy_matches_jobs() == (True, 1)


def test_closing_and_reopening_a_job(pg):
    owner = make_recruiter("Acme")
    job = make_job(owner, title="Lighthouse Keeper")
    job.status = "closed"
    db.session.commit()
    assert search(q="lighthouse").total == 0
    assert search().total == 0
    assert copy_matches_jobs() == (True, 0)
    job.status = "published"
    db.session.commit()
    assert search(q="lighthouse").total == 1
    assert copy_matches_jobs() == (True, 1)


def test_an_expiry_passing_or_moved_counts_at_once(pg):
    owner = make_recruiter("Acme")
    job = make_job(owner, title="Lighthouse Keeper", workplace="remote")
    make_job(owner, title="Lighthouse Cook", workplace="remote", expires_at=utcnow() - timedelta(seconds=1))
    found = search(q="lighthouse")
    assert (found.total, counts(found, "workplace")) == (1, {"remote": 1})
    job.expires_at = utcnow() - timedelta(seconds=1)  # the sweeper has not run: the job is still "published"
    db.session.commit()
    found = search(q="lighthouse")
    assert (found.total, counts(found, "workplace")) == (0, {})
    assert copy_matches_jobs() == (True, 2)


def test_a_company_rename_is_searchable_and_its_jobs_keep_their_rows(pg):
    owner = make_recruiter("Acme")
    make_job(owner, title="Lighthouse Keeper")
    company = db.session.get(Company, owner.company.id)
    company.name = "Zephyrine Shipping"
    db.session.commit()
    assert [hit.job.title for hit in search(q="zephyrine").hits] == ["Lighthouse Keeper"]
    assert search(q="acme").total == 0
    assert copy_matches_jobs() == (True, 1)


def test_a_company_rename_relabels_the_company_facet_of_the_next_search(pg):
    """Company facet labels are kept per process for the companies' version (_CompanyLabels): an
    edit of a company must show on the next search, not the label kept from the one before."""
    owner = make_recruiter("Acme")
    make_job(owner, title="Lighthouse Keeper")

    def labels():
        found = search(q="lighthouse")
        (group,) = [facet for facet in found.facets if facet.name == "company"]
        return {option.value: option.label for option in group.options}

    assert labels() == {owner.company.slug: "Acme"}
    company = db.session.get(Company, owner.company.id)
    company.name, company.slug = "Zephyrine Shipping", "zephyrine-shipping"
    db.session.commit()
    assert labels() == {"zephyrine-shipping": "Zephyrine Shipping"}


def test_deleting_a_job_or_its_company_removes_it(pg):
    owner, other = make_recruiter("Acme"), make_recruiter("Globex")
    job = make_job(owner, title="Lighthouse Keeper")
    make_job(owner, title="Lighthouse Cook")
    make_job(other, title="Lighthouse Painter")
    db.session.delete(db.session.get(Job, job.id))
    db.session.commit()
    assert sorted(hit.job.title for hit in search(q="lighthouse").hits) == ["Lighthouse Cook", "Lighthouse Painter"]
    db.session.execute(text("DELETE FROM companies WHERE id = :id"), {"id": owner.company.id})
    db.session.commit()
    found = search(q="lighthouse")
    assert [hit.job.title for hit in found.hits] == ["Lighthouse Painter"]
    assert found.total == 1
    assert copy_matches_jobs() == (True, 1)


def test_truncating_jobs_empties_the_copy(pg):
    make_job(make_recruiter("Acme"), title="Lighthouse Keeper")
    db.session.execute(text("TRUNCATE jobs CASCADE"))
    db.session.commit()
    assert search().total == 0
    assert copy_matches_jobs() == (True, 0)


def test_a_view_count_increment_does_not_rewrite_the_search_row(pg):
    """Job pages count their views: that write must not touch search.jobs (its GIN index)."""
    job = make_job(make_recruiter("Acme"), title="Lighthouse Keeper")
    before = db.session.scalar(text("SELECT xmin::text FROM search.jobs WHERE id = :id"), {"id": job.id})
    job.view_count += 1
    db.session.commit()
    after = db.session.scalar(text("SELECT xmin::text FROM search.jobs WHERE id = :id"), {"id": job.id})
    assert before == after


def test_the_first_change_after_the_migration_is_counted_at_once(pg):
    """search.changes as migration 0027 leaves it, never advanced: its first advance must still make
    the count cache's key new (a fresh sequence's last_value is the same before and after it)."""
    owner = make_recruiter("Acme")
    make_job(owner, title="Lighthouse Keeper")
    db.session.execute(text("ALTER SEQUENCE search.changes RESTART"))
    db.session.commit()
    assert search(q="lighthouse").total == 1
    make_job(owner, title="Lighthouse Cook")
    found = search(q="lighthouse")
    assert sorted(hit.job.title for hit in found.hits) == ["Lighthouse Cook", "Lighthouse Keeper"]
    assert found.total == 2
