"""Locations: the normaliser (app/places.py), the columns a job stores, and one facet value per place
in the search, whichever backend answers."""

import pytest
from conftest import app_config
from factories import login, make_job, make_recruiter
from search_support import fresh_index  # noqa: F401  (fixture)
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Job
from app.places import location_key, normalize
from app.search import get_backend, parse_params, search_jobs
from app.search.schema import job_document


@pytest.mark.parametrize(
    ("typed", "label", "city", "country", "remote_region"),
    [
        ("Berlin, Germany", "Berlin, Germany", "Berlin", "Germany", ""),
        ("Berlin, DE", "Berlin, Germany", "Berlin", "Germany", ""),
        ("  berlin ", "Berlin, Germany", "Berlin", "Germany", ""),
        ("München, Deutschland", "Munich, Germany", "Munich", "Germany", ""),
        ("NYC", "New York, United States", "New York", "United States", ""),
        ("New York, NY", "New York, United States", "New York", "United States", ""),
        ("Boston, MA, USA", "Boston, United States", "Boston", "United States", ""),
        ("San Jose, CA", "San Jose, United States", "San Jose", "United States", ""),  # California, not Canada
        ("Toronto, CA", "Toronto, Canada", "Toronto", "Canada", ""),  # a known city settles the code
        ("London, UK", "London, United Kingdom", "London", "United Kingdom", ""),
        ("London, Ontario", "London, Canada", "London", "Canada", ""),
        ("Bangalore, India", "Bengaluru, India", "Bengaluru", "India", ""),
        ("Singapore", "Singapore", "Singapore", "Singapore", ""),
        ("Germany", "Germany", "", "Germany", ""),
        ("Hybrid - Berlin", "Berlin, Germany", "Berlin", "Germany", ""),
        ("Springfield", "Springfield", "Springfield", "", ""),  # unknown: kept as typed
        ("Remote (EU)", "Remote (Europe)", "", "", "Europe"),
        ("Remote (Europe)", "Remote (Europe)", "", "", "Europe"),
        ("Remote – European Union", "Remote (Europe)", "", "", "Europe"),
        ("Remote - US", "Remote (United States)", "", "", "United States"),
        ("US Remote", "Remote (United States)", "", "", "United States"),
        ("Remote (US only)", "Remote (United States)", "", "", "United States"),
        ("Remote: EMEA", "Remote (EMEA)", "", "", "EMEA"),
        ("Remote (APAC)", "Remote (APAC)", "", "", "APAC"),
        ("Anywhere", "Remote (Worldwide)", "", "", "Worldwide"),
        ("Remote", "Remote", "", "", ""),
        ("", "", "", "", ""),
    ],
)
def test_the_normaliser_reads_city_country_and_remote_region(typed, label, city, country, remote_region):
    place = normalize(typed)
    assert (place.label, place.city, place.country, place.remote_region) == (label, city, country, remote_region)
    assert location_key(typed) == label.casefold()


def test_a_job_stores_the_place_read_from_its_location_on_every_save(client, app_ctx):
    owner = make_recruiter("Places Co")
    login(client, owner)
    job = make_job(owner, location="Remote (EU)", workplace="remote")
    assert (job.city, job.country, job.remote_region, job.location_key) == ("", "", "Europe", "remote (europe)")
    form = {
        "title": job.title,
        "description": "Build things.",
        "location": "NYC",
        "workplace": "onsite",
        "employment_type": "full_time",
        "seniority": "senior",
        "salary_currency": "USD",
        "salary_period": "year",
        "skills": "Python",
    }
    assert client.post(f"/recruiter/jobs/{job.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.location == "NYC"  # the text as typed stays what the job page shows
    assert (job.city, job.country, job.remote_region, job.location_key) == (
        "New York",
        "United States",
        "",
        "new york, united states",
    )


def test_the_index_document_carries_the_normalised_place(app_ctx):
    job = make_job(make_recruiter("Docs Co"), location="Berlin, DE")
    document = job_document(job)
    assert document["location_key"] == "berlin, germany"
    assert document["location_label"] == b"Berlin, Germany"
    assert "Berlin, DE" in document["location"]  # still found by what was typed


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, app):
    if request.param == "whoosh":
        request.getfixturevalue("fresh_index")
    with app_config(app, SEARCH_BACKEND=request.param):
        yield get_backend(app)


def _search(**args):
    results = search_jobs(parse_params(MultiDict(args)))
    assert not results.degraded
    return results


def _location_counts(results) -> dict[str, int]:
    facet = next(facet for facet in results.facets if facet.name == "location")
    return {option.label: option.count for option in facet.options}


def test_one_facet_value_per_place_whatever_the_spelling(app_ctx, backend):
    owner = make_recruiter("Facet Co")
    make_job(owner, title="Eu One", location="Remote (EU)", workplace="remote")
    make_job(owner, title="Eu Two", location="Remote (Europe)", workplace="remote")
    make_job(owner, title="Berlin One", location="Berlin, DE")
    make_job(owner, title="Berlin Two", location="berlin, germany")
    make_job(owner, title="New York", location="NYC")
    everything = _search()
    assert _location_counts(everything) == {
        "Remote (Europe)": 2,
        "Berlin, Germany": 2,
        "New York, United States": 1,
    }
    for spelling in ("Remote (EU)", "Remote (Europe)", "remote - europe"):
        assert {hit.job.title for hit in _search(location=spelling).hits} == {"Eu One", "Eu Two"}, spelling
    assert {hit.job.title for hit in _search(location="Berlin, Germany").hits} == {"Berlin One", "Berlin Two"}


def test_the_jobs_page_shows_one_location_option_and_filters_by_it(client, app_ctx, backend):
    owner = make_recruiter("Page Co")
    make_job(owner, title="Eu One", location="Remote (EU)", workplace="remote")
    make_job(owner, title="Eu Two", location="Remote (Europe)", workplace="remote")
    page = client.get("/jobs").text
    assert page.count('value="Remote (Europe)"') == 1
    assert 'value="Remote (EU)"' not in page
    filtered = client.get("/jobs?location=Remote+(EU)").text
    assert "Eu One" in filtered
    assert "Eu Two" in filtered


def test_a_location_whose_letters_grow_when_normalised_still_saves(client, app_ctx):
    # "ﬃ" is one character typed, "Ffi" / "ffi" once the city is capitalised and the key casefolded:
    # a 160-character location (the form's limit) must still fit the columns read from it.
    owner = make_recruiter("Ligature Co")
    typed = " ".join(["ﬃ"] * 80)
    assert len(typed) <= 160
    login(client, owner)
    response = client.post(
        "/recruiter/jobs/new",
        data={
            "title": "Ligature role",
            "description": "Work.",
            "location": typed,
            "workplace": "onsite",
            "employment_type": "full_time",
            "seniority": "mid",
            "salary_currency": "EUR",
            "salary_period": "year",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    job = db.session.scalars(db.select(Job).where(Job.title == "Ligature role")).one()
    assert job.location == typed
    assert {hit.job.title for hit in search_jobs(parse_params(MultiDict({"location": typed}))).hits} == {
        "Ligature role"
    }
