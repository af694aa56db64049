"""Steps the browser journeys share."""

from __future__ import annotations

import re

import factories
from playwright.sync_api import Page, expect


def log_in(page: Page, email: str, *, fresh: bool = False) -> None:
    """Log in through the form with the factories' password; `fresh` drops the previous session first."""
    if fresh:
        page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Welcome back, "))).to_be_visible()
