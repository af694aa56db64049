from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...services import applications, jobs, matching, profiles, saved_jobs
from .. import limits
from ..helpers import local_path, perform, safe_next, save, send_document, submit, toast, wants_fragment
from .blueprint import bp
from .forms import ApplyForm


@bp.context_processor
def _match_explanation():
    # candidate/_application.html shows the candidate their own score with the candidate-safe rule.
    return {"match_for": matching.candidate_explanation}


@bp.route("/jobs/<int:job_id>/apply", methods=["GET", "POST"])
@login_required
@limits.per_user_and_ip("RATE_LIMIT_APPLY")
def apply(job_id: int):
    job = jobs.get_public_job(job_id)
    if current_user.is_recruiter:  # said on the page, before any form is filled in
        form = ApplyForm(formdata=None)
        form.form_errors.append(applications.RECRUITERS_CANNOT_APPLY)
        return render_apply(job, form, status=403, refused=True)
    form = ApplyForm()
    form.offer_profile_resume(applications.profile_resume(current_user))
    previous = applications.existing_application(job, current_user)
    if previous is not None:  # said on the page at once, not only after filling the form in
        form.form_errors.append(applications.already_applied(previous).message)
        return render_apply(job, form, previous, 409 if request.method == "POST" else 200)
    outcome = submit(
        form,
        lambda: applications.apply(
            job,
            current_user,
            request.files.get("resume"),
            form.cover_letter.data,
            use_profile_resume=form.uses_profile_resume,
        ),
    )
    if outcome.ok:
        flash(f"Your application to {job.title} at {job.company.name} was sent.", "success")
        return redirect(url_for("candidate.my_applications"))
    return render_apply(job, form, previous, outcome.status)


def render_apply(job, form: ApplyForm, previous=None, status: int = 200, refused: bool = False):
    return render_template(
        "candidate/apply.html",
        job=job,
        form=form,
        previous=previous,
        refused=refused,
        # The nudge to complete the profile that goes with the application (not for recruiters).
        completeness=None if refused else profiles.completeness(profiles.get_profile(current_user)),
    ), status


@bp.get("/me/applications")
@login_required
def my_applications():
    return render_template(
        "candidate/applications.html", applications=applications.candidate_applications(current_user)
    )


@bp.post("/me/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    application = applications.get_candidate_application(current_user, application_id)
    outcome = save(lambda: applications.withdraw(application, current_user))
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("candidate.my_applications"))
    message = f"You withdrew your application to {application.job.title}."
    if wants_fragment(f"application-{application.id}"):
        return toast(make_response(render_template("candidate/_application.html", application=application)), message)
    flash(message, "success")
    return redirect(url_for("candidate.my_applications"))


@bp.get("/me/documents/<int:document_id>")
@login_required
def my_document(document_id: int):
    return send_document(applications.get_candidate_document(current_user, document_id))


@bp.get("/me/saved")
@login_required
def saved():
    return render_template("candidate/saved.html", saved=saved_jobs.saved_jobs(current_user))


@bp.post("/jobs/<int:job_id>/save")
@login_required
def toggle_save(job_id: int):
    job = jobs.get_public_job(job_id)
    wanted = request.form.get("saved", "1") == "1"
    perform(lambda: saved_jobs.set_saved(current_user, job, wanted))
    message = "Saved to your list." if wanted else "Removed from your saved jobs."
    if wants_fragment(f"save-{job.id}"):
        # focus=True: the toggled button keeps the keyboard focus after the swap.
        button = render_template("components/_save_button.html", job=job, saved=wanted, focus=True)
        return toast(make_response(button), message)
    if wants_fragment(f"saved-{job.id}"):
        return toast(make_response(""), message)  # the row disappears from the Saved jobs list
    flash(message, "success")
    return redirect(safe_next(local_path(request.referrer or ""), url_for("candidate.saved")))
