"""The candidate's profile: upload a resume to pre-fill it, watch it being read, review and save."""

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...services import profiles, resumes
from .. import limits
from ..helpers import save, submit, toast, wants_fragment
from .blueprint import bp
from .profile_forms import ProfileForm, ResumeUploadForm

STATUS_TARGET = "parse-status"  # the status fragment, which polls itself while the parse runs
PANEL_TARGET = "resume-panel"  # the upload form together with the status


def _status() -> dict:
    """What the status fragment shows: the profile, and whether a parse waits to be reviewed."""
    profile = profiles.get_profile(current_user)
    return {"profile": profile, "prefill_ready": profiles.shows_parse(profile)}


def _page(form: ProfileForm, prefilled: bool = False, upload_form: ResumeUploadForm | None = None, status: int = 200):
    return render_template(
        "candidate/profile.html",
        form=form,
        prefilled=prefilled,
        upload_form=upload_form or ResumeUploadForm(),
        completeness=profiles.completeness(profiles.get_profile(current_user)),
        **_status(),
    ), status


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile():
    if request.method == "POST":
        form = ProfileForm()
        outcome = submit(form, lambda: profiles.save_reviewed_profile(current_user, form.review_data()))
        if outcome.ok:
            flash("Your profile is saved.", "success")
            return redirect(url_for("candidate.profile"))
        return _page(form, status=outcome.status)
    data, prefilled = profiles.review_data(
        profiles.get_profile(current_user), use_saved=request.args.get("use") == "saved"
    )
    return _page(ProfileForm.for_review(data), prefilled)


@bp.post("/me/profile/resume")
@login_required
@limits.per_user_and_ip("RATE_LIMIT_UPLOAD")
def upload_resume():
    """Store a resume only to fill the profile from it. Without Redis the parse runs right after commit."""
    upload_form = ResumeUploadForm()
    if not save(lambda: resumes.upload_resume(current_user, request.files.get("resume")), upload_form).ok:
        return upload_refused(upload_form, 422)
    if wants_fragment(PANEL_TARGET):
        response = make_response(render_template("candidate/_resume_panel.html", upload_form=upload_form, **_status()))
        return toast(response, "Resume uploaded. We are reading it now.")
    flash("Resume uploaded. We are reading it now.", "success")
    return redirect(url_for("candidate.profile"))


def upload_refused(upload_form: ResumeUploadForm, status: int):
    """The upload panel again with the error beside the field (in place for htmx, else the page)."""
    if wants_fragment(PANEL_TARGET):
        return make_response(
            render_template("candidate/_resume_panel.html", upload_form=upload_form, **_status()), status
        )
    data, prefilled = profiles.review_data(profiles.get_profile(current_user))
    return _page(ProfileForm.for_review(data), prefilled, upload_form=upload_form, status=status)


@bp.post("/me/profile/resume/retry")
@login_required
def retry_parse():
    outcome = save(lambda: resumes.retry_parse(current_user))
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("candidate.profile"))
    if wants_fragment(STATUS_TARGET):
        return render_template("candidate/_parse_status.html", **_status())
    return redirect(url_for("candidate.profile"))


@bp.get("/me/profile/parse-status")
@login_required
def parse_status():
    """The parse status: the polling fragment for htmx, a small page otherwise."""
    context = _status()
    status = context["profile"].parse_status if context["profile"] else "none"
    if wants_fragment(STATUS_TARGET):
        # Nothing changed since the last poll: 204 swaps nothing, so the live region is not
        # re-announced every two seconds, and the element keeps polling.
        if status in resumes.ACTIVE_STATUSES and request.args.get("seen") == status:
            return Response(status=204)
        return render_template("candidate/_parse_status.html", **context)
    return render_template("candidate/profile_status.html", **context)
