"""What a job posting looks like to search, whichever backend answers: its plain text, its location
key (the place it names, however it is spelled), its salary as US dollars a year. Both backends and
the database fallback use these, so a filter or a facet means the same thing everywhere.

Salary: a job's salary is normalised to a yearly amount in US dollars (fixed, approximate rates
below) and the *upper* end of its range is kept, so "at least 80,000" means "this job may pay
80,000 or more". One currency keeps the filter a single number a candidate can type; the rates are
deliberately coarse (the filter is a sieve, the job page shows the real figures).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only

from .. import places
from ..models import Company, Job

# Approximate US dollars per unit, for the salary filter only.
USD_RATES = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "INR": 0.012,
    "CAD": 0.73,
    "AUD": 0.66,
    "CHF": 1.13,
    "SGD": 0.74,
    "JPY": 0.0067,
    "BRL": 0.18,
}
PERIODS_PER_YEAR = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}


def epoch(value: datetime | None, default: int = 0) -> int:
    if value is None:
        return default
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def yearly_usd(amount: int | None, currency: str | None, period: str | None) -> int:
    """A salary amount as US dollars per year (0 when unknown)."""
    if not amount:
        return 0
    rate = USD_RATES.get((currency or "USD").upper())
    per_year = PERIODS_PER_YEAR.get(period or "year")
    if rate is None or per_year is None:
        return 0
    return int(round(amount * rate * per_year))


def location_key(location: str) -> str:
    """Facet key for a location: every spelling of one place is one key ("Remote (EU)" and "Remote
    (Europe)", "Berlin, DE" and "Berlin, Germany"; app/places.py). Jobs store it (Job.location_key)
    for the SQL side."""
    return places.location_key(location)


def location_label(location: str) -> str:
    """What the location facet shows for a key: the place's one spelling."""
    return places.location_label(location)


_TAG = re.compile(r"<[^>]+>")
# Tags that end a block of text become a space; inline ones (strong, em, a, code) vanish, so
# "<strong>Analyst</strong>," stays "Analyst," in snippets instead of "Analyst ,". The PostgreSQL
# function search_plain_text (migration 0007) does the same in SQL.
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th|dl|dt|dd)\b[^>]*>", re.IGNORECASE
)


# Keyed by the whole description: 256 of them (a dozen pages of results) is ~2 MB a process; 1,024
# held ~8 MB of a web worker's 250 MB budget at 100k jobs (issue 9) for repeats the kept pages serve.
@lru_cache(maxsize=256)
def plain_text(description_html: str, fallback: str = "") -> str:
    """Text of a job description without markup (the HTML is already sanitised by nh3)."""
    if description_html:
        return " ".join(html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", description_html))).split())
    return " ".join((fallback or "").split())


# What a result card (components/_job_card.html), its "Featured" badge, its open check, its snippet
# and the page's ETag (updated_at) read: nothing else is loaded (the description columns are for the
# snippet).
CARD_COLUMNS = (
    Job.id,
    Job.company_id,
    Job.title,
    Job.slug,
    Job.description,
    Job.description_html,
    Job.location,
    Job.workplace,
    Job.employment_type,
    Job.seniority,
    Job.salary_min,
    Job.salary_max,
    Job.salary_currency,
    Job.salary_period,
    Job.skills,
    Job.status,
    Job.published_at,
    Job.expires_at,
    Job.featured_until,
    Job.updated_at,
)


def card_rows(session, job_ids: list[int]) -> dict[int, Job]:
    """The jobs of a results page by id, for their cards: one query (the company joined), only the
    columns a card shows."""
    query = (
        select(Job)
        .where(Job.id.in_(job_ids))
        .options(
            load_only(*CARD_COLUMNS),
            joinedload(Job.company).load_only(Company.id, Company.name, Company.slug, Company.logo_id),
        )
    )
    return {job.id: job for job in session.scalars(query)}
