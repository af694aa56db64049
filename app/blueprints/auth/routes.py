from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from ...errors import RateLimited, ValidationError
from ...models import utcnow
from ...services import accounts, companies
from .. import limits
from ..helpers import safe_next, save, submit
from ..sessions import keep_this_device, start_session
from .blueprint import bp
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    EmailOnlyForm,
    LoginForm,
    RecruiterSignupForm,
    ResetPasswordForm,
    SignupForm,
)

# Links from emails carry a token once; it is parked in the (signed) session and the browser is
# sent on to a URL without it, so tokens stay out of access logs, Referer headers and history.
VERIFY_TOKEN = "verify_token"  # noqa: S105  (a session key's name, not a secret)
RESET_TOKEN = "reset_token"  # noqa: S105
SIGNUP_EMAIL = "signup_email"


def _home_for(user) -> str:
    if user.is_admin:
        return url_for("admin.index")
    if user.is_recruiter:
        return url_for("recruiter.dashboard")
    return url_for("public.jobs")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    status, retry_after = 200, None
    if form.validate_on_submit():
        try:
            outcome = save(
                lambda: accounts.authenticate(form.email.data, form.password.data, request.remote_addr or ""), form
            )
        except RateLimited as error:
            form.form_errors.append(error.message)
            status, retry_after = 429, error.retry_after
        else:
            if outcome.ok:
                user = outcome.value
                start_session(user, remember=form.remember.data)
                flash(f"Welcome back, {user.display_name}.", "success")
                return redirect(safe_next(form.next.data, _home_for(user)))
            status = outcome.status
    elif form.is_submitted():
        status = 422
    response = render_template("auth/login.html", form=form), status
    if retry_after:
        response = (*response, {"Retry-After": str(retry_after)})
    return response


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("public.home"))


def _check_your_inbox(email: str):
    session[SIGNUP_EMAIL] = email
    return redirect(url_for("auth.check_inbox"))


@bp.route("/signup", methods=["GET", "POST"])
@limits.signup
@limits.emails_typed_address()
def signup():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = SignupForm(next=request.args.get("next", ""))
    next_path = safe_next(form.next.data, "")
    outcome = submit(
        form, lambda: accounts.sign_up(form.email.data, form.password.data, form.name.data, next_path=next_path)
    )
    if outcome.ok:  # a new account, or an address that had one: the same answer either way
        return _check_your_inbox(accounts.normalize_email(form.email.data))
    return render_template("auth/signup.html", form=form), outcome.status


@bp.route("/signup/recruiter", methods=["GET", "POST"])
@limits.signup
@limits.emails_typed_address()
def signup_recruiter():
    if current_user.is_authenticated and current_user.membership is not None:
        return redirect(url_for("recruiter.dashboard"))
    form = RecruiterSignupForm()
    if current_user.is_authenticated:
        # An existing account only adds a company: drop the account fields.
        for name in ("name", "email", "password"):
            del form[name]
        outcome = submit(
            form,
            lambda: companies.create_company(
                current_user, form.company_name.data, form.website.data, form.about.data, request.files.get("logo")
            ),
        )
        if outcome.ok:
            flash("Your company is set up. Post your first job!", "success")
            return redirect(url_for("recruiter.dashboard"))
        return render_template("auth/signup_recruiter.html", form=form), outcome.status
    outcome = submit(
        form,
        lambda: companies.sign_up_owner(
            form.email.data,
            form.password.data,
            form.name.data,
            form.company_name.data,
            form.website.data,
            form.about.data,
            request.files.get("logo"),
        ),
    )
    if outcome.ok:
        return _check_your_inbox(accounts.normalize_email(form.email.data))
    return render_template("auth/signup_recruiter.html", form=form), outcome.status


@bp.route("/signup/check-your-inbox", methods=["GET", "POST"])
@limits.emails_typed_address()
def check_inbox():
    """After sign-up: "open the link we sent". The form sends the link again (to an unconfirmed
    account only, saying the same thing whatever the address)."""
    form = EmailOnlyForm(email=session.get(SIGNUP_EMAIL, ""))
    outcome = submit(form, lambda: accounts.resend_verification(form.email.data))
    if outcome.ok:
        session[SIGNUP_EMAIL] = accounts.normalize_email(form.email.data)
        flash("If that address is waiting to be confirmed, we sent the link again.", "success")
        return redirect(url_for("auth.check_inbox"))
    return render_template("auth/check_inbox.html", form=form, email=session.get(SIGNUP_EMAIL)), outcome.status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Join a company from an invitation link: new users sign up here, existing users log in first.

    The link is only ever sent by email to the invited address, so signing up with that address
    from it confirms the address.
    """
    invite = companies.find_invitation(token)
    if current_user.is_authenticated:
        if request.method == "POST":
            outcome = save(lambda: companies.accept_invitation(token, current_user))
            if not outcome.ok:
                flash(outcome.error.message, "error")
                return render_template("auth/invitation.html", invite=invite, form=None), outcome.status
            flash(f"You joined {invite.company.name}.", "success")
            return redirect(url_for("recruiter.dashboard"))
        return render_template("auth/invitation.html", invite=invite, form=None)
    form = SignupForm(email=invite.email)

    def join():
        invited_address = accounts.normalize_email(form.email.data) == invite.email
        user = accounts.register_user(
            form.email.data, form.password.data, form.name.data, role="recruiter", verify=not invited_address
        )
        if invited_address:
            user.verified_at = utcnow()
        companies.accept_invitation(token, user)
        return user

    outcome = submit(form, join)
    if outcome.ok:
        start_session(outcome.value)
        flash(f"Welcome to {invite.company.name}!", "success")
        return redirect(url_for("recruiter.dashboard"))
    return render_template("auth/invitation.html", invite=invite, form=form), outcome.status


@bp.get("/verify/<token>")
def verify_email(token: str):
    """The link in the email: park the token and continue at /verify (no token in the URL)."""
    session[VERIFY_TOKEN] = token[:1000]
    return redirect(url_for("auth.confirm_email"), 303)


@bp.route("/verify", methods=["GET", "POST"])
def confirm_email():
    """A button to confirm the address. A GET changes nothing, so mail scanners that open links
    cannot use up the one-time login a first confirmation gives."""
    token = session.get(VERIFY_TOKEN, "")
    try:
        user = accounts.check_verify_link(token)
    except ValidationError as error:
        session.pop(VERIFY_TOKEN, None)
        return render_template("auth/verify_failed.html", message=error.message), 400
    form = ConfirmForm()
    outcome = submit(form, lambda: accounts.verify_email(token))
    if not outcome.ok:
        return render_template("auth/confirm_email.html", form=form, email=user.email), outcome.status
    session.pop(VERIFY_TOKEN, None)
    user, first_use, next_path = outcome.value
    flash(f"Thanks, {user.email} is confirmed.", "success")
    if not current_user.is_authenticated:
        if not first_use:  # the one-time login was used already: the password is needed now
            flash("Log in to continue.", "info")
            return redirect(url_for("auth.login", next=safe_next(next_path, "") or None))
        start_session(user)
    return redirect(safe_next(next_path, _home_for(user)))


@bp.post("/verify/resend")
@login_required
@limits.emails_own_address
def resend_verification():
    if current_user.verified_at is None:
        save(lambda: accounts.resend_verification(current_user.email))
    flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("auth.account")))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limits.emails_typed_address()
def forgot_password():
    form = EmailOnlyForm()
    outcome = submit(form, lambda: accounts.request_password_reset(form.email.data))
    if outcome.ok:
        # The same answer whether or not the address has an account.
        return render_template("auth/forgot_password.html", form=None, sent_to=form.email.data)
    return render_template("auth/forgot_password.html", form=form, sent_to=None), outcome.status


@bp.get("/password/reset/<token>")
def reset_password(token: str):
    """The link in the email: park the token and continue at /password/reset (no token in the URL)."""
    session[RESET_TOKEN] = token[:1000]
    return redirect(url_for("auth.choose_password"), 303)


@bp.route("/password/reset", methods=["GET", "POST"])
def choose_password():
    token = session.get(RESET_TOKEN, "")
    try:
        accounts.check_reset_link(token)
    except ValidationError as error:
        session.pop(RESET_TOKEN, None)
        return render_template("auth/verify_failed.html", message=error.message), 400
    form = ResetPasswordForm()
    outcome = submit(form, lambda: accounts.reset_password(token, form.password.data))
    if not outcome.ok:
        return render_template("auth/reset_password.html", form=form), outcome.status
    session.pop(RESET_TOKEN, None)
    start_session(outcome.value)
    flash("Your password was changed, and every other device was logged out.", "success")
    return redirect(_home_for(outcome.value))


# --- The account page: one page, a form per action, each posting to its own URL -------------------


def _account_page(status: int = 200, **forms):
    forms.setdefault("email_form", ChangeEmailForm(formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("sessions_form", ConfirmForm(formdata=None))
    return render_template("auth/account.html", **forms), status


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/email")
@login_required
def change_email():
    form = ChangeEmailForm()
    outcome = submit(form, lambda: accounts.change_email(current_user, form.email.data, form.password.data))
    if not outcome.ok:
        return _account_page(outcome.status, email_form=form)
    keep_this_device(current_user)
    flash(
        f"Your email address is now {current_user.email}. We sent a confirmation link there, "
        "and logged out your other devices.",
        "success",
    )
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    outcome = submit(
        form, lambda: accounts.change_password(current_user, form.current_password.data, form.new_password.data)
    )
    if not outcome.ok:
        return _account_page(outcome.status, password_form=form)
    keep_this_device(current_user)
    flash("Your password was changed, and your other devices were logged out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end")
@login_required
def end_other_sessions():
    form = ConfirmForm()
    outcome = submit(form, lambda: accounts.end_other_sessions(current_user))
    if not outcome.ok:
        return _account_page(outcome.status, sessions_form=form)
    keep_this_device(current_user)
    flash("You are logged out of every other device.", "success")
    return redirect(url_for("auth.account"))
