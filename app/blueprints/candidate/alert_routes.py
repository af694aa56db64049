"""Job alerts: save the current search, manage alerts, unsubscribe from an email (logged out too)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...extensions import csrf
from ...models import ALERT_FREQUENCIES
from ...services import alerts
from .. import limits
from ..helpers import perform, save
from .blueprint import bp


@bp.post("/alerts")
@login_required
@limits.per_user_and_ip("RATE_LIMIT_ALERTS")
def create_alert():
    query = alerts.clean_query(request.form)
    outcome = save(lambda: alerts.create_alert(current_user, query, request.form.get("frequency", "daily")))
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("public.jobs", **query))
    alert, merged = outcome.value
    if merged:
        flash(f"You already had an alert for {alert.name}: it now comes {alert.frequency}.", "success")
    else:
        flash(f"Alert saved: we will email you {alert.frequency} about new jobs for {alert.name}.", "success")
    return redirect(url_for("candidate.my_alerts"))


@bp.get("/me/alerts")
@login_required
def my_alerts():
    return render_template(
        "candidate/alerts.html", alerts=alerts.user_alerts(current_user), frequencies=ALERT_FREQUENCIES
    )


@bp.post("/me/alerts/<int:alert_id>/edit")
@login_required
def edit_alert(alert_id: int):
    """Change how often an alert comes; pause or resume it. Post/Redirect/Get back to the list."""
    action = request.form.get("action", "save")
    paused = {"pause": True, "resume": False}.get(action)
    frequency = request.form.get("frequency") if action == "save" else None
    outcome = save(lambda: alerts.update_alert(current_user, alert_id, frequency=frequency, paused=paused))
    if not outcome.ok:
        flash(outcome.error.message, "error")
    elif action == "pause":
        flash(f"Alert paused: no emails for {outcome.value.name} until you resume it.", "success")
    elif action == "resume":
        flash(f"Alert resumed: {outcome.value.name} comes {outcome.value.frequency} again.", "success")
    else:
        flash(f"Alert saved: {outcome.value.name} now comes {outcome.value.frequency}.", "success")
    return redirect(url_for("candidate.my_alerts"))


@bp.post("/me/alerts/<int:alert_id>/delete")
@login_required
def delete_alert(alert_id: int):
    perform(lambda: alerts.delete_alert(current_user, alert_id))
    flash("Alert deleted.", "success")
    return redirect(url_for("candidate.my_alerts"))


@bp.get("/alerts/unsubscribe/<token>")
def alert_unsubscribe(token: str):
    """From the email: a page with the button (a GET changes nothing, so mail scanners that open
    every link cannot unsubscribe anyone)."""
    return render_template("candidate/alert_unsubscribed.html", alert=alerts.find_by_token(token), token=token)


@bp.post("/alerts/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without any session or token
def alert_unsubscribe_confirm(token: str):
    save(lambda: alerts.unsubscribe(token))
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return redirect(url_for("candidate.alert_unsubscribe", token=token), 303)


@bp.post("/alerts/resubscribe/<token>")
def alert_resubscribe(token: str):
    save(lambda: alerts.resubscribe(token))
    return redirect(url_for("candidate.alert_unsubscribe", token=token), 303)
