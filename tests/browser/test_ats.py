"""A company owner connects a (fake) Greenhouse, presses "Sync now", watches the progress while a
real `python worker.py` process works the `ats` queue, and sees the imported jobs on the board."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import factories
import pytest
from fakes_ats import GREENHOUSE_CREDENTIALS, FakeGreenhouse, ats_env, serving  # noqa: F401 (fixture)
from playwright.sync_api import Page, expect
from servers import worker_env

from app.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.redis]
ROOT = Path(__file__).resolve().parent.parent.parent


def test_connect_greenhouse_sync_now_watch_progress_see_the_jobs(
    page: Page, live_server, app, rq, ats_env, page_errors
):
    with app.app_context():
        factories.make_recruiter("Acme Rockets", email="owner@acme.example", name="Olga Owner")
        db.session.remove()
    fake = FakeGreenhouse(jobs=250)
    fake.page_delay = 0.6  # each page takes a while, as a real ATS's would: the progress is visible
    with serving(app, None, fake):
        page.goto("/login")
        page.get_by_label("Email").fill("owner@acme.example")
        page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.get_by_role("link", name="Integrations").click()
        expect(page.get_by_role("heading", level=1, name="Integrations")).to_be_visible()

        page.get_by_label("Greenhouse (Harvest)").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Harvest v3 client ID").fill(GREENHOUSE_CREDENTIALS["client_id"])
        page.get_by_label("Harvest v3 client secret").fill(GREENHOUSE_CREDENTIALS["client_secret"])
        page.get_by_label("Webhook secret key (optional)").fill(GREENHOUSE_CREDENTIALS["webhook_secret"])
        page.get_by_role("button", name="Test connection and save").click()
        expect(page.locator(".flashes")).to_contain_text("Greenhouse is connected.")
        expect(page.locator("#ats-status")).to_contain_text("Connected")

        page.get_by_role("button", name="Sync now").click()
        progress = page.locator("#sync-progress")
        expect(progress).to_contain_text("Waiting for a worker")
        # Focus goes to the panel that appeared, and stays there while its counts change.
        expect(page.get_by_role("heading", name="Latest sync")).to_be_focused()

        env = worker_env(
            app,
            REDIS_URL=rq.url,
            ENCRYPTION_KEY=ats_env,
            ATS_GREENHOUSE_API_URL=fake.url + "/v3",
            ATS_GREENHOUSE_AUTH_URL=fake.url + "/token",
            ATS_GREENHOUSE_BOARDS_URL=fake.url + "/v1",
        )
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py"), "--queues", "ats", "--burst", "--no-parse-worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            seen: list[int] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "Finished" not in progress.inner_text():
                text = progress.inner_text()
                match = re.search(r"Jobs seen\s*(\d+)", text)
                if match:
                    seen.append(int(match.group(1)))
                page.wait_for_timeout(150)
            expect(progress).to_contain_text("Finished", timeout=60_000)
        finally:
            worker.wait(60)
        # The panel updated itself while the worker went page by page.
        assert any(0 < count < 250 for count in seen), seen
        counts = page.locator(".sync-counts")
        expect(counts.locator("div").filter(has_text="Jobs seen")).to_contain_text("250")
        expect(counts.locator("div").filter(has_text="Created")).to_contain_text("250")
        expect(page.locator("#ats-status")).to_contain_text("Synced")  # swapped in out of band
        expect(page.locator("#sync-runs")).to_contain_text("Succeeded")
        expect(page.get_by_role("heading", name="Latest sync")).to_be_focused()

    # The imported jobs are on the board.
    page.goto("/jobs?q=Engineer+17")
    expect(page.get_by_role("link", name="Engineer 17", exact=True)).to_be_visible()
    page.get_by_role("link", name="Engineer 17", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Engineer 17")).to_be_visible()
    expect(page.locator(".description strong")).to_have_text("reliable")

    # The settings page works at phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/recruiter/integrations/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page_errors == []
