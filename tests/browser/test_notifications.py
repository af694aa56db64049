"""SMS for interview invitations, end to end in a real browser: a candidate verifies a phone (the
code read from the dev outbox, as from their phone), chooses SMS for interview invitations; the
recruiter moves them to Interview; the SMS appears in the dev outbox."""

from __future__ import annotations

import re

import factories
import pytest
from playwright.sync_api import Page, expect

from app.extensions import db

from .journeys import log_in

pytestmark = pytest.mark.browser

PHONE_TYPED = "+1 (415) 555-2671"
PHONE = "+14155552671"


def seed(app):
    with app.app_context():
        recruiter = factories.make_recruiter("Acme Rockets", name="Rita Recruiter")
        job = factories.make_job(recruiter, title="Rocket Telemetry Engineer")
        candidate = factories.make_user(name="Carl Candidate")
        factories.make_application(job, candidate)
        emails = recruiter.email, candidate.email
        db.session.remove()
    return emails


def log_out(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"Log out {name}").click()
    expect(page.get_by_text("You have been logged out.")).to_be_visible()


def test_candidate_gets_an_interview_invitation_by_sms(page: Page, live_server, app, page_errors):
    recruiter_email, candidate_email = seed(app)

    # --- The candidate verifies a phone and chooses SMS for interview invitations. -------------
    log_in(page, candidate_email)
    page.goto("/account/notifications")
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    sms_choice = page.get_by_role("checkbox", name="Interview invitations by SMS")
    expect(sms_choice).to_be_disabled()  # not before the number is verified
    page.get_by_role("textbox", name="Mobile number").fill(PHONE_TYPED)
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_text("We texted you a 6-digit code.")).to_be_visible()

    page.goto("/dev/outbox")
    code_text = page.locator("tr.outbox-text").filter(has_text=PHONE).filter(has_text="verification code").first
    expect(code_text).to_contain_text("SMS")
    code = re.search(r"\b(\d{6})\b", code_text.inner_text()).group(1)

    page.goto("/account/notifications")
    page.get_by_label(f"The 6-digit code we texted to {PHONE}").fill(code)
    page.get_by_role("button", name="Verify my number").click()
    expect(page.get_by_text("Your phone number is verified.")).to_be_visible()

    # Texts wait for the morning during quiet hours: this candidate wants them at any time.
    page.get_by_label("Hold texts during quiet hours").uncheck()
    page.get_by_role("button", name="Save quiet hours").click()
    expect(page.get_by_text("Quiet hours saved.")).to_be_visible()

    page.get_by_role("checkbox", name="Interview invitations by SMS").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Interview invitations by SMS")).to_be_checked()
    log_out(page, "Carl Candidate")

    # --- The recruiter moves the application to Interview on the pipeline board. -------------
    log_in(page, recruiter_email)
    page.get_by_role("link", name="Pipeline for Rocket Telemetry Engineer").click()
    card = (
        page.get_by_role("region", name=re.compile(r"^Applied\b"))
        .get_by_role("listitem")
        .filter(has=page.get_by_role("link", name="Carl Candidate"))
    )
    card.locator("summary", has_text="More").click()  # every stage sits behind "More" (issue 13)
    card.get_by_label("Stage for Carl Candidate").select_option(label="Interview")
    card.get_by_role("button", name="Move Carl Candidate").click()
    expect(page.locator("#toasts")).to_contain_text("Carl Candidate moved to Interview.")

    # --- The SMS is in the dev outbox. ----------------------------------------------------------
    page.goto("/dev/outbox")
    invitation = page.locator("tr.outbox-text").filter(has_text="would like to interview you")
    expect(invitation).to_have_count(1)
    expect(invitation).to_contain_text("SMS")
    expect(invitation).to_contain_text(PHONE)
    expect(invitation).to_contain_text("Rocket Telemetry Engineer")

    assert page_errors == [], "the browser reported errors:\n" + "\n".join(page_errors)
