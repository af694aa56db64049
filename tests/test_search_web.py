"""The jobs page around the search: one GET form (works without JavaScript), the htmx fragment with
its out-of-band sidebar and count, shareable URLs, accessible filters and chips."""

import re

import pytest
from conftest import hx
from factories import make_job, make_recruiter
from search_support import fresh_index, titles  # noqa: F401  (fixture)
from test_accessibility import audit


@pytest.fixture
def listed(app_ctx, fresh_index):
    owner = make_recruiter("Orbit Labs")
    make_job(owner, title="Python Developer", skills="Python", workplace="remote")
    make_job(owner, title="Python Tutor", skills="Python, Teaching", workplace="onsite", employment_type="part_time")
    make_job(owner, title="Java Developer", skills="Java", workplace="remote")
    return owner


def test_full_page_has_the_form_the_sidebar_and_the_results(client, listed):
    response = client.get("/jobs?q=python&workplace=remote")
    html = response.text
    assert html.startswith("<!doctype html>")
    assert "HX-Request" in response.headers["Vary"]
    assert titles(html) == ["Python Developer"]
    form = html.split('<form class="search-form"', 1)[1].split("</form>", 1)[0]
    assert 'id="job-search"' in form
    assert 'method="get"' in form
    assert 'name="sort"' in form
    assert "change from:#search-filters" in form
    assert 'hx-push-url="true"' in form
    assert 'hx-history="false"' in form  # back = the server's page for that URL, typed words included
    sidebar = html.split('<aside id="search-filters"', 1)[1].split("</aside>", 1)[0]
    # Every filter belongs to the search form, so it is submitted with it (with or without JS).
    inputs = re.findall(r"<input [^>]*>", sidebar)
    assert inputs
    assert all('form="job-search"' in tag for tag in inputs)
    assert re.search(r'name="workplace" value="remote"\s+form="job-search" checked>', sidebar)
    assert re.search(r'Remote <span class="facet-count">\(1<span class="visually-hidden"> job</span>\)', sidebar)
    assert re.search(r'On-site <span class="facet-count">\(1<span', sidebar)  # the count if chosen instead
    assert '<p id="result-count" class="result-count" aria-live="polite">1 open job matching “python”</p>' in html


def test_htmx_request_gets_results_plus_sidebar_and_count_out_of_band(client, listed):
    response = client.get(
        "/jobs?q=python&workplace=remote&posted=&salary_min=&sort=relevance", headers=hx("job-results")
    )
    html = response.text
    assert "<html" not in html
    assert "<form" not in html.replace('<form id="save-', "")
    assert titles(html) == ["Python Developer"]
    assert '<aside id="search-filters" hx-swap-oob="innerHTML">' in html
    assert '<p id="result-count" hx-swap-oob="innerHTML" aria-live="polite">1 open job matching “python”</p>' in html
    # The address bar gets the short form of the search (empty and default fields left out).
    assert response.headers["HX-Push-Url"] == "/jobs?q=python&workplace=remote"


@pytest.mark.parametrize(
    "headers",
    [
        hx("job-results", **{"HX-History-Restore-Request": "true"}),  # back button with an empty cache
        hx("job-results", **{"HX-Boosted": "true"}),  # a boosted link (chip, page)
    ],
)
def test_history_restores_and_boosted_links_get_the_whole_page(client, listed, headers):
    html = client.get("/jobs?q=python&workplace=remote", headers=headers).text
    assert html.startswith("<!doctype html>")
    assert titles(html) == ["Python Developer"]


def test_without_javascript_the_submitted_form_gives_the_same_search(client, listed):
    # What a browser sends for the form as rendered: every field, empty ones included.
    html = client.get("/jobs?q=python&sort=relevance&workplace=remote&posted=&salary_min=").text
    assert titles(html) == ["Python Developer"]
    assert "Remove filter: </span>Remote" in html


def test_filters_and_chips_are_accessible(client, listed):
    html = client.get("/jobs?q=python&workplace=remote&employment_type=part_time").text
    page = audit(html)
    unlabelled = [f for f in page.fields if f[0] not in page.labels_for and not f[2]]
    assert not unlabelled
    chips = re.findall(
        r'<a class="chip" href="[^"]+"><span class="visually-hidden">Remove filter: </span>([^<]+)', html
    )
    assert [c.strip() for c in chips] == ["Remote", "Part-time"]
    assert "Clear all filters" in html
    assert html.count('aria-live="polite"') >= 1


def test_sort_newest_is_kept_in_links(client, listed):
    html = client.get("/jobs?q=python&sort=newest&workplace=remote").text
    assert '<option value="newest" selected>' in html
    assert 'href="/jobs?q=python&amp;sort=newest">Clear all filters</a>' in html
