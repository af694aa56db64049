"""Quick apply with the profile resume, in a real browser (issue 13, defects 1-3).

A candidate whose reviewed profile has a resume applies to one job in one click from the job page;
on another job's form, a file over the size limit is refused beside the field before anything is
sent, with the cover letter kept; the recruiter then reads the profile and the inline PDF preview
on the application page, under the app's CSP (any violation fails the test).
"""

from __future__ import annotations

import hashlib
import re

import factories
import pytest
from playwright.sync_api import Page, expect
from resume_samples import text_pdf
from sqlalchemy import select

from app.extensions import db
from app.models import Application, Document
from app.services import profiles

from .journeys import log_in

pytestmark = pytest.mark.browser


def seed(app) -> dict:
    """A recruiter with two jobs; a candidate whose reviewed profile holds a PDF resume."""
    with app.app_context():
        owner = factories.make_recruiter("Acme Rockets", email="rita@acme.example")
        first = factories.make_job(owner, title="Rocket Telemetry Engineer")
        second = factories.make_job(owner, title="Ground Station Engineer")
        candidate = factories.make_user("minh@example.com", name="Nguyễn Thị Minh Anh")
        data = text_pdf("Nguyen Thi Minh Anh\nProduct Designer")
        document = Document(
            owner_id=candidate.id,
            filename="minh-anh.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
        db.session.add(document)
        db.session.flush()
        profile = profiles.save_reviewed_profile(
            candidate,
            {
                "headline": "Senior Product Designer",
                "summary": "Designs payment flows people finish.",
                "skills": "Figma, A/B Testing",
                "links": "https://minhanh.example.org",
                "experience": [{"title": "Product Designer", "company": "VNG Corporation"}],
                "education": [{"institution": "Hanoi University of Industrial Fine Arts", "degree": "BFA"}],
            },
        )
        profile.resume_id = document.id
        db.session.commit()
        ids = {"first": (first.id, first.slug), "second": (second.id, second.slug)}
        db.session.remove()
    return ids


def test_quick_apply_with_the_profile_resume_then_the_recruiter_reads_it(page: Page, app, live_server):
    jobs = seed(app)
    log_in(page, "minh@example.com")

    job_id, slug = jobs["first"]
    page.goto(f"/jobs/{job_id}/{slug}")
    page.get_by_role("button", name="Apply now with my profile").click()
    expect(page.get_by_text("Your application to Rocket Telemetry Engineer at Acme Rockets was sent.")).to_be_visible()

    # The other job's form: the profile resume is the default; a file over the limit is refused
    # in the browser, beside the field, and the cover letter stays.
    job_id, slug = jobs["second"]
    page.goto(f"/jobs/{job_id}/apply")
    profile_resume = page.get_by_role("radio", name=re.compile(r"^Use my profile resume \(minh-anh\.pdf, uploaded "))
    expect(profile_resume).to_be_checked()
    page.get_by_label("Cover letter (optional)").fill("I have shipped ground software before.")
    page.get_by_role("radio", name="Upload a different resume").check()
    page.get_by_label(re.compile(r"^Different resume")).set_input_files(
        {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)}
    )
    expect(page.locator("#resume-error")).to_have_text(re.compile(r"This file is 6\.0 MB; resumes can be at most 5 MB"))
    expect(page.get_by_label("Cover letter (optional)")).to_have_value("I have shipped ground software before.")
    profile_resume.check()
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("Your application to Ground Station Engineer at Acme Rockets was sent.")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Log out")).click()

    with app.app_context():
        applications = db.session.scalars(select(Application).order_by(Application.id)).all()
        assert len(applications) == 2
        assert {a.resume.filename for a in applications} == {"minh-anh.pdf"}
        application_id = applications[0].id
        db.session.remove()

    log_in(page, "rita@acme.example")
    with page.expect_response(re.compile(r"/resume/preview$")) as preview:
        page.goto(f"/recruiter/applications/{application_id}")
    assert preview.value.status == 200
    assert preview.value.headers["content-disposition"].startswith("inline")
    expect(page.get_by_text("Senior Product Designer")).to_be_visible()
    expect(page.get_by_text("Hanoi University of Industrial Fine Arts")).to_be_visible()
    expect(page.get_by_role("link", name="https://minhanh.example.org")).to_be_visible()
    expect(page.locator("iframe.resume-frame")).to_be_visible()
