"""Paying to publish, in a real browser: a recruiter with no credits presses Publish, is led to
"Choose a plan", pays on the mock provider's page, comes back, and the job is live and featured.

No keys are configured, so Stripe (selected for a card) is not in the chain: the order falls back
to the mock provider, whose Pay button sends a signed webhook through the gateway like any provider.
"""

from __future__ import annotations

import re

import factories
import pytest
from conftest import app_config
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import CreditEntry, Job

pytestmark = pytest.mark.browser

JOB_TITLE = "Payments Platform Engineer"


def _seed(app) -> tuple[str, int]:
    with app.app_context():
        owner = factories.make_recruiter("Paying Co", email="payer@paying.example", password=factories.PASSWORD)
        job = factories.make_job(owner, status="draft", title=JOB_TITLE)
        factories.make_plan("Featured posting", credits=1, posting_days=30, featured_days=7)
        result = owner.email, job.id
        db.session.remove()
    return result


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at a 390 px viewport"


def test_a_recruiter_without_credits_pays_with_the_mock_and_the_job_is_published_and_featured(
    page: Page, live_server, app, page_errors
):
    email, job_id = _seed(app)
    with app_config(app, POSTINGS_REQUIRE_PAYMENT=True):
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page.get_by_text(re.compile(r"^Welcome back, "))).to_be_visible()

        page.goto("/recruiter/")
        page.get_by_role("button", name=f"Publish “{JOB_TITLE}”").click()
        expect(page.get_by_role("heading", name="Choose a plan")).to_be_visible()
        expect(page.get_by_text(f"Publishing “{JOB_TITLE}” takes one posting credit.")).to_be_visible()

        page.set_viewport_size({"width": 390, "height": 844})
        _no_sideways_scroll(page)
        page.get_by_role("radio", name=re.compile("Featured posting")).check()
        page.get_by_label("Billing country").fill("US")
        page.get_by_role("radio", name="Card").check()
        page.get_by_role("button", name="Continue to payment").click()

        expect(page.get_by_role("heading", name="Pay USD 49.00")).to_be_visible()
        expect(page.get_by_text("mock payment provider")).to_be_visible()
        page.get_by_role("button", name="Pay", exact=True).click()

        expect(page.get_by_text("Payment confirmed.")).to_be_visible()
        expect(
            page.get_by_text(re.compile(f"“{JOB_TITLE}” is live on the job board and featured until"))
        ).to_be_visible()
        _no_sideways_scroll(page)

        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("link", name="Find jobs").click()
        card = page.locator(".job-card", has_text=JOB_TITLE)
        expect(card.get_by_text("Featured", exact=True)).to_be_visible()

    live_server.wait_idle()
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.is_open
        assert job.featured_until is not None
        ledger = [(e.delta, e.reason) for e in db.session.scalars(db.select(CreditEntry).order_by(CreditEntry.id))]
        assert ledger == [(1, "purchase"), (-1, "publish")]
        db.session.remove()
    assert page_errors == []
