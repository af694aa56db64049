"""Job search in a real browser: filters update the results in place, the address follows, Back
restores the previous results, and without JavaScript the same form submits normally."""

from __future__ import annotations

import re

import factories
import pytest
from playwright.sync_api import Page, expect
from search_support import fresh_index  # noqa: F401  (fixture)

from app.extensions import db

pytestmark = pytest.mark.browser

REMOTE = "Remote Telemetry Engineer"
ON_SITE = "Harbour Telemetry Engineer"
UNRELATED = "Office Manager"


@pytest.fixture
def listed(app, fresh_index):
    with app.app_context():
        owner = factories.make_recruiter("Search Co")
        factories.make_job(owner, title=REMOTE, workplace="remote", location="Anywhere", skills="Go, Grafana")
        factories.make_job(owner, title=ON_SITE, workplace="onsite", location="Hamburg, Germany", skills="Go")
        factories.make_job(owner, title=UNRELATED, description="Keep the office running.", skills="Planning")
        db.session.remove()


def test_filters_update_in_place_and_back_restores_the_previous_results(page: Page, listed, page_errors):
    page.goto("/jobs?q=telemetry")
    count = page.locator("#result-count")
    expect(count).to_have_text("2 open jobs matching “telemetry”")
    expect(page.get_by_role("link", name=UNRELATED)).to_have_count(0)
    page.evaluate("window.__noReload = 1")

    remote = page.get_by_role("group", name="Workplace").get_by_label(re.compile(r"^Remote"))
    expect(page.get_by_role("group", name="Workplace")).to_contain_text("Remote (1 job)")
    remote.check()
    expect(count).to_have_text("1 open job matching “telemetry”")  # the live region changed in place
    expect(page.get_by_role("link", name=ON_SITE)).to_have_count(0)
    expect(page.get_by_role("link", name=REMOTE)).to_be_visible()
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("Remote")
    expect(page).to_have_url(re.compile(r"/jobs\?q=telemetry&workplace=remote$"))
    assert page.evaluate("window.__noReload") == 1, "the filter reloaded the page instead of swapping results"

    page.go_back()
    expect(page).to_have_url(re.compile(r"/jobs\?q=telemetry$"))
    expect(count).to_have_text("2 open jobs matching “telemetry”")
    expect(page.get_by_role("link", name=ON_SITE)).to_be_visible()
    expect(page.get_by_role("group", name="Workplace").get_by_label(re.compile(r"^Remote"))).not_to_be_checked()
    expect(page.get_by_role("searchbox", name="Search jobs")).to_have_value("telemetry")

    expect(page.get_by_role("link", name="Clear all filters")).to_have_count(0)
    assert page_errors == [], "the browser reported errors:\n" + "\n".join(page_errors)


def test_without_javascript_the_search_form_submits_normally(browser, live_server, listed):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/jobs")
        expect(page.locator("#result-count")).to_have_text("3 open jobs")
        page.get_by_role("searchbox", name="Search jobs").fill("telemetry")
        page.get_by_role("button", name="Search jobs").click()
        expect(page).to_have_url(re.compile(r"/jobs\?q=telemetry"))
        expect(page.locator("#result-count")).to_have_text("2 open jobs matching “telemetry”")

        page.get_by_role("group", name="Workplace").get_by_label(re.compile(r"^On-site")).check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page.locator("#result-count")).to_have_text("1 open job matching “telemetry”")
        expect(page.get_by_role("link", name=ON_SITE)).to_be_visible()
        page.get_by_role("list", name="Active filters").get_by_role("link", name=re.compile("On-site")).click()
        expect(page.locator("#result-count")).to_have_text("2 open jobs matching “telemetry”")
    finally:
        context.close()
        live_server.wait_idle()
