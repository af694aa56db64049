"""“Report this job”: anyone, logged in or not; rate-limited per IP and one report per reporter."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...services import jobs, reports
from .. import limits
from ..helpers import submit
from .blueprint import bp
from .forms import ReportForm


@bp.route("/jobs/<int:job_id>/report", methods=["GET", "POST"])
@limits.per_user_and_ip("RATE_LIMIT_REPORTS")
def report_job(job_id: int):
    job = jobs.get_public_job(job_id)
    form = ReportForm()
    outcome = submit(
        form,
        lambda: reports.file_report(
            job_id, current_user, request.remote_addr or "", form.reason.data, form.details.data
        ),
    )
    if outcome.ok:
        flash(
            "Thank you: a moderator will look at this job."
            if outcome.value
            else "You reported this job already: a moderator will look at it.",
            "success",
        )
        return redirect(url_for("public.job_detail", job_id=job.id, slug=job.slug))
    return render_template("trust/report.html", form=form, job=job), outcome.status
