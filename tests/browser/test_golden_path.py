"""The golden path, end to end in a real browser, entirely through the UI.

A recruiter signs up, confirms their email address (opening the link from the verification email
in the outbox, as they would from their inbox) and publishes a job; a candidate signs up, finds it
with the live search, applies with a PDF resume; the recruiter moves the application to Interview
on the pipeline board (in place, no page reload); the candidate sees the new stage and its
timeline entry.
"""

from __future__ import annotations

import re

import factories
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import EmailMessage

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
RECRUITER = {"name": "Rita Recruiter", "email": "rita@acme.example", "company": "Acme Rockets"}
CANDIDATE = {"name": "Carl Candidate", "email": "carl@example.com"}
JOB_TITLE = "Rocket Telemetry Engineer"
DECOY_TITLE = "Office Manager"


def seed_other_job(app, title: str = DECOY_TITLE):
    """A job from another company, so the search has something to filter out. Leaves no session open."""
    with app.app_context():
        owner = factories.make_recruiter("Other Corp")
        job = factories.make_job(owner, title=title, description="Keep the office running.", skills="Planning")
        job_id = job.id
        db.session.remove()
    return job_id


def email_link(app, address: str, template: str) -> str:
    """The link in the newest `template` email queued for `address` (what the user would click)."""
    with app.app_context():
        message = db.session.scalar(
            select(EmailMessage)
            .where(EmailMessage.to_address == address, EmailMessage.template == template)
            .order_by(EmailMessage.id.desc())
            .limit(1)
        )
        assert message is not None, f"no {template!r} email was queued for {address}"
        body = message.text_body
        db.session.remove()
    match = re.search(r"https?://\S+", body)
    assert match, f"the {template!r} email has no link:\n{body}"
    return match.group(0)


def confirm_address(page: Page, app, address: str) -> None:
    """Open the confirmation link from the email and press the button, as the person would."""
    page.goto(email_link(app, address, "verify_email"))
    expect(page).to_have_url(re.compile(r"/verify$"))  # the token left the address bar
    page.get_by_role("button", name=f"Confirm {address}").click()


def log_out(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"Log out {name}").click()
    expect(page.get_by_text("You have been logged out.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def log_in(page: Page, email: str) -> None:
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Welcome back, "))).to_be_visible()


def stage_column(page: Page, stage: str):
    """The pipeline column (a <section> labelled by its heading, e.g. "Interview 1")."""
    return page.get_by_role("region", name=re.compile(rf"^{stage}\b"))


def test_golden_path(page: Page, live_server, app, page_errors):
    seed_other_job(app)

    # --- a. The recruiter signs up, posts and publishes a job, logs out. ----------------------
    page.goto("/signup/recruiter")
    expect(page.get_by_role("heading", name="Hire with Jobifies")).to_be_visible()
    page.get_by_label("Full name").fill(RECRUITER["name"])
    page.get_by_label("Email").fill(RECRUITER["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Company name").fill(RECRUITER["company"])
    page.get_by_label("Website").fill("https://acme.example")
    page.get_by_label("About the company").fill("We build reusable rockets.")
    page.get_by_role("button", name="Create company").click()

    # The account starts once the address is confirmed: the recruiter opens the link from the email.
    expect(page.get_by_role("heading", level=1, name="Check your inbox")).to_be_visible()
    expect(page.get_by_text(f"We sent a link to {RECRUITER['email']}.")).to_be_visible()
    confirm_address(page, app, RECRUITER["email"])
    expect(page).to_have_url(re.compile(r"/recruiter/?$"))
    expect(page.get_by_text(f"Thanks, {RECRUITER['email']} is confirmed.")).to_be_visible()
    expect(page.get_by_text("Please confirm your email address")).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name=RECRUITER["company"])).to_be_visible()

    page.get_by_role("link", name="Post a new job").click()
    expect(page.get_by_role("heading", level=1, name="Post a job")).to_be_visible()
    page.get_by_label("Job title").fill(JOB_TITLE)
    page.get_by_label("Description (Markdown)").fill(
        "We need someone **bold** to own rocket telemetry.\n\n- Python\n- Time series\n"
    )
    # The live preview renders the Markdown on the server and swaps it in.
    preview = page.locator("#description-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("li")).to_have_text(["Python", "Time series"])
    page.get_by_label("Location").fill("Bremen, Germany")
    page.get_by_label("Workplace").select_option(label="Hybrid")
    page.get_by_label("Employment type").select_option(label="Full-time")
    page.get_by_label("Seniority").select_option(label="Senior")
    page.get_by_label("Minimum salary").fill("80000")
    page.get_by_label("Maximum salary").fill("100000")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Salary period").select_option(label="Per year")
    page.get_by_label("Skills").fill("Python, Telemetry, PostgreSQL")
    page.get_by_role("button", name="Save and publish").click()

    expect(page.locator(".flashes")).to_contain_text(JOB_TITLE)
    job_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(JOB_TITLE)))
    expect(job_row.get_by_role("cell").first).to_contain_text("Published")
    log_out(page, RECRUITER["name"])

    # --- b. The candidate signs up, finds the job with the live search, applies. -------------
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Full name").fill(CANDIDATE["name"])
    page.get_by_label("Email").fill(CANDIDATE["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Check your inbox")).to_be_visible()
    confirm_address(page, app, CANDIDATE["email"])
    confirmed = page.get_by_text(f"Thanks, {CANDIDATE['email']} is confirmed.")
    expect(confirmed).to_be_visible()

    # Confirming lands on the jobs page already: wait for the boosted navigation to swap the page in
    # (its one-time "confirmed" message gone), or the first keystrokes go to the old box.
    with page.expect_response(lambda response: response.url.endswith("/jobs")):
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Find jobs").click()
    expect(confirmed).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name="Jobs")).to_be_visible()
    expect(page.get_by_text("2 open jobs")).to_be_visible()
    page.evaluate("window.__noReload = 1")
    page.get_by_role("searchbox", name="Search jobs").press_sequentially("Telemetry", delay=20)
    expect(page.get_by_role("searchbox", name="Search jobs")).to_have_value("Telemetry")
    # Active search: the results are replaced in place (and the URL follows).
    expect(page.get_by_text("1 open job matching “Telemetry”")).to_be_visible()
    expect(page.get_by_role("link", name=DECOY_TITLE)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/jobs\?q=Telemetry$"))
    assert page.evaluate("window.__noReload") == 1, "the search reloaded the page instead of swapping results"

    page.get_by_role("link", name=JOB_TITLE).click()
    expect(page.get_by_role("heading", level=1, name=JOB_TITLE)).to_be_visible()
    expect(page.get_by_role("region", name="Job description").locator("strong")).to_have_text("bold")
    page.get_by_role("link", name="Apply for this job").click()
    expect(page.get_by_role("heading", name=f"Apply for {JOB_TITLE}")).to_be_visible()
    page.get_by_label(re.compile(r"^Resume")).set_input_files(
        {"name": "carl-resume.pdf", "mimeType": "application/pdf", "buffer": factories.pdf_bytes("Carl Candidate")}
    )
    page.get_by_label("Cover letter (optional)").fill("I have flown telemetry stacks for years.")
    page.get_by_role("button", name="Send application").click()

    expect(page.get_by_text(f"Your application to {JOB_TITLE} at {RECRUITER['company']} was sent.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="My applications")).to_be_visible()
    application = page.get_by_role("article", name=JOB_TITLE)
    expect(application.locator(".stage")).to_have_text("Stage: Applied")
    expect(application.get_by_role("list", name=f"Timeline of {JOB_TITLE}")).to_contain_text("Application sent")
    expect(application.get_by_role("link", name="Download the resume you sent")).to_be_visible()
    log_out(page, CANDIDATE["name"])

    # --- c. The recruiter moves the application to Interview, in place. ---------------------
    log_in(page, RECRUITER["email"])
    expect(page.get_by_role("heading", level=1, name=RECRUITER["company"])).to_be_visible()
    page.get_by_role("link", name=f"Pipeline for {JOB_TITLE}").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(JOB_TITLE))).to_be_visible()
    card = (
        stage_column(page, "Applied")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("link", name=CANDIDATE["name"]))
    )
    expect(card).to_have_count(1)

    page.evaluate("window.__noReload = 1")
    card.locator("summary", has_text="More").click()  # every stage, behind "More" (issue 13)
    card.get_by_label(f"Stage for {CANDIDATE['name']}").select_option(label="Interview")
    card.get_by_role("button", name=f"Move {CANDIDATE['name']}").click()

    interview = stage_column(page, "Interview")
    expect(interview.get_by_role("link", name=CANDIDATE["name"])).to_be_visible()
    expect(interview.get_by_role("heading")).to_have_text("Interview 1")
    expect(stage_column(page, "Applied").get_by_role("link", name=CANDIDATE["name"])).to_have_count(0)
    expect(stage_column(page, "Applied").get_by_role("heading")).to_have_text("Applied 0")
    expect(page.locator("#toasts")).to_contain_text(f"{CANDIDATE['name']} moved to Interview.")
    assert page.evaluate("window.__noReload") == 1, "moving the application reloaded the whole page"
    log_out(page, RECRUITER["name"])

    # --- d. The candidate sees the new stage and the timeline entry. -------------------------
    log_in(page, CANDIDATE["email"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My applications").click()
    application = page.get_by_role("article", name=JOB_TITLE)
    expect(application.locator(".stage")).to_have_text("Stage: Interview")
    timeline = application.get_by_role("list", name=f"Timeline of {JOB_TITLE}")
    expect(timeline.get_by_role("listitem")).to_have_count(2)
    expect(timeline.get_by_role("listitem").nth(1)).to_contain_text("Moved to Interview")

    assert page_errors == [], "the browser reported errors:\n" + "\n".join(page_errors)


def test_candidate_saves_a_job_in_place(page: Page, live_server, app, page_errors):
    seed_other_job(app, title=JOB_TITLE)

    page.goto("/signup")
    page.get_by_label("Full name").fill(CANDIDATE["name"])
    page.get_by_label("Email").fill(CANDIDATE["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Check your inbox")).to_be_visible()
    confirm_address(page, app, CANDIDATE["email"])
    expect(page.get_by_text(f"Thanks, {CANDIDATE['email']} is confirmed.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Jobs")).to_be_visible()

    page.evaluate("window.__noReload = 1")
    save = page.get_by_role("button", name=f"Save “{JOB_TITLE}”")
    expect(save).to_have_attribute("aria-pressed", "false")
    save.click()
    saved = page.get_by_role("button", name=f"Saved — remove “{JOB_TITLE}”")
    expect(saved).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#toasts")).to_contain_text("Saved to your list.")
    assert page.evaluate("window.__noReload") == 1, "saving the job reloaded the page"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Saved jobs").click()
    expect(page.get_by_role("heading", level=1, name="Saved jobs")).to_be_visible()
    expect(page.get_by_role("link", name=JOB_TITLE)).to_be_visible()
    expect(page.get_by_role("button", name=f"Remove “{JOB_TITLE}” from saved jobs")).to_be_visible()

    assert page_errors == [], "the browser reported errors:\n" + "\n".join(page_errors)
