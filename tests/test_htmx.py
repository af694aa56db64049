"""One URL serves the page or its fragment (STYLE.md, HTMX pattern 1)."""

import pytest
from conftest import hx
from factories import login, make_job, make_recruiter, make_user


@pytest.fixture
def jobs_listed(app_ctx):
    owner = make_recruiter()
    make_job(owner, title="Python Developer")
    # Skills are searched too (the search index): the Java job must not list Python as a skill.
    make_job(owner, title="Java Developer", skills="Java, Spring")


def test_plain_get_returns_the_full_page(client, jobs_listed):
    response = client.get("/jobs?q=python")
    assert response.text.startswith("<!doctype html>")
    assert 'id="job-results"' in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_request_aimed_at_results_returns_only_the_fragment(client, jobs_listed):
    response = client.get("/jobs?q=python", headers=hx("job-results"))
    assert "<html" not in response.text
    assert "<header" not in response.text
    assert "Python Developer" in response.text
    assert "Java Developer" not in response.text
    assert 'aria-live="polite"' in response.text  # the count is announced
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    "headers",
    [
        hx("job-results", **{"HX-Boosted": "true"}),  # boosted navigation
        hx("job-results", **{"HX-History-Restore-Request": "true"}),  # history restore
        hx("main"),  # aimed at something else
        {"HX-Request": "true"},  # no target at all
    ],
)
def test_other_htmx_requests_get_the_full_page(client, jobs_listed, headers):
    response = client.get("/jobs?q=python", headers=headers)
    assert response.text.startswith("<!doctype html>")


def test_active_search_form_works_without_javascript(client, jobs_listed):
    html = client.get("/jobs").text
    form = html.split('<form class="search-form"', 1)[1].split("</form>", 1)[0]
    assert 'method="get"' in form
    assert 'action="/jobs"' in form
    assert 'name="q"' in form
    assert 'hx-get="/jobs"' in form
    assert 'hx-push-url="true"' in form
    assert 'hx-target="#job-results"' in form
    assert "delay:300ms" in form


def test_htmx_404_is_a_small_fragment(client, app_ctx):
    login(client, make_user())
    response = client.post("/jobs/99999/save", headers=hx("save-99999"))
    assert response.status_code == 404
    assert "<html" not in response.text
    assert "error-panel" in response.text


def test_boosted_navigation_to_a_missing_page_gets_the_full_error_page(client):
    response = client.get("/jobs/99999", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.status_code == 404
    assert response.text.startswith("<!doctype html>")


def test_a_boosted_form_post_that_fails_keeps_the_address_of_its_page(client, app_ctx):
    """Otherwise htmx pushes the POST-only URL, and a reload says "Method not allowed"."""
    from factories import login, make_user

    login(client, make_user())
    failed = client.post(
        "/account/password",
        data={"current_password": "wrong wrong", "new_password": "whatever1"},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert failed.status_code == 422
    assert failed.headers["HX-Push-Url"] == "false"
    done = client.post("/account/sessions/end", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert done.status_code == 302
    assert "HX-Push-Url" not in done.headers
