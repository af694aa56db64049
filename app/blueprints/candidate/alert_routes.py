"""Job alerts: save the current search, manage alerts, unsubscribe from an email (logged out too)."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...errors import ValidationError
from ...extensions import csrf, db
from ...models import ALERT_FREQUENCIES
from ...services import alerts
from . import bp


@bp.post("/alerts")
@login_required
def create_alert():
    query = alerts.clean_query(request.form)
    try:
        alert = alerts.create_alert(current_user, query, request.form.get("frequency", "daily"))
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("public.jobs", **query))
    db.session.commit()
    flash(f"Alert saved: we will email you {alert.frequency} about new jobs for {alert.name}.", "success")
    return redirect(url_for("candidate.my_alerts"))


@bp.get("/me/alerts")
@login_required
def my_alerts():
    return render_template("candidate/alerts.html", alerts=alerts.user_alerts(current_user),
                           frequencies=ALERT_FREQUENCIES)


@bp.post("/me/alerts/<int:alert_id>/delete")
@login_required
def delete_alert(alert_id: int):
    alerts.delete_alert(current_user, alert_id)
    db.session.commit()
    flash("Alert deleted.", "success")
    return redirect(url_for("candidate.my_alerts"))


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without any session or token
def alert_unsubscribe(token: str):
    alert = alerts.unsubscribe(token)
    db.session.commit()
    if request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("candidate/alert_unsubscribed.html", alert=alert, token=token)


@bp.post("/alerts/resubscribe/<token>")
def alert_resubscribe(token: str):
    alert = alerts.resubscribe(token)
    db.session.commit()
    return render_template("candidate/alert_unsubscribed.html", alert=alert, token=token)
