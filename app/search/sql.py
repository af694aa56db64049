"""SQL forms of the document rules in documents.py, for the database fallback and the PostgreSQL
backend: the same salary and location a Whoosh document carries, computed from the jobs row."""

from __future__ import annotations

from sqlalchemy import case, func, literal

from ..models import Job
from .documents import PERIODS_PER_YEAR, USD_RATES


def yearly_usd():
    """documents.yearly_usd of the upper end of a job's range; NULL when there is no salary, 0 for
    an unknown currency or period (as in Python)."""
    upper = func.coalesce(Job.salary_max, Job.salary_min)
    per_year = case(
        *[(Job.salary_period == period, literal(n)) for period, n in PERIODS_PER_YEAR.items()], else_=literal(0)
    )
    rate = case(*[(Job.salary_currency == code, literal(r)) for code, r in USD_RATES.items()], else_=literal(0.0))
    return upper * per_year * rate


def location_key():
    """The location filter's key: documents.location_key of the location, stored on the job when
    its location is set (so SQL and Python agree on every spelling and every letter's case)."""
    return Job.location_key
