"""Lighthouse accessibility and best-practices scores for the pages issue 13 names: home, the job
list, a job page, the apply page (a candidate signed in) and the pipeline board (a recruiter).

    npm install --prefix /tmp/lighthouse lighthouse          # once, outside the repository
    .venv/bin/python bench/lighthouse.py [--base-url http://127.0.0.1:5000] [--runs 1] [--form-factor desktop|mobile]

Without --base-url it seeds and serves a throwaway demo board (bench/demo_server.py). Signed-in
pages get the session cookie (taken from a real log-in in Playwright) through Lighthouse's
--extra-headers. Chromium is Debian's /usr/bin/chromium, headless. The goal is >= 95 in both
categories on every page; the script exits 1 when a page scores lower.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from demo_server import DEMO_CANDIDATE, DEMO_PASSWORD, DEMO_RECRUITER, demo_server
from playwright.sync_api import Browser, BrowserContext, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("accessibility", "best-practices")
GOAL = 95


def lighthouse_binary() -> str:
    found = os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse") or "/tmp/lighthouse/node_modules/.bin/lighthouse"
    if not Path(found).exists():
        sys.exit("Lighthouse not found: npm install --prefix /tmp/lighthouse lighthouse (or set LIGHTHOUSE=…)")
    return found


def signed_in(browser: Browser, base_url: str, email: str) -> tuple[BrowserContext, str]:
    """A browser context that logged in through the form, and its Cookie header."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.close()
    return context, "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def local(base_url: str, href: str) -> str:
    return base_url + re.sub(r"^https?://[^/]+", "", href)


def pages_to_audit(browser: Browser, base_url: str) -> list[tuple[str, str, str | None]]:
    """(label, url, Cookie header or None) for each page."""
    _, candidate = signed_in(browser, base_url, DEMO_CANDIDATE)
    recruiter_context, recruiter = signed_in(browser, base_url, DEMO_RECRUITER)
    page = browser.new_page()
    page.goto(f"{base_url}/jobs")
    job = local(base_url, page.locator(".job-card h3 a").first.get_attribute("href"))
    # A job the demo candidate has not applied to: the last card on the first page.
    other = page.locator(".job-card h3 a").last.get_attribute("href")
    other_id = re.search(r"/jobs/(\d+)", other).group(1)
    apply = f"{base_url}/jobs/{other_id}/apply"
    page = recruiter_context.new_page()
    page.goto(f"{base_url}/recruiter/")
    pipeline = local(base_url, page.locator("a[href*='/pipeline']").first.get_attribute("href"))
    return [
        ("home", f"{base_url}/", None),
        ("jobs", f"{base_url}/jobs", None),
        ("job page", job, None),
        ("apply (candidate)", apply, candidate),
        ("pipeline (recruiter)", pipeline, recruiter),
    ]


def audit(binary: str, url: str, cookie: str | None, form_factor: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        report = Path(tmp) / "report.json"
        command = [
            binary,
            url,
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox",
        ]
        if form_factor == "desktop":
            command.append("--preset=desktop")
        if cookie:
            command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
        env = {**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": tmp}
        subprocess.run(command, check=True, env=env, capture_output=True)  # noqa: S603  (our own arguments)
        data = json.loads(report.read_text())
    # A signed-in page whose cookie did not take would be audited as the log-in page: refuse that.
    landed = data.get("finalDisplayedUrl") or data.get("finalUrl")
    if landed.rstrip("/") != url.rstrip("/"):
        raise SystemExit(f"{url} ended at {landed}: not the page meant (signed out?)")
    scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    failed = []
    for name in CATEGORIES:
        for ref in data["categories"][name]["auditRefs"]:
            item = data["audits"][ref["id"]]
            if ref["weight"] and item["score"] is not None and item["score"] < 1:
                failed.append(f"{ref['id']}: {item['title']}")
    return {**scores, "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running demo board (default: start one)")
    parser.add_argument("--form-factor", choices=["mobile", "desktop"], default="mobile")
    args = parser.parse_args()
    binary = lighthouse_binary()
    with demo_server(args.base_url) as base_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        targets = pages_to_audit(browser, base_url)
        browser.close()
        print(f"Lighthouse ({args.form_factor}) on {base_url}")
        print(f"{'page':<22} {'accessibility':>13} {'best practices':>15}")
        worst = 100
        for label, url, cookie in targets:
            result = audit(binary, url, cookie, args.form_factor)
            worst = min(worst, result["accessibility"], result["best-practices"])
            print(f"{label:<22} {result['accessibility']:>13} {result['best-practices']:>15}")
            for line in result["failed"]:
                print(f"    not passed: {line}")
    sys.exit(0 if worst >= GOAL else 1)


if __name__ == "__main__":
    main()
