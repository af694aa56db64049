"""The company's webhook settings (its owner): endpoints with their secret shown once, the
delivery log of each, resend and "send test event". HTML, reached from the API tokens page."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...models import OUTBOUND_EVENTS
from ...services import outbound_webhooks
from ..helpers import perform, recruiter_required, submit
from .blueprint import bp
from .forms import EndpointForm, RevokeForm


def _page(form: EndpointForm, status: int = 200, secret: str | None = None):
    company = outbound_webhooks.require_owner(current_user)
    form.events.choices = [SelectChoice(k, f"{k} — {v}") for k, v in OUTBOUND_EVENTS.items()]
    return render_template(
        "api/webhooks.html",
        form=form,
        endpoints=outbound_webhooks.endpoints(company),
        action_form=RevokeForm(),
        secret=secret,
    ), status


@bp.get("/api/webhooks")
@recruiter_required
def webhooks():
    return _page(EndpointForm(formdata=None))


@bp.post("/api/webhooks")
@recruiter_required
def add_endpoint():
    form = EndpointForm()
    outcome = submit(form, lambda: outbound_webhooks.add_endpoint(current_user, form.url.data, form.events.data or []))
    if not outcome.ok:
        return _page(form, outcome.status)
    # Shown in this answer only (see tokens.create_token for why there is no redirect).
    return _page(EndpointForm(formdata=None), 201, secret=outcome.value[1])


def _checked(action, message: str, endpoint_id: int, *, log: bool = False):
    if RevokeForm().validate_on_submit():
        perform(action)
        flash(message, "success")
    else:
        flash("This form expired. Please try again.", "error")
    if log:
        return redirect(url_for("api.webhook_log", endpoint_id=endpoint_id))
    return redirect(url_for("api.webhooks"))


@bp.post("/api/webhooks/<int:endpoint_id>/delete")
@recruiter_required
def delete_endpoint(endpoint_id: int):
    return _checked(
        lambda: outbound_webhooks.remove_endpoint(current_user, endpoint_id), "Endpoint removed.", endpoint_id
    )


@bp.post("/api/webhooks/<int:endpoint_id>/enable")
@recruiter_required
def enable_endpoint(endpoint_id: int):
    return _checked(
        lambda: outbound_webhooks.enable_endpoint(current_user, endpoint_id),
        "Endpoint enabled: waiting events are on their way.",
        endpoint_id,
    )


@bp.post("/api/webhooks/<int:endpoint_id>/test")
@recruiter_required
def test_endpoint(endpoint_id: int):
    return _checked(
        lambda: outbound_webhooks.send_test_event(current_user, endpoint_id),
        "Test event queued: see the delivery log.",
        endpoint_id,
        log=True,
    )


@bp.get("/api/webhooks/<int:endpoint_id>")
@recruiter_required
def webhook_log(endpoint_id: int):
    endpoint, rows = outbound_webhooks.deliveries(current_user, endpoint_id)
    return render_template("api/webhook_log.html", endpoint=endpoint, deliveries=rows, action_form=RevokeForm())


@bp.post("/api/webhooks/deliveries/<int:delivery_id>/resend")
@recruiter_required
def resend_delivery(delivery_id: int):
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("This form expired. Please try again.", "error")
        return redirect(url_for("api.webhooks"))
    copy = perform(lambda: outbound_webhooks.resend(current_user, delivery_id))
    flash("Event queued again.", "success")
    return redirect(url_for("api.webhook_log", endpoint_id=copy.endpoint_id))
