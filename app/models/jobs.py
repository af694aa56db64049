from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .. import places
from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow
from .states import JobStatus, one_of

JOB_STATUSES = tuple(JobStatus)
WORKPLACES = {"onsite": "On-site", "hybrid": "Hybrid", "remote": "Remote"}
EMPLOYMENT_TYPES = {
    "full_time": "Full-time",
    "part_time": "Part-time",
    "contract": "Contract",
    "temporary": "Temporary",
    "internship": "Internship",
}
SENIORITIES = {
    "intern": "Intern",
    "junior": "Junior",
    "mid": "Mid-level",
    "senior": "Senior",
    "lead": "Lead",
    "principal": "Principal",
    "executive": "Executive",
}
SALARY_PERIODS = {"year": "per year", "month": "per month", "week": "per week", "day": "per day", "hour": "per hour"}
CURRENCIES = ("USD", "EUR", "GBP", "INR", "CAD", "AUD", "CHF", "SGD", "JPY", "BRL")


class Job(TimestampMixin, db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        # Newest first with a stable tie-break, as every listing sorts: the index hands rows over in
        # order (no sort of every open job to find the newest six).
        Index("ix_jobs_status_published_at_id", "status", "published_at", "id"),
        UniqueConstraint("company_id", "external_source", "external_id", name="uq_jobs_external"),
        one_of("status", JobStatus),
        Index("ix_jobs_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(160), nullable=False)
    slug: Mapped[str] = mapped_column(String(180), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    location: Mapped[str] = mapped_column(String(160), nullable=False, default="")
    # What app/places.py reads from `location`, kept in step with it by _read_location: the city,
    # the country, the remote region ("" for on-site work), and the key the search's location facet
    # and filter use, so "Remote (EU)" and "Remote (Europe)" are one place (migration 0028).
    city: Mapped[str] = mapped_column(String(160), nullable=False, default="", server_default="")
    country: Mapped[str] = mapped_column(String(80), nullable=False, default="", server_default="")
    remote_region: Mapped[str] = mapped_column(String(160), nullable=False, default="", server_default="")
    location_key: Mapped[str] = mapped_column(String(255), nullable=False, default="", server_default="")
    workplace: Mapped[str] = mapped_column(String(20), nullable=False, default="onsite")
    employment_type: Mapped[str] = mapped_column(String(20), nullable=False, default="full_time")
    seniority: Mapped[str] = mapped_column(String(20), nullable=False, default="mid")
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    salary_currency: Mapped[str] = mapped_column(String(3), nullable=False, default="USD")
    salary_period: Mapped[str] = mapped_column(String(10), nullable=False, default="year")
    skills: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=JobStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    featured_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    external_source: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(120))
    view_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # Written only by PostgreSQL (trigger, migration 0007) for SEARCH_BACKEND=postgres; NULL on SQLite.
    # Deferred: loading a job never fetches it.
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"), deferred=True)

    company = relationship("Company", back_populates="jobs", lazy="joined")
    created_by = relationship("User")
    applications = relationship("Application", lazy="dynamic", viewonly=True)

    # "Open" (accepting applications, listed, searchable) has this one definition, in SQL and in
    # Python; the search index, the listings, apply and the JSON-LD all use one of the two.
    @classmethod
    def open_clause(cls, now: datetime | None = None):
        """SQL condition for 'open': published and not past its expiry. `now` may be a bound
        parameter (search statements are built once and run many times)."""
        if now is None:
            now = utcnow()
        return and_(cls.status == JobStatus.PUBLISHED, or_(cls.expires_at.is_(None), cls.expires_at > now))

    def is_open_at(self, now: datetime) -> bool:
        """The same rule as open_clause, for a loaded row."""
        return self.status == JobStatus.PUBLISHED and (self.expires_at is None or self.expires_at > now)

    @property
    def is_open(self) -> bool:
        return self.is_open_at(utcnow())

    @property
    def effective_status(self) -> str:
        """The status a visitor sees: a published job past its expiry is expired even before the sweeper runs."""
        if self.status == JobStatus.PUBLISHED and not self.is_open:
            return JobStatus.EXPIRED
        return self.status

    @property
    def is_public(self) -> bool:
        """Drafts are private; closed and expired jobs keep their public page with a notice."""
        return self.status != JobStatus.DRAFT and self.published_at is not None

    @validates("location")
    def _read_location(self, _key: str, value: str | None) -> str | None:
        place = places.normalize(value or "")
        self.city, self.country = place.city, place.country
        self.remote_region = place.remote_region if place.remote else ""
        self.location_key = place.key
        return value

    @property
    def location_label(self) -> str:
        """The location as the search's filters show it ("Remote (Europe)" for "Remote (EU)")."""
        return places.location_label(self.location)

    @property
    def workplace_label(self) -> str:
        return WORKPLACES.get(self.workplace, self.workplace)

    @property
    def employment_type_label(self) -> str:
        return EMPLOYMENT_TYPES.get(self.employment_type, self.employment_type)

    @property
    def seniority_label(self) -> str:
        return SENIORITIES.get(self.seniority, self.seniority)

    @property
    def salary_label(self) -> str:
        if self.salary_min is None and self.salary_max is None:
            return ""

        def money(amount: int) -> str:
            return f"{amount:,}"

        if self.salary_min is not None and self.salary_max is not None and self.salary_min != self.salary_max:
            amount = f"{money(self.salary_min)}–{money(self.salary_max)}"
        elif self.salary_min is not None:
            amount = ("from " if self.salary_max is None else "") + money(self.salary_min)
        else:
            amount = "up to " + money(self.salary_max)
        return f"{self.salary_currency} {amount} {SALARY_PERIODS.get(self.salary_period, '')}".strip()


class SavedJob(db.Model):
    __tablename__ = "saved_jobs"
    __table_args__ = (UniqueConstraint("user_id", "job_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    job = relationship("Job", lazy="joined")
