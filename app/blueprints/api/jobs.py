"""Jobs and applications: /api/v1/jobs, /api/v1/applications."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import MultiDict

from ... import search
from ...links import absolute_url
from ...services import applications, jobs
from ..helpers import perform
from . import schemas as s
from . import serialize
from .blueprint import RequestInvalid, json_body, ok, operation, paginate, query, require, require_recruiter
from .blueprint import caller as who


@operation(
    "GET",
    "/jobs",
    summary="Search open jobs",
    tag="Jobs",
    response=list[s.JobOut],
    query=s.JobsQuery,
    auth="optional",
    paginated=True,
)
def list_jobs():
    """The search page's search (the same SearchBackend), as JSON."""
    args = query(s.JobsQuery)
    values = MultiDict()
    for name, value in args.model_dump(exclude={"limit"}).items():
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                values.add(name, str(item))
    results = search.search_jobs(search.parse_params(values), per_page=args.limit)
    return ok(
        [serialize.job(hit.job) for hit in results.hits], pagination=paginate(results.page, args.limit, results.total)
    )


@operation(
    "POST",
    "/jobs",
    summary="Create a draft job",
    tag="Jobs",
    response=s.JobOut,
    body=s.JobIn,
    status=201,
    scope="jobs:write",
)
def create_job():
    user = require_recruiter("jobs:write")
    data = json_body(s.JobIn).model_dump()
    job = perform(lambda: jobs.create_job(user.company, user, data))
    return ok(serialize.job(job), 201, headers={"Location": absolute_url("api.get_job_get", job_id=job.id)})


@operation("GET", "/jobs/<id:job_id>", summary="Read a job", tag="Jobs", response=s.JobOut, auth="optional")
def get_job(job_id: int):
    """Public once published; your own company's jobs in any state."""
    return ok(serialize.job(jobs.get_job_for(who().user, job_id)))


def _own_job(job_id: int, scope: str = "jobs:write"):
    user = require_recruiter(scope)
    return user, jobs.get_company_job(user.company, job_id)


@operation(
    "PUT",
    "/jobs/<id:job_id>",
    summary="Replace a job's fields",
    tag="Jobs",
    response=s.JobOut,
    body=s.JobIn,
    scope="jobs:write",
)
def put_job(job_id: int):
    _, job = _own_job(job_id)
    data = json_body(s.JobIn).model_dump()
    return ok(serialize.job(perform(lambda: jobs.update_job(job, data))))


@operation(
    "PATCH",
    "/jobs/<id:job_id>",
    summary="Change some of a job's fields",
    tag="Jobs",
    response=s.JobOut,
    body=s.JobPatch,
    scope="jobs:write",
)
def patch_job(job_id: int):
    _, job = _own_job(job_id)
    body = json_body(s.JobPatch)
    data = body.model_dump(exclude_unset=True)
    nulls = [name for name, value in data.items() if value is None and name not in ("salary_min", "salary_max")]
    if nulls:
        raise RequestInvalid("Some fields are not valid.", {"fields": {n: ["may not be null"] for n in nulls}})
    return ok(serialize.job(perform(lambda: jobs.update_job(job, data))))


def _status_action(job_id: int, action):
    user, job = _own_job(job_id)
    perform(lambda: action(job, user))  # no credit left (paid postings): its AppError, in the envelope
    return ok(serialize.job(job))


@operation("DELETE", "/jobs/<id:job_id>", summary="Close a job", tag="Jobs", response=s.JobOut, scope="jobs:write")
def delete_job(job_id: int):
    """Jobs are never deleted (their applications stay): DELETE closes it to new applications."""
    return _status_action(job_id, jobs.close_job)


@operation(
    "POST", "/jobs/<id:job_id>/publish", summary="Publish a job", tag="Jobs", response=s.JobOut, scope="jobs:write"
)
def publish_job(job_id: int):
    return _status_action(job_id, jobs.publish_job)


@operation("POST", "/jobs/<id:job_id>/close", summary="Close a job", tag="Jobs", response=s.JobOut, scope="jobs:write")
def close_job(job_id: int):
    return _status_action(job_id, jobs.close_job)


@operation(
    "POST", "/jobs/<id:job_id>/reopen", summary="Reopen a job", tag="Jobs", response=s.JobOut, scope="jobs:write"
)
def reopen_job(job_id: int):
    return _status_action(job_id, jobs.reopen_job)


# --- Applications ---------------------------------------------------------------------------------


@operation(
    "POST",
    "/jobs/<id:job_id>/applications",
    summary="Apply to a job",
    tag="Applications",
    response=s.ApplicationOut,
    body=s.ApplyIn,
    multipart=s.ApplyMultipart,
    status=201,
    scope="applications:write",
)
def apply(job_id: int):
    """JSON with a stored resume's id, or multipart/form-data with the file."""
    user = require("applications:write")
    job = jobs.get_public_job(job_id)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("resume")
        if upload is None:
            raise RequestInvalid("Attach your resume as the 'resume' file.", {"fields": {"resume": ["required"]}})
        cover_letter = request.form.get("cover_letter", "")
        stored = None
    else:
        body = json_body(s.ApplyIn)
        stored = applications.get_candidate_document(user, body.resume_id)
        upload, cover_letter = None, body.cover_letter
    application = perform(
        lambda: applications.apply(job, user, upload, cover_letter, source="api", stored_resume=stored)
    )
    return ok(
        serialize.application(application),
        201,
        headers={"Location": absolute_url("api.get_application_get", application_id=application.id)},
    )


@operation(
    "GET",
    "/jobs/<id:job_id>/applications",
    summary="List a job's applications",
    tag="Applications",
    response=list[s.ApplicationOut],
    query=s.ApplicationsQuery,
    scope="applications:read",
    paginated=True,
)
def job_applications(job_id: int):
    """For the company's recruiters, newest first; `stage` (repeatable) filters."""
    user = require_recruiter("applications:read")
    job = jobs.get_company_job(user.company, job_id)
    args = query(s.ApplicationsQuery)
    items, total = applications.job_applications(job, list(args.stage), args.page, args.limit)
    return ok([serialize.application(a) for a in items], pagination=paginate(args.page, args.limit, total))


@operation(
    "GET",
    "/applications/<id:application_id>",
    summary="Read an application",
    tag="Applications",
    response=s.ApplicationOut,
    scope="applications:read",
)
def get_application(application_id: int):
    user = require("applications:read")
    return ok(serialize.application(applications.get_visible_application(user, application_id)))


@operation(
    "PATCH",
    "/applications/<id:application_id>",
    summary="Move the stage, or withdraw",
    tag="Applications",
    response=s.ApplicationOut,
    body=s.ApplicationPatch,
    scope="applications:write",
)
def patch_application(application_id: int):
    """Recruiters move it to another stage (with an optional timeline note); its candidate
    withdraws it with {"status": "withdrawn"}."""
    user = require("applications:write")
    application = applications.get_visible_application(user, application_id)
    body = json_body(s.ApplicationPatch)
    perform(lambda: applications.change_status(application, user, body.status, body.note))
    return ok(serialize.application(application))


@operation(
    "GET",
    "/applications/<id:application_id>/events",
    summary="An application's timeline",
    tag="Applications",
    response=list[s.EventOut],
    scope="applications:read",
)
def application_events(application_id: int):
    user = require("applications:read")
    application = applications.get_visible_application(user, application_id)
    company_side = applications.is_company_side(user, application)
    return ok([serialize.event(e, company_side) for e in application.events])


@operation(
    "GET",
    "/applications/<id:application_id>/notes",
    summary="An application's private notes",
    tag="Applications",
    response=list[s.NoteOut],
    scope="applications:read",
)
def application_notes(application_id: int):
    """The company's private notes: its recruiters only."""
    user = require_recruiter("applications:read")
    application = applications.get_company_application(user.company, application_id)
    return ok([serialize.note(n) for n in application.notes])
