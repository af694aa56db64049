"""Job distribution: what the feeds, the sitemap, robots.txt and the embeddable widget list.

Every link here is absolute and built from BASE_URL (app/links.py), never from the request: these
documents are read by crawlers, feed readers and other sites. Only open jobs (Job.open_clause)
are listed anywhere; the feeds go through search (the same filters as /jobs), the rest reads the
database directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from markupsafe import escape
from sqlalchemy import exists, func, select

from ..errors import NotFound
from ..extensions import db
from ..links import absolute_url
from ..models import Company, Job

# The sitemap protocol allows 50,000 URLs per file; past that, a sitemap index lists the parts.
SITEMAP_MAX_URLS = 50_000
SITEMAP_KINDS = ("jobs", "companies")
WIDGET_JOBS = 50  # the widget lists a company's newest open jobs, at most this many


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None


def _page_size() -> int:
    return current_app.config.get("SITEMAP_MAX_URLS") or SITEMAP_MAX_URLS


def _companies_with_open_jobs():
    return exists().where(Job.company_id == Company.id, Job.open_clause())


def sitemap_counts() -> dict[str, int]:
    """How many URLs each part of the sitemap has (open jobs; companies with an open job)."""
    return {
        "jobs": db.session.scalar(select(func.count()).select_from(Job).where(Job.open_clause())) or 0,
        "companies": db.session.scalar(select(func.count()).select_from(Company).where(_companies_with_open_jobs()))
        or 0,
    }


def sitemap_needs_index(counts: dict[str, int]) -> bool:
    # +2: the home page and the job search.
    return sum(counts.values()) + 2 > _page_size()


def sitemap_parts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(kind, page) of each part file of a sitemap index."""
    size = _page_size()
    return [(kind, page) for kind in SITEMAP_KINDS for page in range(1, max(1, math.ceil(counts[kind] / size)) + 1)]


def sitemap_entries(kind: str, page: int = 1, per_page: int | None = None) -> list[SitemapEntry]:
    """One page of a part of the sitemap, oldest id first (stable pages). NotFound past the end."""
    per_page = per_page or _page_size()
    offset = (page - 1) * per_page
    if kind == "jobs":
        rows = db.session.execute(
            select(Job.id, Job.slug, Job.updated_at)
            .where(Job.open_clause())
            .order_by(Job.id)
            .offset(offset)
            .limit(per_page)
        ).all()
        entries = [
            SitemapEntry(absolute_url("public.job_detail", job_id=row.id, slug=row.slug), row.updated_at)
            for row in rows
        ]
    elif kind == "companies":
        # A company's page changes when it does or when one of its open jobs does.
        newest_job = (
            select(func.max(Job.updated_at)).where(Job.company_id == Company.id, Job.open_clause()).scalar_subquery()
        )
        rows = db.session.execute(
            select(Company.slug, Company.updated_at, newest_job.label("job_updated_at"))
            .where(_companies_with_open_jobs())
            .order_by(Company.id)
            .offset(offset)
            .limit(per_page)
        ).all()
        entries = [
            SitemapEntry(
                absolute_url("public.company", slug=row.slug),
                max(value for value in (row.updated_at, row.job_updated_at) if value is not None),
            )
            for row in rows
        ]
    else:
        raise NotFound("No such sitemap.")
    if not entries and page > 1:
        raise NotFound("No such sitemap page.")
    return entries


def sitemap_all(counts: dict[str, int]) -> list[SitemapEntry]:
    """Everything in one file (when it fits): the home page, the job search, jobs, companies."""
    newest = sitemap_entries("jobs") + sitemap_entries("companies")
    lastmod = max((entry.lastmod for entry in newest if entry.lastmod), default=None)
    return [
        SitemapEntry(absolute_url("public.home"), lastmod),
        SitemapEntry(absolute_url("public.jobs"), lastmod),
        *newest,
    ]


def sitemap_validator(counts: dict[str, int]) -> tuple:
    """Changes whenever any sitemap file would: open jobs' and companies' newest change, and counts."""
    newest_job = db.session.scalar(select(func.max(Job.updated_at)).where(Job.open_clause()))
    newest_company = db.session.scalar(select(func.max(Company.updated_at)))
    return (sorted(counts.items()), newest_job, newest_company, _page_size())


def robots_txt() -> str:
    """Crawl the public pages; keep out of the signed-in areas; the sitemap's absolute address."""
    return (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /recruiter/\n"
        "Disallow: /billing/\n"
        "Disallow: /account\n"
        "Disallow: /applications\n"
        "Disallow: /login/with/\n"
        "Allow: /\n"
        f"\nSitemap: {absolute_url('distribution.sitemap')}\n"
    )


# --- The embeddable widget ---------------------------------------------------------------------------


def widget_jobs(company: Company) -> list[Job]:
    """A company's newest open jobs, for its widget."""
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.company_id == company.id, Job.open_clause())
            .order_by(Job.published_at.desc(), Job.id.desc())
            .limit(WIDGET_JOBS)
        )
    )


def widget_iframe_code(company: Company) -> str:
    """The <iframe> a company pastes into its site: it always shows the current open jobs."""
    src = absolute_url("distribution.widget", slug=company.slug)
    title = escape(f"Open jobs at {company.name}")
    return f'<iframe src="{escape(src)}" title="{title}" width="100%" height="480" loading="lazy"></iframe>'


def widget_html_snippet(company: Company) -> str:
    """Plain HTML (no script, no style) listing today's open jobs with absolute links: for sites
    that cannot embed frames. A snapshot: the company copies it again when its jobs change."""
    jobs = widget_jobs(company)
    lines = ['<div class="jobifies-jobs">', f"  <h2>Open jobs at {escape(company.name)}</h2>"]
    if jobs:
        lines.append("  <ul>")
        for job in jobs:
            url = absolute_url("public.job_detail", job_id=job.id, slug=job.slug)
            details = " · ".join(
                part for part in (job.location, job.workplace_label, job.employment_type_label) if part
            )
            lines.append(
                f'    <li><a href="{escape(url)}">{escape(job.title)}</a> <small>{escape(details)}</small></li>'
            )
        lines.append("  </ul>")
    else:
        lines.append("  <p>No open jobs right now.</p>")
    all_jobs = absolute_url("public.company", slug=company.slug)
    lines.append(f'  <p><a href="{escape(all_jobs)}">All jobs at {escape(company.name)}</a></p>')
    lines.append("</div>")
    return "\n".join(lines)
