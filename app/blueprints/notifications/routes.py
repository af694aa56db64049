from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...errors import ValidationError
from ...extensions import csrf, db, limiter
from ...services import channels, credentials
from ..helpers import recruiter_required
from ..limits import client_ip
from .blueprint import bp

CODE_MESSAGES = {
    "wrong": "That code is not the one we sent. Check the text message and try again.",
    "expired": "That code has expired. Ask for a new one.",
    "locked": "Too many wrong codes. Ask for a new one.",
    "none": "Ask for a code first.",
}


def _typed_number() -> str:
    return "sms-to:" + channels.phone_key(request.form.get("phone", ""))


def _rate(name: str):
    return lambda: current_app.config[name]


def _page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    user = current_user
    return (
        render_template(
            "notifications/index.html",
            settings=channels.settings_of(user),
            grid=channels.preference_grid(user),
            kinds=channels.kinds_for(user),
            channel_labels=channels.CHANNEL_LABELS,
            phone_ready=channels.phone_ready(channels.settings_of(user)),
            time_zones=channels.time_zones(),
            errors=errors or {},
            values=values or {},
            twilio=bool(current_app.config.get("TWILIO_ACCOUNT_SID")),
        ),
        status,
    )


def _attempt(action, success: str, values: dict | None = None):
    """Run one service call: commit and redirect back (Post/Redirect/Get), or roll back and show
    the page again with the message beside its field (422)."""
    try:
        action()
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        return _page(422, errors={error.field or "form": error.message}, values=values)
    flash(success, "success")
    return redirect(url_for("notifications.index"))


@bp.get("/account/notifications")
@login_required
def index():
    return _page()


@bp.post("/account/notifications/preferences")
@login_required
def save_preferences():
    chosen = set()
    for name in request.form:
        kind, _, channel = name.removeprefix("pref:").partition(":")
        if name.startswith("pref:") and kind in channels.KIND_CHANNELS and channel in channels.CHANNEL_LABELS:
            chosen.add((kind, channel))
    return _attempt(lambda: channels.save_preferences(current_user, chosen), "Your choices are saved.")


@bp.post("/account/notifications/quiet-hours")
@login_required
def save_quiet_hours():
    form = request.form
    return _attempt(
        lambda: channels.save_quiet_hours(
            current_user,
            form.get("timezone", ""),
            form.get("quiet_hours") == "on",
            form.get("quiet_start", ""),
            form.get("quiet_end", ""),
        ),
        "Quiet hours saved.",
    )


@bp.post("/account/notifications/phone")
@login_required
@limiter.limit(_rate("RATE_LIMIT_PHONE_CODE_PER_NUMBER"), key_func=_typed_number, methods=["POST"])
@limiter.limit(_rate("RATE_LIMIT_PHONE_CODE_PER_IP"), key_func=client_ip, methods=["POST"])
def start_phone():
    """Text a 6-digit code to the number typed (limited per number, whoever asks, and per IP)."""
    phone = request.form.get("phone", "")
    return _attempt(
        lambda: channels.start_phone_verification(current_user, phone),
        "We texted you a 6-digit code. Type it below.",
        values={"phone": phone[:40]},
    )


@bp.post("/account/notifications/phone/verify")
@login_required
def verify_phone():
    outcome = channels.confirm_phone(current_user, request.form.get("code", ""))
    db.session.commit()  # a wrong guess counts against the limit too
    if outcome != "verified":
        return _page(422, errors={"code": CODE_MESSAGES[outcome]})
    flash("Your phone number is verified. Choose what to receive by SMS or WhatsApp below.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/account/notifications/phone/remove")
@login_required
def remove_phone():
    return _attempt(lambda: channels.remove_phone(current_user), "Your phone number is removed.")


@bp.get("/account/notifications/unsubscribe/<token>")
def unsubscribe(token: str):
    """The link in a message: one button to confirm (a mail scanner's GET changes nothing)."""
    try:
        user, kind = channels.read_unsubscribe_token(token)
    except ValidationError as error:
        return render_template("notifications/unsubscribe.html", error=error.message), 400
    return render_template("notifications/unsubscribe.html", token=token, kind=channels.KIND_LABELS[kind], user=user)


@bp.post("/account/notifications/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a session; the signed token is the proof
def unsubscribe_confirm(token: str):
    try:
        user, kind = channels.read_unsubscribe_token(token)
        channels.unsubscribe(user, kind)
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        return render_template("notifications/unsubscribe.html", error=error.message), 400
    return render_template("notifications/unsubscribe.html", done=True, kind=channels.KIND_LABELS[kind])


# --- Slack, for a company's hiring team -----------------------------------------------------


def _slack_page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    membership = current_user.membership
    return (
        render_template(
            "notifications/slack.html",
            connection=channels.slack_connection_of(current_user.company),
            events=channels.SLACK_EVENTS,
            is_owner=membership.is_owner,
            encryption_ready=credentials.encryption_ready(),
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


@bp.get("/account/notifications/slack")
@recruiter_required
def slack():
    return _slack_page()


@bp.post("/account/notifications/slack")
@recruiter_required
@limiter.limit(_rate("RATE_LIMIT_ATS_CONNECT"), key_func=client_ip, methods=["POST"])
def slack_connect():
    """Post a test message, and save the webhook (encrypted) only if Slack took it."""
    form = request.form
    events = form.getlist("events")
    try:
        channels.connect_slack(current_user, form.get("webhook_url", ""), form.get("channel_name", ""), events)
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        values = {"channel_name": form.get("channel_name", "")[:80], "events": events}
        return _slack_page(422, errors={error.field or "form": error.message}, values=values)
    flash("Slack is connected: we posted a test message to the channel.", "success")
    return redirect(url_for("notifications.slack"))


@bp.post("/account/notifications/slack/disconnect")
@recruiter_required
def slack_disconnect():
    channels.disconnect_slack(current_user)
    db.session.commit()
    flash("Slack is disconnected.", "success")
    return redirect(url_for("notifications.slack"))
