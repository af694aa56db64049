"""An upload over MAX_CONTENT_LENGTH (issue 13, defect 3): the same form again, with everything
typed kept and the error beside the file field, instead of a dead-end "File too large" page.

Werkzeug refuses such a request before reading any of it, so request.form is empty. Here the body
is read once more with the files thrown away as they stream past (only the typed fields are kept,
within max_form_memory_size), up to RECOVER_LIMIT; past that, the form comes back empty.
"""

from __future__ import annotations

import io

from flask import current_app, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data

from ...errors import AppError, render_error
from ...services import applications, jobs
from .blueprint import bp
from .forms import ApplyForm
from .profile_forms import ResumeUploadForm
from .profile_routes import upload_refused
from .routes import render_apply

RECOVER_LIMIT = 64 * 1024 * 1024  # larger bodies are not read again to recover a cover letter


class _Discard(io.BytesIO):
    """Where an uploaded file's bytes go while the typed fields are recovered: nowhere."""

    def write(self, data) -> int:
        return len(data)


def _discard(*args, **kwargs) -> _Discard:
    return _Discard()


def _typed_fields() -> MultiDict:
    size = request.content_length or 0
    if not size or size > RECOVER_LIMIT or request.mimetype != "multipart/form-data":
        return MultiDict()
    try:
        _, form, _ = parse_form_data(
            request.environ,
            stream_factory=_discard,
            max_form_memory_size=current_app.config.get("MAX_FORM_MEMORY_SIZE") or 500_000,
            max_content_length=None,
            silent=True,
        )
    except Exception:  # noqa: BLE001 - a body cut short or malformed: show the empty form
        return MultiDict()
    return MultiDict((key, value) for key, value in form.items(multi=True) if key != "csrf_token")


def _message() -> str:
    limit_mb = current_app.config["MAX_RESUME_BYTES"] // (1024 * 1024)
    size_mb = (request.content_length or 0) / (1024 * 1024)
    return f"This upload is {size_mb:.1f} MB, too large. Resumes can be at most {limit_mb} MB."


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    if not current_user.is_authenticated:
        return render_error(413, "File too large", _message())
    # What was typed stands in for the body Werkzeug refused, so forms built now (here, and the
    # profile form the page shows) read it instead of refusing the request again.
    request.form, request.files = _typed_fields(), MultiDict()
    try:
        if request.endpoint == "candidate.apply" and not current_user.is_recruiter:
            job = jobs.get_public_job(int((request.view_args or {}).get("job_id", 0)))
            form = ApplyForm()
            form.offer_profile_resume(applications.profile_resume(current_user))
            form.resume.errors = [_message()]
            return render_apply(job, form, status=413)
        if request.endpoint == "candidate.upload_resume":
            upload_form = ResumeUploadForm()
            upload_form.resume.errors = [_message()]
            return upload_refused(upload_form, 413)
    except AppError as other:  # the job is gone: that is the answer now
        return render_error(other.status_code, other.title, other.message, code=other.code)
    return render_error(413, "File too large", _message())
