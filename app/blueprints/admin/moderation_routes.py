"""Moderation (issue 14): the review queue (review requests, first jobs awaiting approval, reports)
and the admin's answers. Each action goes through the confirmation step with its reason."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ...services import admin, moderation, moderation_admin
from ..helpers import admin_required, submit
from .blueprint import bp
from .forms import ModerateForm, ReasonForm
from .routes import confirm_page


def _label(case, subject) -> str:
    return f"“{subject.title}”" if case.subject_type == "job" else subject.name


@bp.get("/moderation")
@admin_required
def moderation_queue():
    return render_template(
        "admin/moderation.html", queue=moderation.review_queue(), reports=moderation_admin.open_reports()
    )


@bp.route("/companies/<int:company_id>/moderate", methods=["GET", "POST"])
@admin_required
def moderate_company(company_id: int):
    company = admin.get_company(company_id)
    form = ModerateForm()
    outcome = submit(
        form, lambda: moderation_admin.take_down_company(current_user, company_id, form.reason.data, form.note.data)
    )
    if outcome.ok:
        flash(f"{company.name} was taken down: its jobs are closed.", "success")
        return redirect(url_for("admin.companies"))
    return confirm_page(
        form,
        f"Take down {company.name}",
        [
            f"Every open job of {company.name} closes now and none can be published until a moderator approves "
            "the company. Its team is emailed the reason.",
        ],
        f"Take down {company.name}",
        url_for("admin.companies"),
        outcome.status,
    )


@bp.route("/moderation/<int:case_id>/approve", methods=["GET", "POST"])
@admin_required
def approve_case(case_id: int):
    case, subject = moderation_admin.get_case(case_id)
    form = ReasonForm()
    outcome = submit(form, lambda: moderation_admin.approve(current_user, case_id, form.note.data))
    if outcome.ok:
        flash(f"{_label(case, subject)} was approved.", "success")
        return redirect(url_for("admin.moderation_queue"))
    what = (
        "The job goes (back) on the board and its team is emailed."
        if case.subject_type == "job"
        else "The company may publish jobs again; its team is emailed."
    )
    return confirm_page(
        form,
        f"Approve {_label(case, subject)}",
        [what],
        f"Approve {_label(case, subject)}",
        url_for("admin.moderation_queue"),
        outcome.status,
        danger=False,
    )


@bp.route("/moderation/<int:case_id>/reject", methods=["GET", "POST"])
@admin_required
def reject_case(case_id: int):
    case, subject = moderation_admin.get_case(case_id)
    form = ReasonForm()
    form.note.label.text = "What still needs to change"
    form.note.description = "The recruiter reads this. Recorded in the audit log."
    outcome = submit(form, lambda: moderation_admin.reject(current_user, case_id, form.note.data))
    if outcome.ok:
        flash(f"The review of {_label(case, subject)} was turned down.", "success")
        return redirect(url_for("admin.moderation_queue"))
    return confirm_page(
        form,
        f"Turn down the review of {_label(case, subject)}",
        ["It stays off the board; the recruiter is emailed your answer and can edit and ask again."],
        "Turn down the review",
        url_for("admin.moderation_queue"),
        outcome.status,
    )


@bp.route("/reports/<int:report_id>/dismiss", methods=["GET", "POST"])
@admin_required
def dismiss_report(report_id: int):
    report = admin.get_report(report_id)
    form = ReasonForm()
    outcome = submit(form, lambda: moderation_admin.dismiss_report(current_user, report_id, form.note.data))
    if outcome.ok:
        flash("The report was dismissed.", "success")
        return redirect(url_for("admin.moderation_queue"))
    return confirm_page(
        form,
        f"Dismiss the report on “{report.job.title}”",
        ["The job stays up; the report leaves the queue."],
        "Dismiss the report",
        url_for("admin.moderation_queue"),
        outcome.status,
        danger=False,
    )
