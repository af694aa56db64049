"""The parts of the account page people control (issue 14): name, email choices, "Download my
data", "Delete my account"; and the recruiter's "Ask for review" of a taken-down job or company.

The account page itself is auth.account; it includes trust/_account_sections.html, whose forms
post here. A form with an error is shown again on a page of its own.
"""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from ...errors import ValidationError
from ...services import accounts, companies, jobs, moderation, preferences, privacy
from ..helpers import content_disposition, recruiter_required, safe_next, save, submit, wants_fragment
from .blueprint import bp
from .forms import ConfirmForm, DeleteAccountForm, EmailPreferencesForm, NameForm


@bp.app_context_processor
def _account_helpers():
    # Callables, so pages that do not use them run no query.
    return {
        "email_preference_kinds": preferences.KINDS,
        "email_preferences_of": preferences.get,
        "latest_export_of": privacy.latest_export,
        "moderation_cases_for": moderation.cases_for_jobs,
        "moderation_case_of": moderation.case_for,
    }


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def change_name():
    form = NameForm(name=current_user.name)
    outcome = submit(form, lambda: accounts.change_name(current_user, form.name.data))
    if outcome.ok:
        flash("Your name was saved.", "success")
        return redirect(url_for("auth.account"))
    return render_template("trust/name.html", form=form), outcome.status


@bp.post("/account/email-preferences")
@login_required
def email_preferences():
    form = EmailPreferencesForm()
    choices = {key: getattr(form, key).data for key in preferences.KIND_KEYS}
    outcome = submit(form, lambda: preferences.update(current_user, choices))
    if outcome.ok:
        flash("Your email choices were saved.", "success")
    else:
        flash("Your email choices could not be saved. Please try again.", "error")
    return redirect(url_for("auth.account") + "#emails-title")


@bp.post("/account/export")
@login_required
def request_export():
    form = ConfirmForm()
    outcome = submit(form, lambda: privacy.request_export(current_user))
    if not outcome.ok:
        flash("The request could not be sent. Please try again.", "error")
        return redirect(url_for("auth.account"))
    return redirect(url_for("trust.export_status", export_id=outcome.value.id), 303)


@bp.get("/account/export/<int:export_id>")
@login_required
def export_status(export_id: int):
    """The export's progress; htmx polls the fragment until it is ready (without JS: reload)."""
    export = privacy.get_export(current_user, export_id)
    template = "trust/_export_status.html" if wants_fragment("export-status") else "trust/export.html"
    return render_template(template, export=export)


@bp.get("/account/export/<int:export_id>/download")
@login_required
def download_export(export_id: int):
    data, filename = privacy.download(current_user, export_id)
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    outcome = submit(form, lambda: privacy.request_deletion(current_user, form.password.data))
    if outcome.ok:
        due = outcome.value.due_at
        logout_user()
        flash(
            f"Your account is closed and will be deleted on {due:%b %-d, %Y}. "
            "We emailed you a link that restores it until then.",
            "success",
        )
        return redirect(url_for("public.home"))
    blocker = companies.ownership_blocker(current_user)
    return render_template("trust/delete.html", form=form, blocker=blocker), outcome.status


@bp.route("/account/restore/<token>", methods=["GET", "POST"])
def undo_deletion(token: str):
    """The undo link from the email. A GET changes nothing (mail scanners open links): a button does."""
    if request.method == "GET":
        try:
            privacy.deletion_from_token(token)
        except ValidationError as error:
            return render_template("trust/restore.html", form=None, message=error.message), 400
        return render_template("trust/restore.html", form=ConfirmForm(), message=None)
    form = ConfirmForm()
    outcome = submit(form, lambda: privacy.cancel_deletion(token))
    if outcome.ok:
        flash("Your account is restored. Welcome back: log in as usual.", "success")
        return redirect(url_for("auth.login"))
    message = outcome.error.message if outcome.error else "The form expired. Please press the button again."
    return render_template("trust/restore.html", form=None if outcome.error else form, message=message), 400


@bp.post("/recruiter/jobs/<int:job_id>/ask-for-review")
@recruiter_required
def ask_for_job_review(job_id: int):
    job = jobs.get_company_job(current_user.company, job_id)
    outcome = save(lambda: moderation.request_review(job, current_user))
    if outcome.ok:
        flash(f"Thank you: a moderator will review “{job.title}”. We will email you the answer.", "success")
    else:
        flash(outcome.error.message, "error")
    return redirect(safe_next(request.form.get("next"), url_for("recruiter.dashboard")))


@bp.post("/recruiter/company/ask-for-review")
@recruiter_required
def ask_for_company_review():
    outcome = save(lambda: moderation.request_review(current_user.company, current_user))
    if outcome.ok:
        flash("Thank you: a moderator will review your company. We will email you the answer.", "success")
    else:
        flash(outcome.error.message, "error")
    return redirect(url_for("recruiter.dashboard"))
