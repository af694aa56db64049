"""Job search as a candidate uses it: words, phrases, prefixes, typos, filters with counts, sorting,
pages, highlighting, bad input. Real Whoosh index on disk, real database, through the service the
jobs page calls (counts and order) and through the page itself (what is shown)."""
import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import utcnow
from app.search import parse_params, search_jobs
from factories import make_job, make_recruiter
from search_support import fresh_index, titles  # noqa: F401  (fixture)


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


def counts(results, group: str) -> dict[str, int]:
    for facet in results.facets:
        if facet.name == group:
            return {option.value: option.count for option in facet.options}
    return {}


@pytest.fixture
def board(app_ctx, fresh_index):
    """A small, varied board."""
    now = utcnow()
    acme, globex = make_recruiter("Acme Analytics"), make_recruiter("Globex")
    jobs = {
        "eng_mgr": make_job(acme, title="Engineering Manager", skills="Leadership", description="Lead a team of engineers.",
                            workplace="onsite", seniority="lead", location="Berlin, Germany", salary_min=90000,
                            salary_max=110000, salary_currency="EUR", published_at=now - timedelta(days=3)),
        "py": make_job(acme, title="Python Developer", skills="Python, Django", workplace="remote",
                       description="Build APIs with Django.", seniority="mid", location="Lisbon, Portugal",
                       salary_min=50000, salary_max=60000, salary_currency="EUR", published_at=now - timedelta(hours=5)),
        "data": make_job(globex, title="Data Engineer", skills="SQL, Spark", workplace="hybrid",
                         description="Pipelines and the data warehouse.", location="Berlin, Germany", seniority="senior",
                         salary_min=100000, salary_max=130000, salary_currency="USD", published_at=now - timedelta(days=10)),
        "analyst": make_job(globex, title="Data Analyst", skills="SQL, Excel", workplace="remote",
                            description="Reporting for the engineer on call and the finance team.",
                            employment_type="contract", seniority="junior", location="London, UK", salary_min=400,
                            salary_max=500, salary_currency="GBP", salary_period="day", published_at=now - timedelta(days=40)),
        "nurse": make_job(globex, title="Registered Nurse", skills="Patient Care", workplace="onsite",
                          description="Night shifts on a friendly ward.", employment_type="part_time", seniority="mid",
                          location="London, UK", salary_min=None, salary_max=None,
                          published_at=now - timedelta(days=1, hours=1)),
    }
    return jobs


# --- words ----------------------------------------------------------------------------------

def test_english_stemming_finds_other_forms_of_a_word(board):
    assert set(found(q="engineers")) == {"Engineering Manager", "Data Engineer", "Data Analyst"}
    assert found(q="managing") == ["Engineering Manager"]


def test_words_are_all_required_and_any_field_counts(board):
    assert found(q="data berlin") == ["Data Engineer"]          # title + location
    assert found(q="acme python") == ["Python Developer"]        # company + title
    assert found(q="spark") == ["Data Engineer"]                 # a skill


def test_phrase_in_quotes_needs_the_words_together(board):
    # "data engineer": the Data Engineer title, not the Data Analyst whose text has both words apart.
    assert found(q='"data engineer"') == ["Data Engineer"]
    assert set(found(q="data engineer")) == {"Data Engineer", "Data Analyst"}


def test_prefix_search(board):
    assert found(q="pyth*") == ["Python Developer"]
    assert set(found(q="engineer*")) == {"Engineering Manager", "Data Engineer", "Data Analyst"}


def test_excluding_a_word(board):
    assert set(found(q="data -analyst")) == {"Data Engineer"}


@pytest.mark.parametrize("q", ['"python developer', 'python "', "python AND", "AND python", "((python", "python)))",
                               "NOT", "AND OR", "*", '"', "-", "python^", "python:", "[python TO"])
def test_syntax_errors_never_fail_and_fall_back_to_plain_words(client, board, q):
    response = client.get("/jobs", query_string={"q": q})
    assert response.status_code == 200
    shown = titles(response.text)
    if "python" in q:
        assert shown == ["Python Developer"], (q, shown)


def test_a_misspelled_word_offers_did_you_mean(client, board):
    results = search(q="pyhton")
    assert results.total == 0 and results.suggestion == "python"
    html = client.get("/jobs?q=pyhton").text
    assert re.search(r'Did you mean <a href="/jobs\?q=python">python</a>\?', html)
    # A word that is in the index is not "corrected".
    assert search(q="python").suggestion is None


def test_empty_state_helps(client, board):
    html = client.get("/jobs?q=zzzzzz&workplace=remote").text
    assert "No open jobs match “zzzzzz” with these filters." in html
    assert "Check the spelling" in html and "Clear all filters" in html or "clear all filters" in html


# --- filters and counts -----------------------------------------------------------------------

def test_each_filter_narrows_the_results(board):
    assert set(found(workplace="remote")) == {"Python Developer", "Data Analyst"}
    assert set(found(employment_type="contract")) == {"Data Analyst"}
    assert set(found(seniority=["junior", "lead"])) == {"Data Analyst", "Engineering Manager"}
    assert set(found(location="berlin, germany")) == {"Engineering Manager", "Data Engineer"}  # any case
    assert set(found(company=board["data"].company.slug)) == {"Data Engineer", "Data Analyst", "Registered Nurse"}
    assert set(found(posted="24h")) == {"Python Developer"}
    assert set(found(posted="7d")) == {"Python Developer", "Engineering Manager", "Registered Nurse"}
    # Salary: the top of the range as USD a year. EUR 110k ~ 119k, USD 130k, GBP 500/day ~ 165k, EUR 60k ~ 65k.
    assert set(found(salary_min="100000")) == {"Engineering Manager", "Data Engineer", "Data Analyst"}
    assert set(found(salary_min="150k")) == {"Data Analyst"}


def test_filters_combine_and_counts_are_computed_within_the_search(board):
    results = search(q="data", workplace="remote")
    assert [h.job.title for h in results.hits] == ["Data Analyst"]
    # Each group counts with the other filters kept and its own left out ("how many would I get").
    assert counts(results, "workplace") == {"remote": 1, "hybrid": 1}
    assert counts(results, "seniority") == {"junior": 1}
    assert counts(results, "employment_type") == {"contract": 1}
    assert counts(results, "posted") == {"": 1, "24h": 0, "7d": 0, "30d": 0}
    assert counts(results, "salary_min")["100000"] == 1 and counts(results, "salary_min")[""] == 1
    assert counts(results, "location") == {"London, UK": 1}

    everything = search()
    assert everything.total == 5
    assert counts(everything, "workplace") == {"onsite": 2, "hybrid": 1, "remote": 2}
    assert counts(everything, "location") == {"Berlin, Germany": 2, "London, UK": 2, "Lisbon, Portugal": 1}
    assert counts(everything, "company") == {board["data"].company.slug: 3, board["py"].company.slug: 2}
    assert counts(everything, "posted") == {"": 5, "24h": 1, "7d": 3, "30d": 4}
    assert counts(everything, "salary_min") == {"": 5, "25000": 4, "50000": 4, "75000": 3, "100000": 3,
                                                "150000": 1, "200000": 0}

    narrowed = search(workplace=["remote", "onsite"], seniority="mid", posted="7d")
    assert {h.job.title for h in narrowed.hits} == {"Python Developer", "Registered Nurse"}
    assert counts(narrowed, "workplace") == {"remote": 1, "onsite": 1}      # hybrid: 0 once seniority=mid
    assert counts(narrowed, "seniority") == {"mid": 2, "lead": 1}           # the lead job is on-site, 3 days old


def test_filter_labels_show_company_names_and_chips_remove_one_filter(client, board):
    html = client.get(f"/jobs?workplace=remote&company={board['py'].company.slug}").text
    assert "Acme Analytics" in html
    chips = re.findall(r'<a class="chip" href="([^"]+)"><span class="visually-hidden">Remove filter: </span>([^<]+)', html)
    labels = {label.strip() for _, label in chips}
    assert labels == {"Remote", "Company: Acme Analytics"}
    remove_remote = dict((label.strip(), href) for href, label in chips)["Remote"]
    assert remove_remote == f"/jobs?company={board['py'].company.slug}"
    assert 'href="/jobs">Clear all filters</a>' in html


# --- order, pages, totals -------------------------------------------------------------------

def test_featured_jobs_come_first_then_relevance_with_a_gentle_recency_boost(board):
    now = utcnow()
    owner = board["py"].company.memberships[0].user
    old_exact = make_job(owner, title="Kotlin Developer", skills="Kotlin", description="Kotlin.",
                         published_at=now - timedelta(days=60), expires_at=now + timedelta(days=5))
    new_exact = make_job(owner, title="Kotlin Developer", skills="Kotlin", description="Kotlin.",
                         published_at=now - timedelta(hours=1))
    weak = make_job(owner, title="Mobile Developer", skills="Swift",
                    description="Swift and some Kotlin, " + "and many other words " * 30, published_at=now)
    # Same text: the newer posting ranks first; a posting that only mentions the word ranks last.
    assert [h.job.id for h in search(q="kotlin").hits] == [new_exact.id, old_exact.id, weak.id]
    # The boost is gentle: a fresh weak match does not beat an old strong one.
    weak.featured_until = now + timedelta(days=7)
    db.session.commit()
    assert [h.job.id for h in search(q="kotlin").hits] == [weak.id, new_exact.id, old_exact.id]
    assert search(q="kotlin").hits[0].featured


def test_newest_sort_and_browse_order(board):
    by_age = ["Python Developer", "Registered Nurse", "Engineering Manager", "Data Engineer", "Data Analyst"]
    assert found(sort="newest") == by_age
    assert found() == by_age                                   # no words: newest first
    assert found(q="data", sort="newest") == ["Data Engineer", "Data Analyst"]
    board["data"].featured_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert found()[0] == "Data Engineer"                       # featured first when browsing by relevance
    assert found(sort="newest") == by_age


def test_pages_and_totals(app, app_ctx, fresh_index):
    owner = make_recruiter("Paging Co")
    now = utcnow()
    for n in range(45):
        make_job(owner, title=f"Role {n:02d}", skills="Golang", published_at=now - timedelta(hours=n))
    first = search(q="golang")
    assert first.total == 45 and first.pages == 3 and len(first.hits) == 20
    third = search(q="golang", page="3")
    assert len(third.hits) == 5 and third.page == 3
    seen = [h.job.id for p in ("1", "2", "3") for h in search(q="golang", page=p).hits]
    assert len(seen) == len(set(seen)) == 45
    clamped = search(q="golang", page="99")
    assert clamped.page == 3 and "only 3 pages" in " ".join(clamped.notices)


def test_highlighted_snippets_are_escaped(client, app_ctx, fresh_index):
    make_job(make_recruiter(), title="Security Engineer <b>",
             description="We break things. <script>alert('x')</script> <img src=x onerror=alert(1)> "
                         "Python &amp; <em>security</em> tooling.")
    html = client.get("/jobs?q=security").text
    results = html.split('id="job-results"', 1)[1]
    assert "<script>alert" not in results and "<img" not in results and "onerror=alert(1)>" not in results
    assert "Security Engineer &lt;b&gt;" in results
    assert re.search(r'<p class="snippet">.*<mark>security</mark> tooling', results)
    assert "<mark>" not in results.split('<p class="snippet">')[0]   # only snippets are marked


# --- what is never shown ----------------------------------------------------------------------

def test_only_published_unexpired_jobs_are_ever_returned(app_ctx, fresh_index):
    owner = make_recruiter()
    make_job(owner, title="Open Widget Role")
    make_job(owner, title="Draft Widget Role", status="draft")
    make_job(owner, title="Closed Widget Role", status="closed")
    make_job(owner, title="Expired Widget Role", status="expired")
    assert found(q="widget") == ["Open Widget Role"]
    assert found() == ["Open Widget Role"]
    assert search(q="widget").total == 1


def test_a_job_expires_from_results_without_any_database_change(app_ctx, fresh_index):
    owner = make_recruiter()
    job = make_job(owner, title="Fleeting Role", expires_at=utcnow() + timedelta(seconds=2))
    assert found(q="fleeting") == ["Fleeting Role"]
    import time
    time.sleep(2.5)
    assert found(q="fleeting") == [] and search().total == 0
    db.session.refresh(job)
    assert job.status == "published"  # nothing swept it: the query itself filters on expiry


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("query, notice", [
    ("salary_min=abc", "minimum salary must be a number"),
    ("salary_min=-5", "above zero"),
    ("page=-3", "Page numbers start at 1"),
    ("page=two", "whole number"),
    ("posted=forever", "posted within"),
    ("sort=sideways", "Unknown sort order"),
    ("workplace=moon", "unknown workplace filter"),
    ("q=" + "python " * 1500, "shortened"),
    ("salary_min=99999999999999999999", "lowered"),
])
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
    from app.search import catch_up, get_index
    from app.search.engine import Request
    from app.search.query import parse_query
    owner = make_recruiter("Many Co")
    rng = random.Random(5)
    now = utcnow()
    db.session.execute(insert(Job), [
        {"company_id": owner.company.id, "title": f"Role {n}", "slug": "role", "skills": [],
         "description": " ".join(rng.choice(["rust", "go", "team", "code", "rust rust"]) for _ in range(rng.randint(3, 40))),
         "description_html": "", "status": "published", "published_at": now - timedelta(hours=rng.randint(0, 2000)),
         "expires_at": now + timedelta(days=30), "created_at": now, "updated_at": now}
        for n in range(400)])
    db.session.commit()
    catch_up(app)
    snapshot = get_index(app).snapshot()
    request = Request(query=parse_query("rust"), now=int(now.timestamp()), limit=20)
    shortcut = snapshot.search(request).job_ids
    request.limit = 1000                     # large enough that every candidate is ranked
    everything = snapshot.search(request).job_ids
    assert len(everything) > 160 and shortcut == everything[:20]


def test_descriptions_are_indexed_as_text_without_stray_spaces():
    """Inline markup vanishes (no "Analyst ," in snippets); block ends still separate words."""
    from app.search.schema import plain_text
    html = "<p>As our <strong>Data Analyst</strong>, you <em>own</em> it.</p><ul><li>SQL</li><li>dbt</li></ul><p>Go<br>Rust</p>"
    assert plain_text(html) == "As our Data Analyst, you own it. SQL dbt Go Rust"
