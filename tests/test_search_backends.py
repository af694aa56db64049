"""One behavioural suite for every search backend: each test runs against the Whoosh index and
against PostgreSQL full-text search (the `backend` fixture), through the service the jobs page
calls and through the page itself. Same corpus, same questions, same answers: relevance order,
filters, facet counts within the search, highlights, "did you mean", only open jobs, changes
visible on the next search."""

import re
import time
from datetime import timedelta

import pytest
from conftest import app_config
from factories import login, make_job, make_recruiter
from search_support import fresh_index, titles  # noqa: F401  (fixture)
from sqlalchemy import delete, select, text
from werkzeug.datastructures import MultiDict

from app import create_app
from app.config import ConfigError, load_config
from app.extensions import db
from app.models import Job, utcnow
from app.search import SearchBackend, get_backend, parse_params, search_jobs
from app.search.engine.segments import LargeFacet


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, app):
    """The backend under test, configured on the session's app for this test."""
    if request.param == "whoosh":
        request.getfixturevalue("fresh_index")
    with app_config(app, SEARCH_BACKEND=request.param):
        yield get_backend(app)


def search(**args):
    """The service the jobs page calls, with these query-string arguments."""
    multi = MultiDict()
    for key, value in args.items():
        for item in value if isinstance(value, list) else [value]:
            multi.add(key, item)
    results = search_jobs(parse_params(multi))
    assert not results.degraded, "expected an answer from the backend"
    return results


def found(**args) -> list[str]:
    return [hit.job.title for hit in search(**args).hits]


def counts(results, group: str) -> dict[str, int]:
    for facet in results.facets:
        if facet.name == group:
            return {option.value: option.count for option in facet.options}
    return {}


@pytest.fixture
def board(app_ctx, backend):
    """A small, varied board, followed by the backend."""
    now = utcnow()
    acme, globex = make_recruiter("Acme Analytics"), make_recruiter("Globex")
    jobs = {
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
    backend.catch_up()
    return jobs


# --- the interface ------------------------------------------------------------------------------


def test_each_backend_speaks_the_protocol_and_reports_its_status(board, backend):
    assert isinstance(backend, SearchBackend)
    status = backend.status()
    assert status.backend == backend.name
    assert status.state == "ready"
    assert status.documents == 5


# --- words ----------------------------------------------------------------------------------------


def test_english_stemming_finds_other_forms_of_a_word(board):
    assert set(found(q="engineers")) == {"Engineering Manager", "Data Engineer", "Data Analyst"}
    assert found(q="managing") == ["Engineering Manager"]


def test_words_are_all_required_and_any_field_counts(board):
    assert found(q="data berlin") == ["Data Engineer"]  # title + location
    assert found(q="acme python") == ["Python Developer"]  # company + title
    assert found(q="spark") == ["Data Engineer"]  # a skill


def test_phrase_in_quotes_needs_the_words_together(board):
    # "data engineer": the Data Engineer title, not the Data Analyst whose text has both words apart.
    assert found(q='"data engineer"') == ["Data Engineer"]
    assert set(found(q="data engineer")) == {"Data Engineer", "Data Analyst"}


def test_a_phrase_does_not_run_from_one_field_into_the_next(board):
    # "Data Engineer" is the title and "SQL, Spark" the skills: "engineer sql" is in no one field.
    assert found(q='"engineer sql"') == []
    assert found(q='"sql spark"') == ["Data Engineer"]


def test_prefix_search(board):
    assert found(q="pyth*") == ["Python Developer"]
    assert set(found(q="engineer*")) == {"Engineering Manager", "Data Engineer", "Data Analyst"}


def test_excluding_a_word(board):
    assert set(found(q="data -analyst")) == {"Data Engineer"}
    assert set(found(q="data NOT analyst")) == {"Data Engineer"}
    assert set(found(q="nurse OR spark")) == {"Registered Nurse", "Data Engineer"}


def test_only_stop_words_is_a_search_for_everything(board):
    assert search(q="the").total == 5
    assert search(q="and or").total == 5


@pytest.mark.parametrize(
    "q",
    [
        '"python developer',
        'python "',
        "python AND",
        "AND python",
        "((python",
        "python)))",
        "NOT",
        "AND OR",
        "*",
        '"',
        "-",
        "python^",
        "python:",
        "[python TO",
    ],
)
def test_syntax_errors_never_fail_and_fall_back_to_plain_words(client, board, q):
    response = client.get("/jobs", query_string={"q": q})
    assert response.status_code == 200
    assert "Search is being rebuilt" not in response.text
    shown = titles(response.text)
    if "python" in q:
        assert shown == ["Python Developer"], (q, shown)


def test_a_misspelled_word_offers_did_you_mean(client, board):
    results = search(q="pyhton")
    assert results.total == 0
    assert results.suggestion == "python"
    assert search(q="remote pyhton").suggestion == "remote python"
    html = client.get("/jobs?q=pyhton").text
    assert re.search(r'Did you mean <a href="/jobs\?q=python">python</a>\?', html)
    # A word that is in the index is not "corrected", nor is a stop word.
    assert search(q="python").suggestion is None
    assert search(q="the python").suggestion is None


# --- filters and counts -----------------------------------------------------------------------------


def test_each_filter_narrows_the_results(board):
    assert set(found(workplace="remote")) == {"Python Developer", "Data Analyst"}
    assert set(found(employment_type="contract")) == {"Data Analyst"}
    assert set(found(seniority=["junior", "lead"])) == {"Data Analyst", "Engineering Manager"}
    assert set(found(location="berlin, germany")) == {"Engineering Manager", "Data Engineer"}  # any case
    assert set(found(company=board["data"].company.slug)) == {"Data Engineer", "Data Analyst", "Registered Nurse"}
    assert found(company="no-such-company") == []
    assert set(found(posted="24h")) == {"Python Developer"}
    assert set(found(posted="7d")) == {"Python Developer", "Engineering Manager", "Registered Nurse"}
    # Salary: the top of the range as USD a year. EUR 110k ~ 119k, USD 130k, GBP 500/day ~ 165k, EUR 60k ~ 65k.
    assert set(found(salary_min="100000")) == {"Engineering Manager", "Data Engineer", "Data Analyst"}
    assert set(found(salary_min="150k")) == {"Data Analyst"}


def test_filters_combine_and_counts_are_computed_within_the_search(board):
    assert_counts_within_the_search(board)


@pytest.mark.parametrize("head_share", [0.0, 2.0], ids=["all-bitsets", "all-tail"])
def test_large_facets_count_the_same_with_per_value_bitsets_or_the_tail_walk(board, backend, monkeypatch, head_share):
    """The Whoosh engine counts a company or location with many jobs on its own bitset and the
    long tail value by value; both ways give the same counts, for a search that matches a few
    jobs (the matched tail is walked) and for a browse (the unmatched tail is subtracted)."""
    if backend.name != "whoosh":
        pytest.skip("the Whoosh engine's facet counting")
    monkeypatch.setattr(LargeFacet, "HEAD_SHARE", head_share)
    # The board's segments are new to this process: their facet sets are derived on the first
    # search below, with this split.
    assert_counts_within_the_search(board)


def assert_counts_within_the_search(board):
    results = search(q="data", workplace="remote")
    assert [h.job.title for h in results.hits] == ["Data Analyst"]
    assert results.total == 1
    # Each group counts with the other filters kept and its own left out ("how many would I get").
    assert counts(results, "workplace") == {"remote": 1, "hybrid": 1}
    assert counts(results, "seniority") == {"junior": 1}
    assert counts(results, "employment_type") == {"contract": 1}
    assert counts(results, "posted") == {"": 1, "24h": 0, "7d": 0, "30d": 0}
    assert counts(results, "salary_min")["100000"] == 1
    assert counts(results, "salary_min")[""] == 1
    assert counts(results, "location") == {"London, United Kingdom": 1}  # "London, UK", as the place

    everything = search()
    assert everything.total == 5
    assert counts(everything, "workplace") == {"onsite": 2, "hybrid": 1, "remote": 2}
    assert counts(everything, "location") == {"Berlin, Germany": 2, "London, United Kingdom": 2, "Lisbon, Portugal": 1}
    assert counts(everything, "company") == {board["data"].company.slug: 3, board["py"].company.slug: 2}
    assert counts(everything, "posted") == {"": 5, "24h": 1, "7d": 3, "30d": 4}
    assert counts(everything, "salary_min") == {
        "": 5,
        "25000": 4,
        "50000": 4,
        "75000": 3,
        "100000": 3,
        "150000": 1,
        "200000": 0,
    }

    narrowed = search(workplace=["remote", "onsite"], seniority="mid", posted="7d")
    assert {h.job.title for h in narrowed.hits} == {"Python Developer", "Registered Nurse"}
    assert counts(narrowed, "workplace") == {"remote": 1, "onsite": 1}  # hybrid: 0 once seniority=mid
    assert counts(narrowed, "seniority") == {"mid": 2, "lead": 1}  # the lead job is on-site, 3 days old
    assert counts(narrowed, "posted") == {"": 2, "24h": 1, "7d": 2, "30d": 2}
    salary = search(salary_min="100000", location="Berlin, Germany")
    assert counts(salary, "salary_min")[""] == 2
    assert counts(salary, "salary_min")["150000"] == 0
    assert counts(salary, "location")["Berlin, Germany"] == 2
    assert counts(salary, "location")["London, United Kingdom"] == 1


def test_filter_labels_show_company_names_and_chips_remove_one_filter(client, board):
    html = client.get(f"/jobs?workplace=remote&company={board['py'].company.slug}").text
    assert "Acme Analytics" in html
    chips = re.findall(
        r'<a class="chip" href="([^"]+)"><span class="visually-hidden">Remove filter: </span>([^<]+)', html
    )
    assert {label.strip() for _, label in chips} == {"Remote", "Company: Acme Analytics"}
    assert {label.strip(): href for href, label in chips}["Remote"] == f"/jobs?company={board['py'].company.slug}"


# --- order, pages, totals ------------------------------------------------------------------------------


def test_featured_jobs_come_first_then_relevance_with_a_gentle_recency_boost(board):
    now = utcnow()
    owner = board["py"].company.memberships[0].user
    old_exact = make_job(
        owner,
        title="Kotlin Developer",
        skills="Kotlin",
        description="Kotlin.",
        published_at=now - timedelta(days=60),
        expires_at=now + timedelta(days=5),
    )
    new_exact = make_job(
        owner, title="Kotlin Developer", skills="Kotlin", description="Kotlin.", published_at=now - timedelta(hours=1)
    )
    weak = make_job(
        owner,
        title="Mobile Developer",
        skills="Swift",
        description="Swift and some Kotlin, " + "and many other words " * 30,
        published_at=now,
    )
    # Same text: the newer posting ranks first; a posting that only mentions the word ranks last.
    assert [h.job.id for h in search(q="kotlin").hits] == [new_exact.id, old_exact.id, weak.id]
    # The boost is gentle: a fresh weak match does not beat an old strong one.
    weak.featured_until = now + timedelta(days=7)
    db.session.commit()
    assert [h.job.id for h in search(q="kotlin").hits] == [weak.id, new_exact.id, old_exact.id]
    assert search(q="kotlin").hits[0].featured


def test_a_title_match_outranks_a_mention_in_the_description(board):
    owner = board["py"].company.memberships[0].user
    mention = make_job(
        owner,
        title="Office Manager",
        skills="Scheduling",
        description="You will order snacks for the Haskell team.",
        published_at=utcnow(),
    )
    title = make_job(
        owner,
        title="Haskell Engineer",
        skills="Functional programming",
        description="Types all the way down.",
        published_at=utcnow() - timedelta(days=20),
    )
    assert [h.job.id for h in search(q="haskell").hits] == [title.id, mention.id]


def test_newest_sort_and_browse_order(board):
    by_age = ["Python Developer", "Registered Nurse", "Engineering Manager", "Data Engineer", "Data Analyst"]
    assert found(sort="newest") == by_age
    assert found() == by_age  # no words: newest first
    assert found(q="data", sort="newest") == ["Data Engineer", "Data Analyst"]
    board["data"].featured_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert found()[0] == "Data Engineer"  # featured first when browsing by relevance
    assert found(sort="newest") == by_age


def test_pages_and_totals(app_ctx, backend):
    owner = make_recruiter("Paging Co")
    now = utcnow()
    for n in range(45):
        make_job(owner, title=f"Role {n:02d}", skills="Golang", published_at=now - timedelta(hours=n))
    first = search(q="golang")
    assert first.total == 45
    assert first.pages == 3
    assert len(first.hits) == 20
    third = search(q="golang", page="3")
    assert len(third.hits) == 5
    assert third.page == 3
    seen = [h.job.id for p in ("1", "2", "3") for h in search(q="golang", page=p).hits]
    assert len(seen) == len(set(seen)) == 45
    clamped = search(q="golang", page="99")
    assert clamped.page == 3
    assert "only 3 pages" in " ".join(clamped.notices)


def test_highlighted_snippets_are_escaped(client, app_ctx, backend):
    make_job(
        make_recruiter(),
        title="Security Engineer <b>",
        description="We break things. <script>alert('x')</script> <img src=x onerror=alert(1)> "
        "Python &amp; <em>security</em> tooling.",
    )
    html = client.get("/jobs?q=security").text
    results = html.split('id="job-results"', 1)[1]
    assert "<script>alert" not in results
    assert "<img" not in results
    assert "onerror=alert(1)>" not in results
    assert "Security Engineer &lt;b&gt;" in results
    assert re.search(r'<p class="snippet">.*<mark>security</mark> tooling', results)
    assert "<mark>" not in results.split('<p class="snippet">')[0]  # only snippets are marked


def test_the_snippet_shows_the_words_searched_for_in_a_long_description(app_ctx, backend):
    filler = "We value clear writing and steady progress. " * 20
    make_job(
        make_recruiter(),
        title="Platform Engineer",
        description=filler + "You will own the Terraform modules. " + filler,
    )
    snippet = str(search(q="terraform").hits[0].snippet_html)
    assert "<mark>Terraform</mark>" in snippet
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert len(re.sub(r"<[^>]+>", "", snippet)) < 400


# --- what is never shown, and changes -----------------------------------------------------------------


def test_only_published_unexpired_jobs_are_ever_returned(app_ctx, backend):
    owner = make_recruiter()
    make_job(owner, title="Open Widget Role")
    make_job(owner, title="Draft Widget Role", status="draft")
    make_job(owner, title="Closed Widget Role", status="closed")
    make_job(owner, title="Expired Widget Role", status="expired")
    assert found(q="widget") == ["Open Widget Role"]
    assert found() == ["Open Widget Role"]
    assert search(q="widget").total == 1
    assert counts(search(q="widget"), "workplace") == {"hybrid": 1}


def test_a_job_expires_from_results_without_any_database_change(app_ctx, backend):
    owner = make_recruiter()
    job = make_job(owner, title="Fleeting Role", expires_at=utcnow() + timedelta(seconds=2))
    assert found(q="fleeting") == ["Fleeting Role"]
    time.sleep(2.5)
    assert found(q="fleeting") == []
    assert search().total == 0
    db.session.refresh(job)
    assert job.status == "published"  # nothing swept it: the query itself filters on expiry


def test_an_edit_is_visible_on_the_next_search(client, app_ctx, backend):
    owner = make_recruiter("Edit Co")
    job = make_job(owner, title="Warehouse Lead", description="Forklifts.")
    assert found(q="warehouse") == ["Warehouse Lead"]
    job.title, job.description_html = "Harbour Pilot", "<p>Tugboats and tides.</p>"
    db.session.commit()  # outside a request: no hook ran
    assert found(q="harbour") == ["Harbour Pilot"]
    assert found(q="warehouse") == []
    assert found(q="tides") == ["Harbour Pilot"]
    owner.company.name = "Flour Power"  # the company's name is in its jobs' text
    db.session.commit()
    assert found(q="flour") == ["Harbour Pilot"]


def test_a_closed_or_deleted_job_is_gone_on_the_next_search(client, app_ctx, backend):
    owner = make_recruiter("Gone Co")
    closing, deleting, staying = (
        make_job(owner, title=f"{name} Glazier") for name in ("Closing", "Deleting", "Staying")
    )
    assert search(q="glazier").total == 3
    login(client, owner)
    client.post(f"/recruiter/jobs/{closing.id}/close")
    db.session.execute(delete(Job).where(Job.id == deleting.id))
    db.session.commit()
    results = search(q="glazier")
    assert [h.job.id for h in results.hits] == [staying.id]
    assert results.total == 1
    assert counts(results, "workplace") == {"hybrid": 1}


# --- configuration ---------------------------------------------------------------------------------------


def test_postgres_backend_on_sqlite_is_a_configuration_error():
    with pytest.raises(ConfigError) as error:
        load_config({"SEARCH_BACKEND": "postgres", "DATABASE_URL": "sqlite:///x.sqlite3"})
    assert "SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL" in str(error.value)
    with pytest.raises(ConfigError, match="SEARCH_BACKEND must be one of whoosh, postgres"):
        load_config({"SEARCH_BACKEND": "elastic"})
    assert load_config({})["SEARCH_BACKEND"] == "whoosh"
    assert (
        load_config({"SEARCH_BACKEND": "Postgres", "DATABASE_URL": "postgres://u@h/db"})["SEARCH_BACKEND"] == "postgres"
    )


# --- PostgreSQL: no index to keep, one search for every instance -----------------------------------------


@pytest.mark.postgres
def test_postgres_search_needs_no_index_directory_and_every_instance_sees_the_same(app, app_ctx, tmp_path):
    instances = [
        create_app(
            overrides={
                "TESTING": True,
                "INSTANCE_DIR": str(tmp_path / f"web-{n}"),
                "SEARCH_INDEX_DIR": str(tmp_path / f"web-{n}" / "search-index"),
            },
            env={
                "APP_ENV": "test",
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": "x" * 40,
                "SEARCH_BACKEND": "postgres",
            },
        )
        for n in (1, 2)
    ]
    owner = make_recruiter("Shared Co")
    job = make_job(owner, title="Lighthouse Keeper")
    for instance in instances:
        assert titles(instance.test_client().get("/jobs?q=lighthouse").text) == ["Lighthouse Keeper"]
    with instances[0].app_context():
        edited = db.session.get(Job, job.id)
        edited.title = "Ferry Captain"
        db.session.commit()
    assert titles(instances[1].test_client().get("/jobs?q=ferry").text) == ["Ferry Captain"]
    assert not any((tmp_path / f"web-{n}" / "search-index").exists() for n in (1, 2))
    for instance in instances:
        with instance.app_context():
            db.engine.dispose()


@pytest.mark.postgres
def test_the_rest_of_the_request_plans_as_usual_after_a_postgres_search(app, app_ctx):
    make_job(make_recruiter(), title="Planner")
    settings = text("SELECT current_setting('enable_seqscan'), current_setting('work_mem'), current_setting('jit')")
    with app_config(app, SEARCH_BACKEND="postgres"):
        before = tuple(db.session.execute(settings).one())
        assert found(q="planner") == ["Planner"]
        assert search(q="plannr").total == 0
        assert tuple(db.session.execute(settings).one()) == before  # the same transaction, as a request's


@pytest.mark.postgres
def test_search_commands_work_on_postgres(app, app_ctx, runner):
    owner = make_recruiter("Command Co")
    for n in range(3):
        make_job(owner, title=f"Cooper {n}")
    db.session.execute(text("UPDATE jobs SET search_vector = NULL WHERE title = 'Cooper 0'"))  # a lost write
    db.session.commit()
    with app_config(app, SEARCH_BACKEND="postgres"):
        status = runner.invoke(args=["search", "status"])
        assert status.exit_code == 1
        assert "Backend:    postgres" in status.output
        assert "State:      incomplete" in status.output
        assert "1 open job(s) without a search vector" in status.output
        result = runner.invoke(args=["search", "reindex"])
        assert result.exit_code == 0, result.output
        assert "3/3 jobs indexed" in result.output
        assert "Done: 3 jobs in " in result.output
        status = runner.invoke(args=["search", "status"])
        assert status.exit_code == 0
        assert "State:      ready" in status.output
        assert "Jobs:       3" in status.output
        assert found(q="cooper")
        assert len(found(q="cooper")) == 3


@pytest.mark.postgres
def test_the_database_keeps_the_search_vector_current(app_ctx):
    owner = make_recruiter("Vector Co")
    job = make_job(owner, title="Beekeeper", skills="Honey", location="Ghent", description="Hives and *bees*.")

    def vector() -> dict[str, str]:
        """lexeme -> positions with weights (PostgreSQL leaves weight D unlabelled)."""
        value = db.session.scalar(select(text("search_vector::text")).select_from(Job).where(Job.id == job.id))
        return dict(re.findall(r"'([^']+)':(\S+)", value))

    # Title A, skills B, company and location C, the description's text D.
    assert vector() == {
        "beekeep": "1A",
        "honey": "2B",
        "vector": "3C",
        "co": "4C",
        "ghent": "5C",
        "hive": "6",
        "bee": "8",
    }
    owner.company.name = "Apiary Group"
    db.session.commit()
    assert vector()["apiari"] == "3C"
    assert "vector" not in vector()
    db.session.execute(
        text("UPDATE jobs SET skills = CAST(:skills AS json) WHERE id = :id"),
        {"skills": '["Wax", "Pollination"]', "id": job.id},
    )
    db.session.commit()
    assert vector()["wax"] == "2B"
    assert "honey" not in vector()


@pytest.mark.postgres
def test_without_the_search_objects_the_postgres_backend_answers_from_the_database(app, client, app_ctx):
    make_job(make_recruiter(), title="Cartographer")
    with app_config(app, SEARCH_BACKEND="postgres"):
        db.session.execute(text("ALTER TABLE search.jobs RENAME TO jobs_away"))  # what it reads (0027)
        db.session.commit()
        try:
            response = client.get("/jobs?q=cartographer")
        finally:
            db.session.execute(text("ALTER TABLE search.jobs_away RENAME TO jobs"))
            db.session.commit()
    assert response.status_code == 200
    assert titles(response.text) == ["Cartographer"]
    assert "may be incomplete" in response.text


def test_another_name_of_a_skill_finds_the_job_and_the_suggestion_keeps_what_was_typed(app_ctx, backend):
    """Jobs store skills under the vocabulary's one name ("Go"); searching "golang" still finds them,
    and a spelling hint for another word repeats the search as typed, not its expansion."""
    owner = make_recruiter("Alias Co")
    make_job(owner, title="Systems Programmer", skills="golang", description="Writes network services.")
    make_job(owner, title="Network Engineer", skills="Cisco", description="Runs networks.")
    found = search(q="golang")
    assert [h.job.title for h in found.hits] == ["Systems Programmer"]
    if backend.name == "postgres":  # its spelling vocabulary follows the board within 10 minutes
        from app.search.postgres_backend import refresh_vocabulary

        db.session.commit()  # the search's read transaction would block a non-concurrent refresh
        refresh_vocabulary(concurrently=False)
    hinted = search(q="golang netwrok")
    assert hinted.suggestion == "golang network"
