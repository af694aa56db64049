"""Issue 14 A in a real browser: moderation with a reason through review and approval, a visitor's
report, the data export download, and account deletion undone from the dev outbox."""

from __future__ import annotations

import json
import re
import zipfile

import factories
import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Job

from .journeys import log_in

pytestmark = pytest.mark.browser

JOB_TITLE = "Quantum Ledger Analyst"


def _log_in(page: Page, email: str) -> None:
    log_in(page, email, fresh=True)


def _seed_job(app) -> tuple[str, int]:
    with app.app_context():
        owner = factories.make_recruiter("Ledger Labs", email="owner@ledger.example")
        job = factories.make_job(owner, title=JOB_TITLE)
        result = owner.email, job.id
        db.session.remove()
    return result


def test_moderation_with_a_reason_then_review_and_approval(page: Page, live_server, app):
    owner_email, job_id = _seed_job(app)
    with app.app_context():
        factories.make_user("boss@example.com", role="admin")
        db.session.remove()

    _log_in(page, "boss@example.com")
    page.goto("/admin/jobs")
    page.get_by_role("link", name=f"Take down “{JOB_TITLE}”").click()
    expect(page.get_by_role("heading", name="Please confirm")).to_be_visible()
    page.get_by_label("Reason").select_option("misleading")
    page.get_by_label("Details for the recruiter").fill("The salary range is not what you pay.")
    page.get_by_role("button", name=f"Take down “{JOB_TITLE}”").click()
    expect(page.get_by_text(f"“{JOB_TITLE}” was taken off the board.")).to_be_visible()

    _log_in(page, owner_email)
    page.goto("/recruiter/")
    expect(page.get_by_text("Taken down by a moderator: Misleading.")).to_be_visible()
    expect(page.get_by_text("The salary range is not what you pay.")).to_be_visible()
    page.locator("summary", has_text="Actions").click()  # the dashboard's actions menu (issue 13)
    page.get_by_role("link", name=f"Edit {JOB_TITLE}").click()
    expect(page.get_by_text("Taken down by a moderator: Misleading.")).to_be_visible()
    page.get_by_label("Maximum salary").fill("95000")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(f"“{JOB_TITLE}” was saved.")).to_be_visible()
    page.get_by_role("button", name=f"Ask for review of “{JOB_TITLE}”").click()
    expect(page.get_by_text(f"Thank you: a moderator will review “{JOB_TITLE}”.")).to_be_visible()

    _log_in(page, "boss@example.com")
    page.goto("/admin/moderation")
    page.get_by_role("link", name=re.compile(f"Approve “{JOB_TITLE}”")).click()
    page.get_by_label("Reason").fill("The salary is fixed now.")
    page.get_by_role("button", name=f"Approve “{JOB_TITLE}”").click()
    expect(page.get_by_text(f"“{JOB_TITLE}” was approved.")).to_be_visible()

    live_server.wait_idle()
    with app.app_context():
        assert db.session.get(Job, job_id).is_open
        db.session.remove()


def test_a_visitor_reports_a_job(page: Page, live_server, app):
    _owner, job_id = _seed_job(app)
    page.goto(f"/jobs/{job_id}")
    page.get_by_role("link", name="Report this job").click()
    page.get_by_label("What is wrong with this job?").select_option("spam")
    page.get_by_label("Details").fill("Asks for a fee to apply.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Thank you: a moderator will look at this job.")).to_be_visible()
    expect(page.get_by_role("heading", name=JOB_TITLE)).to_be_visible()


def test_a_candidate_downloads_their_data(page: Page, live_server, app):
    with app.app_context():
        factories.make_user("data@example.com", name="Dana Data")
        db.session.remove()
    _log_in(page, "data@example.com")
    page.goto("/account")
    page.get_by_role("button", name="Download my data").click()
    link = page.get_by_role("link", name="Download your data (zip)")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["account"]["name"] == "Dana Data"


def test_account_deletion_is_undone_from_the_dev_outbox(page: Page, live_server, app):
    with app.app_context():
        factories.make_user("leaver@example.com", name="Lee Leaver")
        db.session.remove()
    _log_in(page, "leaver@example.com")
    page.goto("/account")
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("Your current password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text(re.compile("Your account is closed and will be deleted on"))).to_be_visible()

    page.goto("/dev/outbox")
    page.get_by_role("link", name=re.compile("account will be deleted on")).click()
    page.locator(".email-html").get_by_role("link", name="Restore your account").click()
    page.get_by_role("button", name="Restore my account").click()
    expect(page.get_by_text("Your account is restored.")).to_be_visible()
    _log_in(page, "leaver@example.com")
