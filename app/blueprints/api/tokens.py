"""The "API tokens" page: create a personal access token (shown once), see when each was last
used, revoke. HTML, reached from the account page."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ...models import API_SCOPES
from ...services import api_tokens
from ..helpers import perform, submit
from .blueprint import bp
from .forms import RevokeForm, TokenForm


def _page(form: TokenForm, status: int = 200, secret: str | None = None):
    form.scopes.choices = [SelectChoice(s, f"{s} — {API_SCOPES[s]}") for s in api_tokens.allowed_scopes(current_user)]
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=api_tokens.user_tokens(current_user),
        revoke_form=RevokeForm(),
        secret=secret,
    ), status


@bp.get("/api/tokens")
@login_required
def tokens():
    return _page(TokenForm(formdata=None))


@bp.post("/api/tokens")
@login_required
def create_token():
    form = TokenForm()
    outcome = submit(
        form,
        lambda: api_tokens.create_token(
            current_user, form.name.data, form.scopes.data or [], int(form.expires_in_days.data or 0) or None
        ),
    )
    if not outcome.ok:
        return _page(form, outcome.status)
    # The secret is shown in this answer only and never stored or put in the session (no redirect:
    # there is nothing to redirect to that could still show it). Reloading asks to resubmit.
    _, secret = outcome.value
    return _page(TokenForm(formdata=None), 201, secret=secret)


@bp.post("/api/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    form = RevokeForm()
    if form.validate_on_submit():
        token = perform(lambda: api_tokens.revoke(current_user, token_id))
        flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    else:
        flash("This form expired. Please try again.", "error")
    return redirect(url_for("api.tokens"))
