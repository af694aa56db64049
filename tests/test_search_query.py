"""The jobs page around any backend: the empty state, bad input never an error; and the Whoosh
engine's own shortcuts. What a search finds, counts and orders is tests/test_search_backends.py,
run against every backend."""

from datetime import timedelta

import pytest
from factories import make_job, make_recruiter
from search_support import fresh_index  # noqa: F401  (fixture)
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import utcnow
from app.search import parse_params, search_jobs


def search(**args):
    """The service the jobs page calls, with these query-string arguments."""
    multi = MultiDict()
    for key, value in args.items():
        for item in value if isinstance(value, list) else [value]:
            multi.add(key, item)
    results = search_jobs(parse_params(multi))
    assert not results.degraded, "expected an answer from the index"
    return results


def found(**args) -> list[str]:
    return [hit.job.title for hit in search(**args).hits]


@pytest.fixture
def board(app_ctx, fresh_index):
    """A small, varied board."""
    now = utcnow()
    acme, globex = make_recruiter("Acme Analytics"), make_recruiter("Globex")
    return {
        "eng_mgr": make_job(
            acme,
            title="Engineering Manager",
            skills="Leadership",
            description="Lead a team of engineers.",
            workplace="onsite",
            seniority="lead",
            location="Berlin, Germany",
            salary_min=90000,
            salary_max=110000,
            salary_currency="EUR",
            published_at=now - timedelta(days=3),
        ),
        "py": make_job(
            acme,
            title="Python Developer",
            skills="Python, Django",
            workplace="remote",
            description="Build APIs with Django.",
            seniority="mid",
            location="Lisbon, Portugal",
            salary_min=50000,
            salary_max=60000,
            salary_currency="EUR",
            published_at=now - timedelta(hours=5),
        ),
        "data": make_job(
            globex,
            title="Data Engineer",
            skills="SQL, Spark",
            workplace="hybrid",
            description="Pipelines and the data warehouse.",
            location="Berlin, Germany",
            seniority="senior",
            salary_min=100000,
            salary_max=130000,
            salary_currency="USD",
            published_at=now - timedelta(days=10),
        ),
        "analyst": make_job(
            globex,
            title="Data Analyst",
            skills="SQL, Excel",
            workplace="remote",
            description="Reporting for the engineer on call and the finance team.",
            employment_type="contract",
            seniority="junior",
            location="London, UK",
            salary_min=400,
            salary_max=500,
            salary_currency="GBP",
            salary_period="day",
            published_at=now - timedelta(days=40),
        ),
        "nurse": make_job(
            globex,
            title="Registered Nurse",
            skills="Patient Care",
            workplace="onsite",
            description="Night shifts on a friendly ward.",
            employment_type="part_time",
            seniority="mid",
            location="London, UK",
            salary_min=None,
            salary_max=None,
            published_at=now - timedelta(days=1, hours=1),
        ),
    }


# --- the page ------------------------------------------------------------------------------


def test_empty_state_helps(client, board):
    html = client.get("/jobs?q=zzzzzz&workplace=remote").text
    assert "No open jobs match “zzzzzz” with these filters." in html
    assert "Check the spelling" in html
    assert "clear all filters</a>" in html  # the empty state's own link, not only the chips' one


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("salary_min=abc", "minimum salary must be a number"),
        ("salary_min=-5", "above zero"),
        ("page=-3", "Page numbers start at 1"),
        ("page=two", "whole number"),
        ("posted=forever", "posted within"),
        ("sort=sideways", "Unknown sort order"),
        ("workplace=moon", "unknown workplace filter"),
        ("q=" + "python " * 1500, "shortened"),
        ("salary_min=99999999999999999999", "lowered"),
    ],
)
def test_bad_input_is_ignored_with_a_message_never_an_error(client, board, query, notice):
    response = client.get("/jobs?" + query)
    assert response.status_code == 200
    assert notice in response.text


def test_a_huge_query_string_stays_fast_and_valid(client, board):
    response = client.get("/jobs", query_string={"q": "x" * 10_000, "location": ["y" * 5000] * 50})
    assert response.status_code == 200


def test_the_shortcut_for_the_top_20_gives_the_same_order_as_ranking_everything(app, app_ctx, fresh_index):
    """Above 160 candidates the engine ranks only the best 80 by raw score unless that could be
    wrong; compare with ranking every candidate."""
    import random

    from sqlalchemy import insert

    from app.models import Job
    from app.search.engine import Request
    from app.search.index import get_index
    from app.search.sync import catch_up
    from app.search.whoosh_backend import parse_query

    owner = make_recruiter("Many Co")
    rng = random.Random(5)
    now = utcnow()
    db.session.execute(
        insert(Job),
        [
            {
                "company_id": owner.company.id,
                "title": f"Role {n}",
                "slug": "role",
                "skills": [],
                "description": " ".join(
                    rng.choice(["rust", "go", "team", "code", "rust rust"]) for _ in range(rng.randint(3, 40))
                ),
                "description_html": "",
                "status": "published",
                "published_at": now - timedelta(hours=rng.randint(0, 2000)),
                "expires_at": now + timedelta(days=30),
                "created_at": now,
                "updated_at": now,
            }
            for n in range(400)
        ],
    )
    db.session.commit()
    catch_up(app)
    snapshot = get_index(app).snapshot()
    request = Request(query=parse_query("rust"), now=int(now.timestamp()), limit=20)
    shortcut = snapshot.search(request).job_ids
    request.limit = 1000  # large enough that every candidate is ranked
    everything = snapshot.search(request).job_ids
    assert len(everything) > 160
    assert shortcut == everything[:20]


def test_descriptions_are_indexed_as_text_without_stray_spaces():
    """Inline markup vanishes (no "Analyst ," in snippets); block ends still separate words."""
    from app.search.schema import plain_text

    html = (
        "<p>As our <strong>Data Analyst</strong>, you <em>own</em> it.</p>"
        "<ul><li>SQL</li><li>dbt</li></ul><p>Go<br>Rust</p>"
    )
    assert plain_text(html) == "As our Data Analyst, you own it. SQL dbt Go Rust"
