from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ... import search
from ...errors import NotFound
from ...extensions import db
from ...pagination import page_number
from ...services import alerts, applications, companies, jobs, saved_jobs
from ...services.structured_data import job_posting_json_ld
from ..helpers import page_or_fragment
from .blueprint import bp


@bp.get("/")
def home():
    latest = jobs.list_open_jobs(page=1, per_page=6)
    return render_template("public/home.html", latest=latest, saved_ids=saved_jobs.saved_job_ids(current_user))


@bp.get("/jobs", endpoint="jobs")
def jobs_index():
    params = search.parse_params(request.args)
    results = search.search_jobs(params)
    response = page_or_fragment(
        "public/jobs.html",
        "public/_job_results.html",
        "job-results",
        results=results,
        params=params,
        q=params.q,
        saved_ids=saved_jobs.saved_job_ids(current_user),
        alert_query=alerts.clean_query(request.args),
    )
    # The address bar shows the search without empty fields, so it can be shared or bookmarked.
    response.headers["HX-Push-Url"] = url_for("public.jobs", **params.args())
    return response


@bp.get("/jobs/<int:job_id>")
@bp.get("/jobs/<int:job_id>/<slug>")
def job_detail(job_id: int, slug: str | None = None):
    job = jobs.get_public_job(job_id)
    if slug != job.slug:
        return redirect(url_for("public.job_detail", job_id=job.id, slug=job.slug), 301)
    jobs.record_view(job)
    db.session.commit()
    application = applications.existing_application(job, current_user) if current_user.is_authenticated else None
    return render_template(
        "public/job_detail.html",
        job=job,
        application=application,
        saved=saved_jobs.is_saved(current_user, job),
        json_ld=job_posting_json_ld(job) if job.is_open else None,
    )


@bp.get("/companies/<slug>")
def company(slug: str):
    company = companies.get_company_by_slug(slug)
    open_jobs = jobs.list_open_jobs(page=page_number(request.args), company=company)
    return render_template(
        "public/company.html", company=company, page=open_jobs, saved_ids=saved_jobs.saved_job_ids(current_user)
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
