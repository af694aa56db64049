"""SQL forms of the document rules in documents.py, for the database fallback and the PostgreSQL
backend: the same salary and location a Whoosh document carries, computed from the jobs row (or
from the PostgreSQL backend's narrow copy of it, search.jobs: pass its columns)."""

from __future__ import annotations

from sqlalchemy import case, func, literal

from ..models import Job
from .documents import PERIODS_PER_YEAR, USD_RATES


def yearly_usd(upper=None, currency=None, period=None):
    """documents.yearly_usd of the upper end of a job's range; NULL when there is no salary, 0 for
    an unknown currency or period (as in Python). Without arguments: the jobs row's columns."""
    if upper is None:
        upper, currency, period = func.coalesce(Job.salary_max, Job.salary_min), Job.salary_currency, Job.salary_period
    per_year = case(*[(period == name, literal(n)) for name, n in PERIODS_PER_YEAR.items()], else_=literal(0))
    rate = case(*[(currency == code, literal(r)) for code, r in USD_RATES.items()], else_=literal(0.0))
    return upper * per_year * rate


def location_key(column=None):
    """The location filter's key: documents.location_key of the location (app/places.py), stored on
    the job when its location is set, so SQL and Python agree on every spelling and every letter's
    case. search.jobs copies it: pass its column there."""
    return Job.location_key if column is None else column
