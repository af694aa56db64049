"""Company settings → Integrations: connect an ATS (tested before it is saved), sync settings and
stage mapping, "Sync now" with live progress, and disconnect. Owners manage; the team can look."""

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ...services import ats, credentials
from .. import limits
from ..helpers import perform, recruiter_required, save, submit, toast, wants_fragment
from .blueprint import bp
from .forms import SettingsForm, connect_form

PROGRESS_TARGET = "sync-progress"  # the panel "Sync now" swaps in
PROGRESS_BODY = "sync-progress-body"  # the part of it that polls


def progress_key(run) -> str:
    """Changes whenever what the progress panel shows changes (the poll answers 204 otherwise)."""
    if run is None:
        return "none"
    return f"{run.id}-{run.status}-{run.jobs_seen}-{run.jobs_closed}-{run.applications_sent}-{run.stages_read}"


def _context(connect=None, settings=None) -> dict:
    company = current_user.company
    connection = ats.connection_of(company)
    is_owner = current_user.membership.is_owner
    if connect is None and is_owner and connection is not None:  # to replace the saved credentials
        connect = connect_form(connection.provider, formdata=None, data=ats.saved_public_values(connection))
    elif connect is None and is_owner and request.args.get("provider", "") in ats.PROVIDERS_BY_KEY:
        connect = connect_form(request.args["provider"], formdata=None)
    if connection is not None and settings is None:
        settings = SettingsForm.for_connection(connection, formdata=None)
    run = ats.latest_run(connection)
    return {
        "company": company,
        "connection": connection,
        "is_owner": is_owner,
        "providers": ats.PROVIDERS,
        "intervals": ats.INTERVALS,
        "encryption_ready": credentials.encryption_ready(),
        "connect_form": connect,
        "settings_form": settings,
        "run": run,
        "progress_key": progress_key(run),
        "runs": ats.recent_runs(connection),
        "failed_sends": ats.failed_sends(connection),
        "adapter": ats.adapter_class(connection) if connection else None,
        "webhook_url": ats.webhook_url(connection) if connection else None,
    }


def _page(status: int = 200, **forms):
    return render_template("integrations/index.html", **_context(**forms)), status


@bp.get("/")
@recruiter_required
def index():
    return _page()


@bp.post("/connect")
@recruiter_required
@limits.per_company("RATE_LIMIT_ATS_CONNECT")
def connect():
    """Test the credentials, and save them only if the ATS accepted them."""
    provider = request.form.get("provider", "")
    if provider not in ats.PROVIDERS_BY_KEY:
        flash("Choose one of the listed ATSs.", "error")
        return redirect(url_for("integrations.index"))
    form = connect_form(provider)
    outcome = submit(form, lambda: ats.connect(current_user, provider, form.credential_values(), form.options()))
    if outcome.ok:
        connection, reached = outcome.value
        flash(f"{connection.label} is connected. {reached}", "success")
        return redirect(url_for("integrations.index"))
    return _page(outcome.status, connect=form)


@bp.post("/settings")
@recruiter_required
def update_settings():
    connection = ats.connection_of(current_user.company)
    if connection is None:
        flash("Connect an ATS first.", "error")
        return redirect(url_for("integrations.index"))
    form = SettingsForm.for_connection(connection)
    outcome = submit(form, lambda: ats.update_settings(current_user, form.settings_data()))
    if outcome.ok:
        flash("Sync settings saved.", "success")
        return redirect(url_for("integrations.index"))
    return _page(outcome.status, settings=form)


@bp.post("/test")
@recruiter_required
@limits.per_company("RATE_LIMIT_ATS_CONNECT")
def test_connection():
    ok, message = perform(lambda: ats.test_saved(current_user))
    flash(("The connection works: " if ok else "The connection test failed: ") + message, "success" if ok else "error")
    return redirect(url_for("integrations.index"))


@bp.post("/sync")
@recruiter_required
@limits.per_company("RATE_LIMIT_ATS_SYNC")
def sync_now():
    """Queue a sync. htmx swaps in the progress panel, which then polls itself; without JavaScript,
    back to the page (which shows the same panel)."""
    outcome = save(lambda: ats.sync_now(current_user))
    if wants_fragment(PROGRESS_TARGET):
        panel = render_template("integrations/_progress.html", oob=True, focus=True, **_context())
        if not outcome.ok:
            return toast(make_response(panel, outcome.status), outcome.error.message, "error")
        return toast(make_response(panel), "Sync started.")
    if outcome.ok:
        flash("Sync started. This page shows its progress.", "success")
    else:
        flash(outcome.error.message, "error")
    return redirect(url_for("integrations.index") + "#sync-progress")


@bp.get("/progress")
@recruiter_required
def progress():
    """The progress panel's body for htmx polling (204 while nothing changed), the page otherwise."""
    if not wants_fragment(PROGRESS_BODY):
        return _page()
    run = ats.latest_run(ats.connection_of(current_user.company))
    if run is not None and run.is_active and request.args.get("seen") == progress_key(run):
        return Response(status=204)
    return render_template("integrations/_progress_body.html", oob=True, **_context())


@bp.post("/disconnect")
@recruiter_required
def disconnect():
    label = perform(lambda: ats.disconnect(current_user))
    flash(
        f"{label} is disconnected and its stored credentials are deleted. Jobs it synced stay (open ones now "
        "expire as usual); nothing more is sent to it.",
        "success",
    )
    return redirect(url_for("integrations.index"))
