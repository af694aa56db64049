"""Issue 13 in a real browser: the pipeline's drag and one-click advance (focus stays on the moved
card, the change is announced), progress on actions, no sideways scrolling at 390 px, and axe-core
at desktop and phone widths with zero serious or critical violations on the main pages."""

from __future__ import annotations

import re
from pathlib import Path

import factories
import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Application

from .journeys import log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-4.14.1.min.js"


@pytest.fixture
def board(app):
    """A recruiter with a published job and two applicants, and a candidate; ids only (no session)."""
    with app.app_context():
        owner = factories.make_recruiter("Pipeline Co", email="rita@pipeline.example")
        job = factories.make_job(owner, title="Telemetry Engineer")
        ada = factories.make_application(job, factories.make_user(name="Ada Applied"))
        sam = factories.make_application(job, factories.make_user(name="Sam Screening"), status="screening")
        candidate = factories.make_user("carl@example.com", name="Carl Candidate")
        ids = {"job": job.id, "ada": ada.id, "sam": sam.id, "slug": job.slug, "candidate": candidate.email}
        db.session.remove()
    return ids


def status_of(app, application_id: int) -> str:
    with app.app_context():
        status = db.session.get(Application, application_id).status
        db.session.remove()
    return status


def column(page: Page, stage: str):
    return page.locator(f"ul.cards[data-stage='{stage}']")


def test_one_click_advance_keeps_focus_on_the_moved_card_and_announces_it(page: Page, app, board, page_errors):
    log_in(page, "rita@pipeline.example")
    page.goto(f"/recruiter/jobs/{board['job']}/pipeline")
    page.evaluate("window.__noReload = 1")
    button = page.get_by_role("button", name=re.compile(r"^Move to Screening\W+Ada Applied"))
    # While the request runs, the button is disabled (hx-disabled-elt) and its form is busy.
    page.evaluate(
        """document.body.addEventListener("htmx:beforeSend", function (e) {
             window.__disabledWhileSending = !!e.detail.elt.querySelector("button[disabled]");
           }, {once: true})"""
    )
    button.focus()
    page.keyboard.press("Enter")
    expect(column(page, "screening")).to_contain_text("Ada Applied")
    expect(page.locator("#toasts")).to_contain_text("Ada Applied moved to Screening.")  # role=status
    expect(page.locator(f"#card-{board['ada']}")).to_be_focused()
    assert page.evaluate("window.__disabledWhileSending") is True
    assert page.evaluate("window.__noReload") == 1, "the move reloaded the page"
    assert status_of(app, board["ada"]) == "screening"
    assert page_errors == []


def test_drag_a_card_to_another_stage(page: Page, app, board, page_errors):
    log_in(page, "rita@pipeline.example")
    page.goto(f"/recruiter/jobs/{board['job']}/pipeline")
    card = page.locator(f"#card-{board['sam']}")
    target = column(page, "interview")
    box, drop = card.locator(".muted").bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    # Several steps: Sortable's fallback needs to see the pointer travel over the other column.
    page.mouse.move(box["x"] + 15, box["y"] + 15, steps=5)
    page.mouse.move(drop["x"] + drop["width"] / 2, drop["y"] + drop["height"] / 2, steps=15)
    page.mouse.up()
    expect(column(page, "interview")).to_contain_text("Sam Screening")
    expect(page.locator("#toasts")).to_contain_text("Sam Screening moved to Interview.")
    assert status_of(app, board["sam"]) == "interview"
    assert page_errors == []


def test_saving_a_job_keeps_focus_on_the_toggled_button(page: Page, board, page_errors):
    log_in(page, board["candidate"])
    page.goto(f"/jobs/{board['job']}/{board['slug']}")
    save = page.get_by_role("button", name="Save “Telemetry Engineer”")
    save.focus()
    page.keyboard.press("Enter")
    saved = page.get_by_role("button", name="Saved — remove “Telemetry Engineer”")
    expect(saved).to_be_focused()
    expect(page.locator("#toasts")).to_contain_text("Saved to your list.")
    assert page_errors == []


def test_a_plain_form_disables_its_button_while_it_is_sent(page: Page, board, page_errors):
    page.goto("/login")
    page.evaluate(
        """document.addEventListener("submit", function (e) {
             setTimeout(function () { window.__loginDisabled = e.target.querySelector("button").disabled; }, 5);
           })"""
    )
    page.get_by_label("Email").fill(board["candidate"])
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.evaluate("window.__loginDisabled") is True  # boosted: the window survives the swap
    assert page_errors == []


# --- Phones (390 px) and axe-core ------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


def main_pages(board) -> dict[str, list[str]]:
    """The main pages, by who sees them."""
    return {
        "": ["/", "/jobs", f"/jobs/{board['job']}/{board['slug']}", "/login", "/signup"],
        "rita@pipeline.example": [
            "/recruiter/",
            f"/recruiter/jobs/{board['job']}/pipeline",
            f"/recruiter/applications/{board['ada']}",
            "/recruiter/team",
        ],
        board["candidate"]: [
            "/me/applications",
            "/me/profile",
            "/me/saved",
            f"/jobs/{board['job']}/apply",
        ],
    }


def visit_all(page: Page, board, check) -> None:
    for who, paths in main_pages(board).items():
        page.context.clear_cookies()
        if who:
            log_in(page, who)
        for path in paths:
            response = page.goto(path)
            assert response.ok, f"{path}: HTTP {response.status}"
            check(path)


def test_no_page_scrolls_sideways_at_390px(page: Page, board, page_errors):
    page.set_viewport_size(PHONE)
    wide = []

    def check(path):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"{path}: {width}px")

    visit_all(page, board, check)
    assert wide == []
    assert page_errors == []


def test_phone_jobs_page_shows_results_first_and_the_menu_button(page: Page, board, page_errors):
    page.set_viewport_size(PHONE)
    page.goto("/jobs?workplace=hybrid")
    filters = page.locator("details.filters-toggle")
    expect(filters).not_to_have_attribute("open", "")
    expect(filters.locator("summary")).to_have_text("Filters (1)")
    first_result = page.locator("#job-results a").first
    assert first_result.bounding_box()["y"] < PHONE["height"], "the first result is not on the first screen"
    filters.locator("summary").click()
    expect(page.get_by_role("group", name="Workplace")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Find jobs")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Find jobs")).to_be_visible()
    assert page_errors == []


@pytest.mark.parametrize(
    ("viewport", "scheme"),
    [({"width": 1280, "height": 900}, "light"), (PHONE, "light"), ({"width": 1280, "height": 900}, "dark")],
    ids=["desktop", "phone", "desktop-dark"],
)
def test_axe_finds_no_serious_or_critical_violations(page: Page, board, page_errors, viewport, scheme):
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)  # dark mode (prefers-color-scheme) has its own colours to check
    source = AXE.read_text()
    found = []

    def check(path):
        # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
        page.evaluate(source)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                found.append(f"{path}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}")

    visit_all(page, board, check)
    assert found == []
    assert page_errors == []


# --- Defect 13: times in the viewer's time zone, relative times in job lists ---------------------------


def test_times_show_in_the_viewers_time_zone_and_job_lists_say_how_long_ago(browser, live_server, app, board):
    from datetime import timedelta

    from app.models import Job, utcnow

    with app.app_context():
        job = db.session.get(Job, board["job"])
        job.published_at = utcnow() - timedelta(days=3, hours=1)
        db.session.commit()
        db.session.remove()
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.goto("/")
        posted = page.locator("time[data-relative]").first
        expect(posted).to_have_text("3 days ago")
        expect(posted).to_have_attribute("title", re.compile(r"GMT\+9$"))
        log_in(page, "rita@pipeline.example")
        page.goto(f"/recruiter/applications/{board['ada']}")
        first_event = page.locator("#timeline time").first
        expect(first_event).to_have_text(re.compile(r"GMT\+9$"))  # not "UTC"
    finally:
        context.close()
        live_server.wait_idle()
