"""Job distribution: Atom and RSS feeds of open jobs, sitemap.xml, robots.txt, the company widget.

All public, cookie-free and cacheable like the other public pages (caching.conditional): a crawler
or feed reader revalidates with If-None-Match and gets a 304 without a render.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, render_template, request

from ... import search
from ...links import absolute_url
from ...models import utcnow
from ...services import companies, distribution
from ..caching import conditional
from .blueprint import bp

FEED_SIZE = 50
bp.add_app_template_global(absolute_url, "absolute_url")
XML = "application/xml; charset=utf-8"
FEED_MAX_AGE = 300  # seconds: feed readers poll; a few minutes of staleness is fine


def _xml(template: str, mimetype: str, **context) -> Response:
    return Response(render_template(template, **context), mimetype=mimetype)


def _feed(template: str, mimetype: str, endpoint: str):
    """The newest open jobs matching the same filters as /jobs, through the search backend."""
    params = search.parse_params(request.args)
    if "sort" not in request.args:
        params.sort = "newest"  # a feed lists what is new, unless the link asks for relevance
    results = search.search_jobs(params, per_page=FEED_SIZE)
    jobs = [hit.job for hit in results.hits]
    updated = max((job.updated_at for job in jobs), default=None) or utcnow()
    return conditional(
        (results.total, [(job.id, job.updated_at) for job in jobs]),
        lambda: _xml(
            template,
            mimetype,
            jobs=jobs,
            updated=updated,
            title=results.count_text,
            self_url=absolute_url(endpoint, **params.args()),
            page_url=absolute_url("public.jobs", **params.args()),
        ),
        max_age=FEED_MAX_AGE,
    )


@bp.get("/jobs.atom")
def jobs_atom():
    return _feed("distribution/jobs.atom.xml", "application/atom+xml", "distribution.jobs_atom")


@bp.get("/jobs.rss")
def jobs_rss():
    return _feed("distribution/jobs.rss.xml", "application/rss+xml", "distribution.jobs_rss")


@bp.get("/sitemap.xml")
def sitemap():
    counts = distribution.sitemap_counts()
    if distribution.sitemap_needs_index(counts):
        return conditional(
            distribution.sitemap_validator(counts),
            lambda: _xml(
                "distribution/sitemap_index.xml",
                XML,
                parts=[
                    absolute_url("distribution.sitemap_part", kind=kind, page=page)
                    for kind, page in distribution.sitemap_parts(counts)
                ],
            ),
            max_age=3600,
        )
    return conditional(
        distribution.sitemap_validator(counts),
        lambda: _xml("distribution/sitemap.xml", XML, entries=distribution.sitemap_all(counts)),
        max_age=3600,
    )


@bp.get("/sitemap/<kind>-<int:page>.xml")
def sitemap_part(kind: str, page: int):
    counts = distribution.sitemap_counts()
    entries = distribution.sitemap_entries(kind, page)
    return conditional(
        (distribution.sitemap_validator(counts), kind, page),
        lambda: _xml("distribution/sitemap.xml", XML, entries=entries),
        max_age=3600,
    )


@bp.get("/robots.txt")
def robots():
    return conditional(
        absolute_url("distribution.sitemap"),
        lambda: Response(distribution.robots_txt(), mimetype="text/plain"),
        max_age=3600,
    )


@bp.get("/companies/<slug>/widget")
def widget(slug: str):
    """A company's open jobs as a small page for an <iframe> on the company's own site: the one
    route any site may frame (every other page says frame-ancestors 'none')."""
    company = companies.get_company_by_slug(slug)
    jobs = distribution.widget_jobs(company)
    response = conditional(
        (company.updated_at, [(job.id, job.updated_at) for job in jobs]),
        lambda: render_template("distribution/widget.html", company=company, jobs=jobs),
    )
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors *"
    )
    return response


@bp.app_template_global()
def company_embed_codes(company) -> dict:
    """The widget's iframe code and the script-less HTML snippet, for the company settings page."""
    return {
        "iframe": distribution.widget_iframe_code(company),
        "html": distribution.widget_html_snippet(company),
        "widget_url": absolute_url("distribution.widget", slug=company.slug),
        "feed_url": absolute_url("distribution.jobs_atom", company=company.slug),
    }


def _isoformat(value: datetime | None) -> str:
    return (value or utcnow()).isoformat(timespec="seconds")


@bp.app_template_filter("rfc3339")
def rfc3339(value: datetime | None) -> str:
    return _isoformat(value)


@bp.app_template_filter("rfc822")
def rfc822(value: datetime | None) -> str:
    return (value or utcnow()).strftime("%a, %d %b %Y %H:%M:%S +0000")
