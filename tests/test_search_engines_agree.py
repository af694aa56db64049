"""Both search backends give the same answer to generated searches on a generated board: the exact
total, every facet's counts (each group counted with the other filters only), and the page itself
wherever no relevance score decides it (browsing, or sorted by newest: featured first unless sorted
by newest, then newest first). The PostgreSQL statement counts in one pass of three grouping sets
and reads the featured jobs apart from the rest: this is what keeps it honest against the Whoosh
engine, which counts another way entirely."""

import random
from datetime import timedelta

import pytest
from conftest import app_config
from factories import make_job, make_recruiter
from search_support import fresh_index  # noqa: F401  (fixture)
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import EMPLOYMENT_TYPES, SENIORITIES, WORKPLACES, utcnow
from app.search import get_backend, parse_params, postgres_backend, search_jobs

pytestmark = pytest.mark.postgres

WORDS = ["data", "engineer", "nurse", "python", "platform", "analyst"]
# The models' dicts of value -> label, as sequences of values.
WORKPLACES, EMPLOYMENT_TYPES, SENIORITIES = list(WORKPLACES), list(EMPLOYMENT_TYPES), list(SENIORITIES)
PLACES = ["Berlin, Germany", "London, UK", "Lisbon, Portugal", "Remote"]
SALARIES = [None, (30000, 45000, "EUR"), (60000, 80000, "USD"), (90000, 130000, "USD"), (150000, 210000, "GBP")]


def make_board(rng: random.Random) -> list[str]:
    owners = [make_recruiter(name) for name in ("Acme", "Globex", "Initech")]
    now = utcnow()
    for n in range(120):
        salary = rng.choice(SALARIES)
        job = make_job(
            rng.choice(owners),
            title=" ".join(rng.sample(WORDS, 2)).title(),
            skills=", ".join(rng.sample(WORDS, 2)),
            description=f"Job {n}: " + " ".join(rng.choices(WORDS, k=8)),
            workplace=rng.choice(WORKPLACES),
            employment_type=rng.choice(EMPLOYMENT_TYPES),
            seniority=rng.choice(SENIORITIES),
            location=rng.choice(PLACES),
            salary_min=salary[0] if salary else None,
            salary_max=salary[1] if salary else None,
            salary_currency=salary[2] if salary else "EUR",
            published_at=now - timedelta(hours=rng.randint(1, 24 * 50)),
        )
        if rng.random() < 0.55:
            job.featured_until = now + timedelta(days=3)
        if rng.random() < 0.1:
            job.expires_at = now - timedelta(hours=1)
    db.session.commit()
    return [owner.company.slug for owner in owners]


def searches(rng: random.Random, slugs: list[str], count: int) -> list[dict]:
    groups = {
        "workplace": lambda: rng.sample(WORKPLACES, rng.randint(1, 2)),
        "employment_type": lambda: rng.choice(EMPLOYMENT_TYPES),
        "seniority": lambda: rng.sample(SENIORITIES, rng.randint(1, 2)),
        "location": lambda: rng.choice(PLACES).lower(),
        "company": lambda: rng.choice(slugs),
        "posted": lambda: rng.choice(["24h", "7d", "30d"]),
        "salary_min": lambda: rng.choice(["50000", "100000"]),
    }
    out = []
    for _ in range(count):
        args = {group: groups[group]() for group in rng.sample(sorted(groups), rng.choice([0, 1, 2, 2, 3]))}
        if rng.random() < 0.6:
            args["q"] = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2])))
        args["sort"] = rng.choice(["relevance", "newest"])
        args["page"] = rng.choice(["1", "1", "2"])
        out.append(args)
    return out


def answer(app, backend: str, args: dict) -> tuple:
    multi = MultiDict()
    for key, value in args.items():
        for item in value if isinstance(value, list) else [value]:
            multi.add(key, item)
    postgres_backend._count_cache.clear()
    with app_config(app, SEARCH_BACKEND=backend):
        results = search_jobs(parse_params(multi))
    assert not results.degraded
    facets = {facet.name: {option.value: option.count for option in facet.options} for facet in results.facets}
    return results.total, facets, [hit.job.id for hit in results.hits]


def test_both_backends_count_and_page_generated_searches_alike(app, app_ctx, fresh_index):
    rng = random.Random(11)
    slugs = make_board(rng)
    with app_config(app, SEARCH_BACKEND="whoosh"):
        get_backend(app).catch_up()
    featured = {id_ for (id_,) in db.session.execute(text("SELECT id FROM jobs WHERE featured_until > now()"))}
    compared_pages, filled = 0, 0
    for args in searches(rng, slugs, 80):
        whoosh_total, whoosh_facets, whoosh_page = answer(app, "whoosh", args)
        total, facets, page = answer(app, "postgres", args)
        assert (total, facets) == (whoosh_total, whoosh_facets), args
        if "q" not in args or args["sort"] == "newest":
            assert page == whoosh_page, args  # featured first (but by newest), then newest first
            compared_pages += 1
        else:
            assert len(page) == len(whoosh_page), args
        # The PostgreSQL statement counts straight from the scan when the featured jobs fill the
        # page, and from the kept matches otherwise: both must be among the searches compared.
        filled += args["sort"] != "newest" and len(page) == 20 and set(page) <= featured
    assert compared_pages > 30  # the generated searches did compare pages
    assert 10 < filled < 70
