from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import JOB_STATUSES, WEBHOOK_STATUSES
from ...services import accounts, admin, ats, jobs, queues, webhooks
from ..helpers import admin_required, perform, safe_next, save
from .blueprint import bp


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html", totals=admin.totals(), audit=admin.recent_audit())


@bp.get("/users")
@admin_required
def users():
    q = request.args.get("q", "").strip()
    return render_template("admin/users.html", users=admin.list_users(q), q=q)


@bp.post("/users/<int:user_id>/<any(activate, deactivate):action>")
@admin_required
def set_user_active(user_id: int, action: str):
    outcome = save(lambda: accounts.set_user_active(current_user, user_id, action == "activate"))
    if outcome.ok:
        flash(f"{outcome.value.email} was {action}d.", "success")
    else:
        flash(outcome.error.message, "error")
    return redirect(safe_next(request.form.get("next"), url_for("admin.users")))


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


@bp.post("/jobs/<int:job_id>/unpublish")
@admin_required
def unpublish_job(job_id: int):
    job = perform(lambda: jobs.unpublish_job(current_user, job_id, request.form.get("reason", "")[:500]))
    flash(f"“{job.title}” was taken off the board.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("admin.jobs_index")))


@bp.get("/queues")
@admin_required
def queues_index():
    return render_template("admin/queues.html", data=queues.overview())


@bp.post("/queues/<queue>/failed/<job_id>/retry")
@admin_required
def retry_job(queue: str, job_id: str):
    queues.retry_failed_job(queue, job_id)
    flash("The job was put back on its queue.", "success")
    return redirect(url_for("admin.queues_index"))


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


@bp.post("/webhooks/<int:event_id>/replay")
@admin_required
def replay_webhook(event_id: int):
    event = perform(lambda: webhooks.replay(event_id, current_user))
    flash(f"Event {event.event_id} was queued for processing again.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("admin.webhooks_index")))


@bp.get("/ats")
@admin_required
def ats_index():
    """Every company's ATS connection and the latest syncs (counts, duration, errors)."""
    return render_template("admin/ats.html", **ats.admin_overview())
