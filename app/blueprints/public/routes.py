from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ... import search
from ...errors import NotFound
from ...extensions import db
from ...pagination import page_number
from ...services import alerts, applications, companies, jobs, saved_jobs, views
from ...services.structured_data import job_posting_json_ld
from .. import caching
from ..caching import conditional
from ..helpers import page_or_fragment
from .blueprint import bp


@bp.get("/")
def home():
    latest = jobs.latest_open_jobs(6)
    total = jobs.open_job_count()
    saved_ids, applied_ids = saved_jobs.job_marks(current_user, [job.id for job in latest])
    # The validator names everything the page shows, so an anonymous repeat is the kept page: the
    # render was most of the home page's cost (issue 9: its p99 at 16 connections).
    return conditional(
        ([(job.id, job.updated_at) for job in latest], total, sorted(saved_ids), sorted(applied_ids)),
        lambda: render_template(
            "public/home.html", latest=latest, total=total, saved_ids=saved_ids, applied_ids=applied_ids
        ),
        cached=True,
    )


@bp.get("/jobs", endpoint="jobs")
def jobs_index():
    params = search.parse_params(request.args)
    version = None if current_user.is_authenticated else search.index_version()
    if version is not None:
        # Anonymous visitors all see the same page for a query and index version: its ETag is
        # known before searching, and a repeat is served from this process's rendered pages.
        key, changed = version
        return conditional(
            ("search", key, caching.time_window()),
            lambda: _results_page(params, set(), set()),
            cached=True,
            last_modified=changed,
        )
    results = search.search_jobs(params)
    saved_ids, applied_ids = saved_jobs.job_marks(current_user, [hit.job.id for hit in results.hits])
    return conditional(
        (
            results.total,
            [(hit.job.id, hit.job.updated_at) for hit in results.hits],
            results.suggestion,
            results.degraded,
            sorted(saved_ids),
            sorted(applied_ids),
        ),
        lambda: _results_page(params, saved_ids, applied_ids, results),
    )


def _results_page(params, saved_ids, applied_ids, results=None):
    """The jobs page, or its results alone for htmx (searching first unless `results` are given)."""
    if results is None:
        results = search.search_jobs(params)
    response = page_or_fragment(
        "public/jobs.html",
        "public/_job_results.html",
        "job-results",
        results=results,
        params=params,
        q=params.q,
        saved_ids=saved_ids,
        applied_ids=applied_ids,
        alert_query=alerts.clean_query(request.args),
    )
    if results.degraded and not current_user.is_authenticated:
        response.cache_control.no_store = True  # the database's stand-in answer: not worth keeping
    # The address bar shows the search without empty fields, so it can be shared or bookmarked.
    response.headers["HX-Push-Url"] = url_for("public.jobs", **params.args())
    return response


@bp.get("/jobs/<int:job_id>")
@bp.get("/jobs/<int:job_id>/<slug>")
def job_detail(job_id: int, slug: str | None = None):
    job = jobs.get_public_job(job_id)
    if slug != job.slug:
        return redirect(url_for("public.job_detail", job_id=job.id, slug=job.slug), 301)
    views.record_view(job.id)  # counted in Redis or memory: a GET never writes
    application = applications.existing_application(job, current_user) if current_user.is_authenticated else None
    saved = saved_jobs.is_saved(current_user, job)
    quick_apply = applications.quick_apply_ready(current_user)
    recruiter = getattr(current_user, "is_recruiter", False)  # Apply and Save are hidden for recruiters
    return conditional(
        (
            job.updated_at,
            job.company.updated_at,
            job.is_open,
            getattr(application, "status", None),
            saved,
            quick_apply,
            recruiter,
        ),
        lambda: render_template(
            "public/job_detail.html",
            job=job,
            application=application,
            saved=saved,
            quick_apply=quick_apply,
            json_ld=job_posting_json_ld(job) if job.is_open else None,
        ),
        max_age=300,
        # Anonymous visitors see the same page while the job, its company and its open state stay
        # as they are (the validator), so a repeat is the kept page: rendering was most of the job
        # page's cost and its p99 at 16 connections (issue 9).
        cached=True,
    )


@bp.get("/companies/<slug>")
def company(slug: str):
    company = companies.get_company_by_slug(slug)
    open_jobs = jobs.list_open_jobs(page=page_number(request.args), company=company)
    saved_ids, applied_ids = saved_jobs.job_marks(current_user, [job.id for job in open_jobs.items])
    return conditional(
        (
            company.updated_at,
            open_jobs.total,
            [(job.id, job.updated_at) for job in open_jobs.items],
            sorted(saved_ids),
            sorted(applied_ids),
        ),
        lambda: render_template(
            "public/company.html", company=company, page=open_jobs, saved_ids=saved_ids, applied_ids=applied_ids
        ),
    )


@bp.get("/companies/<slug>/logo")
def company_logo(slug: str):
    company = companies.get_company_by_slug(slug)
    if company.logo is None:
        raise NotFound("This company has no logo.")
    response = Response(company.logo.data, mimetype=company.logo.content_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
