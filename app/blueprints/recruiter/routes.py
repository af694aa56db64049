from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ...errors import AppError
from ...models import STAGE_LABELS
from ...services import applications, ats, companies, credits, jobs, mentions, profiles
from ...services.markdown import render_markdown
from .. import limits
from ..helpers import perform, recruiter_required, safe_next, save, send_document, submit, toast, wants_fragment
from .blueprint import bp
from .forms import CompanyProfileForm, InviteForm, JobForm, MoveForm, NoteForm


def _company():
    return current_user.company


@bp.context_processor
def _note_mentions():
    # recruiter/_notes.html highlights teammates' @mentions with the rule that emails them.
    return {"note_mentions": mentions.for_company}


@bp.get("/")
@recruiter_required
def dashboard():
    status = request.args.get("status", "all")
    status = status if status in jobs.DASHBOARD_FILTERS else "all"
    q = request.args.get("q", "")[:100]
    since = perform(lambda: jobs.dashboard_visit(current_user.membership))
    return render_template(
        "recruiter/dashboard.html",
        company=_company(),
        rows=jobs.company_dashboard(_company(), status, q, since),
        status=status,
        q=q,
        filters=jobs.DASHBOARD_FILTERS,
        since=since,
        filtered=status != "all" or bool(q),
    )


@bp.route("/company", methods=["GET", "POST"])
@recruiter_required
def company_profile():
    company = _company()
    form = CompanyProfileForm(obj=company, company_name=company.name)
    outcome = submit(
        form,
        lambda: companies.update_company(
            company, current_user, form.company_name.data, form.website.data, form.about.data, request.files.get("logo")
        ),
    )
    if outcome.ok:
        flash("Company profile saved.", "success")
        return redirect(url_for("recruiter.company_profile"))
    return render_template(
        "recruiter/company.html", form=form, company=company, is_owner=current_user.membership.is_owner
    ), outcome.status


# --- Jobs -----------------------------------------------------------------------------------------


@bp.route("/jobs/new", methods=["GET", "POST"])
@recruiter_required
def new_job():
    form = JobForm()
    outcome = submit(form, lambda: jobs.create_job(_company(), current_user, form.job_data()))
    if outcome.ok:
        return _publish_if_asked(outcome.value, f"“{outcome.value.title}” was saved as a draft.")
    return render_template("recruiter/job_form.html", form=form, job=None), outcome.status


def _publish_if_asked(job, saved_message: str):
    """After saving: publish when the recruiter pressed "Save and publish" (the save stands either way)."""
    if request.form.get("action") != "publish":
        flash(saved_message, "success")
        return redirect(url_for("recruiter.dashboard"))
    outcome = save(lambda: jobs.publish_job(job, current_user))
    if outcome.ok and not job.is_open:  # MODERATE_NEW_COMPANIES: the first job waits for an admin
        flash(f"{saved_message} It goes live once a moderator approves it: we will email you.", "info")
    elif outcome.ok:
        flash(f"“{job.title}” is now live on the job board.", "success")
    elif isinstance(outcome.error, credits.NoCredits):
        return _choose_a_plan(job, saved_message)
    else:
        flash(f"{saved_message} {outcome.error.message}", "error")
    return redirect(url_for("recruiter.dashboard"))


def _choose_a_plan(job, saved_message: str = ""):
    """Publishing needs a credit: on to "Choose a plan", which publishes the job once paid."""
    flash(
        f"{saved_message} Publishing takes a posting credit: choose a plan and “{job.title}” goes live "
        "as soon as the payment is confirmed.".strip(),
        "info",
    )
    return redirect(url_for("billing.choose_plan", job=job.id))


@bp.route("/jobs/<int:job_id>/edit", methods=["GET", "POST"])
@recruiter_required
def edit_job(job_id: int):
    job = jobs.get_company_job(_company(), job_id)
    form = JobForm(obj=job)
    if not form.is_submitted():
        form.skills.data = ", ".join(job.skills or [])  # a list in the model, a comma-separated field here
    outcome = submit(form, lambda: jobs.update_job(job, form.job_data()))
    if outcome.ok:
        return _publish_if_asked(job, f"“{job.title}” was saved.")
    return render_template(
        "recruiter/job_form.html", form=form, job=job, synced_from=ats.synced_from(job), locked=ats.locked_fields(job)
    ), outcome.status


@bp.post("/jobs/preview")
@recruiter_required
def preview_description():
    """Live Markdown preview: the same sanitiser the job page uses."""
    return render_template(
        "recruiter/_preview.html", html=render_markdown(request.form.get("description", "")[:50_000])
    )


JOB_ACTIONS = {
    "publish": (jobs.publish_job, "is now live on the job board"),
    "close": (jobs.close_job, "is closed to new applications"),
    "reopen": (jobs.reopen_job, "is open again"),
}


@bp.post("/jobs/<int:job_id>/<any(publish, close, reopen):action>")
@recruiter_required
def job_action(job_id: int, action: str):
    job = jobs.get_company_job(_company(), job_id)
    operation, done = JOB_ACTIONS[action]
    outcome = save(lambda: operation(job, current_user))
    if outcome.ok and action != "close" and not job.is_open:  # waits for a moderator's approval
        flash(f"“{job.title}” goes live once a moderator approves it: we will email you.", "info")
    elif outcome.ok:
        flash(f"“{job.title}” {done}.", "success")
    elif isinstance(outcome.error, credits.NoCredits):
        return _choose_a_plan(job)
    else:
        flash(outcome.error.message, "error")
    return redirect(safe_next(request.form.get("next"), url_for("recruiter.dashboard")))


@bp.get("/jobs/<int:job_id>/pipeline")
@recruiter_required
def pipeline(job_id: int):
    job = jobs.get_company_job(_company(), job_id)
    return render_template("recruiter/pipeline.html", **_board(job))


def _board(job, error: str | None = None, moved: int | None = None) -> dict:
    sort = request.args.get("sort", "newest")
    return {
        "job": job,
        "stages": applications.pipeline(job, sort=sort),
        "sort": sort,
        "move_form": MoveForm(),
        "error": error,
        "moved": moved,
        "next_stage": applications.next_stage,  # the card that keeps the keyboard focus after an in-place move
    }


# --- Applications ---------------------------------------------------------------------------------


@bp.get("/applications/<int:application_id>")
@recruiter_required
def application_detail(application_id: int):
    return _application_page(applications.get_company_application(_company(), application_id), NoteForm())


def _application_page(application, note_form, status: int = 200):
    """The application page: with the candidate's reviewed profile, the resume preview, and links to
    the previous and next applicants in the board's order (`sort` as on the board)."""
    sort = "score" if request.args.get("sort") == "score" else "newest"
    return render_template(
        "recruiter/application.html",
        application=application,
        sort=sort,
        around=applications.neighbours(application, sort),
        move_form=MoveForm(),
        note_form=note_form,
        candidate_profile=profiles.reviewed_profile(application.candidate),
        preview=applications.resume_preview(application),
    ), status


@bp.get("/applications/<int:application_id>/resume/preview")
@recruiter_required
def resume_preview(application_id: int):
    """The PDF resume inline, for the preview frame on the application page."""
    return send_document(applications.inline_resume(_company(), application_id), inline=True)


@bp.post("/applications/<int:application_id>/move")
@recruiter_required
def move(application_id: int):
    """Move between stages: htmx swaps the board (or the stage panel) in place; without JS, a redirect."""
    application = applications.get_company_application(_company(), application_id)
    form = MoveForm()
    outcome = save(
        lambda: applications.move_application(
            application, current_user, form.status.data or "", form.note.data, **form.move_options()
        )
    )
    in_place = wants_fragment("pipeline") or wants_fragment("application-stage")
    if not outcome.ok and not in_place:
        raise outcome.error
    error = outcome.error.message if outcome.error else None
    status = outcome.status
    message = error or f"{application.candidate.display_name} moved to {application.status_label}."
    if wants_fragment("pipeline"):
        response = make_response(
            render_template("recruiter/_pipeline_board.html", **_board(application.job, error, application.id)),
            status,
        )
        return toast(response, message, "error" if error else "success")
    if wants_fragment("application-stage"):
        # The timeline (with the move's note) is swapped out of band, so the page is never stale.
        response = make_response(
            render_template(
                "recruiter/_stage_panel.html",
                application=application,
                move_form=MoveForm(),
                error=error,
                moved=not error,
            )
            + render_template("recruiter/_timeline.html", application=application, oob=True),
            status,
        )
        return toast(response, message, "error" if error else "success")
    flash(message, "success")
    return redirect(
        safe_next(request.form.get("next"), url_for("recruiter.application_detail", application_id=application.id))
    )


@bp.post("/jobs/<int:job_id>/pipeline/bulk")
@recruiter_required
def bulk_move(job_id: int):
    """Move or reject the selected candidates at once: htmx swaps the board; without JS, a redirect."""
    job = jobs.get_company_job(_company(), job_id)
    form = MoveForm()
    # Ids as the database can hold them (a 32-bit integer); anything else cannot be an application.
    ids = [int(value) for value in request.form.getlist("ids") if value.isdigit() and len(value) < 11]
    ids = [value for value in ids if value < 2**31]
    outcome = save(
        lambda: applications.bulk_move(
            _company(), job, ids, current_user, form.status.data or "", **form.move_options()
        )
    )
    if outcome.ok:
        moved, skipped = outcome.value
        stage = STAGE_LABELS.get(form.status.data, "")
        message = f"{moved} candidate{'s' if moved != 1 else ''} moved to {stage}."
        if skipped:
            message += f" {skipped} skipped (withdrawn or already there)."
        level, error = "success", None
    else:
        message = error = outcome.error.message
        level = "error"
    if wants_fragment("pipeline"):
        response = make_response(
            render_template("recruiter/_pipeline_board.html", **_board(job, error)), outcome.status
        )
        return toast(response, message, level)
    flash(message, level)
    return redirect(url_for("recruiter.pipeline", job_id=job.id, sort=request.args.get("sort", "newest")))


@bp.post("/applications/<int:application_id>/notes")
@recruiter_required
def add_note(application_id: int):
    application = applications.get_company_application(_company(), application_id)
    form = NoteForm()
    outcome = submit(form, lambda: applications.add_note(application, current_user, form.body.data))
    if outcome.ok:
        form = NoteForm(formdata=None)
        if wants_fragment("notes"):
            return toast(
                make_response(
                    render_template(
                        "recruiter/_notes.html", application=application, note_form=form, focus_note=outcome.value.id
                    )
                ),
                "Note added.",
            )
        flash("Note added.", "success")
        return redirect(url_for("recruiter.application_detail", application_id=application.id))
    if wants_fragment("notes"):
        return render_template("recruiter/_notes.html", application=application, note_form=form), outcome.status
    return _application_page(application, form, outcome.status)


@bp.post("/notes/<int:note_id>/delete")
@recruiter_required
def delete_note(note_id: int):
    note = applications.get_company_note(_company(), note_id)
    application_id = note.application_id
    perform(lambda: applications.delete_note(_company(), note_id))
    flash("Note deleted.", "success")
    return redirect(url_for("recruiter.application_detail", application_id=application_id))


@bp.get("/applications/<int:application_id>/resume")
@recruiter_required
def resume(application_id: int):
    application = applications.get_company_application(_company(), application_id)
    if application.resume is None:
        raise AppError("This application has no resume attached.")
    return send_document(application.resume)


# --- Team -----------------------------------------------------------------------------------------


@bp.get("/team")
@recruiter_required
def team():
    return _render_team(InviteForm())


def _render_team(form, status: int = 200):
    company = _company()
    pending = companies.pending_invitations(company)
    return render_template(
        "recruiter/team.html", company=company, form=form, pending=pending, is_owner=current_user.membership.is_owner
    ), status


@bp.post("/team/invite")
@recruiter_required
@limits.emails_typed_address()
def invite():
    """Email a single-use invitation. The link is never shown here: it travels only by email, so
    whoever opens it has the invited mailbox (which is what lets the sign-up confirm the address)."""
    form = InviteForm()
    outcome = submit(form, lambda: companies.invite_member(current_user, form.email.data))
    if not outcome.ok:
        return _render_team(form, status=outcome.status)
    flash(
        f"We emailed an invitation to {form.email.data.strip().lower()}. It works once, for "
        f"{current_app.config['INVITATION_DAYS']} days.",
        "success",
    )
    return redirect(url_for("recruiter.team"))


@bp.post("/team/members/<int:membership_id>/remove")
@recruiter_required
def remove_member(membership_id: int):
    perform(lambda: companies.remove_member(current_user, membership_id))
    flash("Team member removed.", "success")
    return redirect(url_for("recruiter.team"))


@bp.post("/team/members/<int:membership_id>/make-owner")
@recruiter_required
def make_owner(membership_id: int):
    membership = perform(lambda: companies.transfer_ownership(current_user, membership_id))
    flash(f"{membership.user.display_name} now owns {membership.company.name}; you stay on the team.", "success")
    return redirect(url_for("recruiter.team"))


@bp.post("/team/invitations/<int:invitation_id>/revoke")
@recruiter_required
def revoke_invitation(invitation_id: int):
    perform(lambda: companies.revoke_invitation(current_user, invitation_id))
    flash("Invitation withdrawn.", "success")
    return redirect(url_for("recruiter.team"))
