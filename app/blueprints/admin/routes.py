from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import JOB_STATUSES, WEBHOOK_STATUSES
from ...services import accounts, admin, ats, moderation_admin, queues, webhooks
from ..helpers import admin_required, submit
from .blueprint import bp
from .forms import ModerateForm, ReasonForm


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html", totals=admin.totals(), audit=admin.recent_audit())


@bp.get("/users")
@admin_required
def users():
    q = request.args.get("q", "").strip()
    return render_template("admin/users.html", users=admin.list_users(q), q=q)


def confirm_page(form, title: str, explanation: list[str], button: str, back: str, status: int, danger=True):
    """The confirmation step every admin action goes through (works without JS): the action's
    button leads here, and only this form, with its reason, does it."""
    return render_template(
        "admin/confirm.html",
        form=form,
        title=title,
        explanation=explanation,
        button=button,
        back=back,
        danger=danger,
    ), status


@bp.route("/users/<int:user_id>/<any(activate, deactivate):action>", methods=["GET", "POST"])
@admin_required
def set_user_active(user_id: int, action: str):
    user = admin.get_user(user_id)
    form = ReasonForm()
    outcome = submit(
        form, lambda: accounts.set_user_active(current_user, user_id, action == "activate", form.note.data)
    )
    if outcome.ok:
        flash(f"{outcome.value.email} was {action}d.", "success")
        return redirect(url_for("admin.users"))
    explanation = (
        [f"{user.email} will be logged out everywhere and unable to log in."]
        if action == "deactivate"
        else [f"{user.email} will be able to log in again."]
    )
    return confirm_page(
        form,
        f"{action.capitalize()} {user.email}",
        explanation,
        f"{action.capitalize()} {user.email}",
        url_for("admin.users"),
        outcome.status,
        danger=action == "deactivate",
    )


@bp.get("/companies")
@admin_required
def companies():
    return render_template("admin/companies.html", rows=admin.list_companies())


@bp.get("/jobs")
@admin_required
def jobs_index():
    status = request.args.get("status", "")
    status = status if status in JOB_STATUSES else ""
    return render_template("admin/jobs.html", jobs=admin.list_jobs(status), status=status, statuses=JOB_STATUSES)


@bp.route("/jobs/<int:job_id>/unpublish", methods=["GET", "POST"])
@admin_required
def unpublish_job(job_id: int):
    """Take a job down with a reason: the recruiter is emailed, sees it and cannot reopen the job."""
    job = admin.get_job(job_id)
    form = ModerateForm()
    outcome = submit(
        form, lambda: moderation_admin.take_down_job(current_user, job_id, form.reason.data, form.note.data)
    )
    if outcome.ok:
        flash(f"“{job.title}” was taken off the board.", "success")
        return redirect(url_for("admin.jobs_index"))
    return confirm_page(
        form,
        f"Take down “{job.title}”",
        [
            f"“{job.title}” at {job.company.name} closes now. Its team is emailed the reason and cannot reopen it:",
            "they can edit it and ask for a review, which comes back to the moderation queue.",
        ],
        f"Take down “{job.title}”",
        url_for("admin.jobs_index"),
        outcome.status,
    )


@bp.get("/queues")
@admin_required
def queues_index():
    return render_template("admin/queues.html", data=queues.overview())


@bp.route("/queues/<queue>/failed/<job_id>/retry", methods=["GET", "POST"])
@admin_required
def retry_job(queue: str, job_id: str):
    queues.ensure_queue(queue)
    form = ReasonForm()
    outcome = submit(form, lambda: queues.retry_failed_job(queue, job_id[:200], current_user, form.note.data))
    if outcome.ok:
        flash("The job was put back on its queue.", "success")
        return redirect(url_for("admin.queues_index"))
    return confirm_page(
        form,
        "Retry a failed background job",
        [f"Job {job_id[:200]} goes back on the {queue[:40]} queue."],
        "Retry the job",
        url_for("admin.queues_index"),
        outcome.status,
        danger=False,
    )


@bp.get("/webhooks")
@admin_required
def webhooks_index():
    provider = request.args.get("provider", "")[:30]
    status = request.args.get("status", "")
    status = status if status in WEBHOOK_STATUSES else ""
    return render_template(
        "admin/webhooks.html",
        events=webhooks.list_events(provider, status),
        provider=provider,
        status=status,
        statuses=WEBHOOK_STATUSES,
        providers=sorted(webhooks.PROVIDERS),
    )


@bp.route("/webhooks/<int:event_id>/replay", methods=["GET", "POST"])
@admin_required
def replay_webhook(event_id: int):
    webhooks.get_event(event_id)  # 404 for an unknown event, before offering to replay it
    form = ReasonForm()
    outcome = submit(form, lambda: webhooks.replay(event_id, current_user, form.note.data))
    if outcome.ok:
        flash(f"Event {outcome.value.event_id} was queued for processing again.", "success")
        return redirect(url_for("admin.webhooks_index"))
    return confirm_page(
        form,
        "Replay a webhook event",
        ["The event is processed again (processing is idempotent)."],
        "Replay the event",
        url_for("admin.webhooks_index"),
        outcome.status,
        danger=False,
    )


@bp.get("/ats")
@admin_required
def ats_index():
    """Every company's ATS connection and the latest syncs (counts, duration, errors)."""
    return render_template("admin/ats.html", **ats.admin_overview())
