"""The README's screenshots, taken from the demo board (`flask seed-demo`) in headless Chromium.

    .venv/bin/python bench/screenshots.py [--base-url http://127.0.0.1:5000] [--out docs/screenshots]

Without --base-url it seeds and serves a throwaway board (bench/demo_server.py). Uses Playwright
with Debian's /usr/bin/chromium (never a downloaded browser). Writes:
  jobs-1280.png      the job list at 1280 px
  job-390.png        a job page at 390 px (a phone)
  pipeline-1280.png  the recruiter's pipeline board for the demo's first job
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from demo_server import DEMO_PASSWORD, DEMO_RECRUITER, demo_server
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state("networkidle")


def busiest_pipeline_url(page: Page, base_url: str) -> str:
    """The pipeline of the recruiter's job with the most applicants (the demo puts them all on one)."""
    page.goto(f"{base_url}/recruiter/")
    hrefs = {a.get_attribute("href") for a in page.locator("a[href*='/pipeline']").all()}
    counts = {}
    for href in hrefs:
        page.goto(base_url + re.sub(r"^https?://[^/]+", "", href))
        counts[page.url] = page.locator(".stage-column .card").count()
    return max(sorted(counts), key=counts.get)  # ties: the same job every run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running demo board (default: start one)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--scheme", choices=["light", "dark"], default="light")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with demo_server(args.base_url) as base_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=args.scheme)
        page = desktop.new_page()
        page.goto(f"{base_url}/jobs")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out / "jobs-1280.png")
        job_url = page.locator(".job-card h3 a").first.get_attribute("href")

        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, color_scheme=args.scheme
        )
        mobile = phone.new_page()
        mobile.goto(base_url + re.sub(r"^https?://[^/]+", "", job_url))
        mobile.wait_for_load_state("networkidle")
        mobile.screenshot(path=out / "job-390.png")

        log_in(page, base_url, DEMO_RECRUITER)
        page.goto(busiest_pipeline_url(page, base_url))
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out / "pipeline-1280.png")
        browser.close()
    for name in ("jobs-1280.png", "job-390.png", "pipeline-1280.png"):
        print(out / name)


if __name__ == "__main__":
    main()
