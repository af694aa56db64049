from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ...errors import Conflict, RateLimited, ValidationError
from ...extensions import db
from ...models import utcnow
from ...services import accounts, companies, emails
from ..helpers import attach_error, safe_next
from . import bp
from .forms import (ChangeEmailForm, ForgotPasswordForm, LoginForm, RecruiterSignupForm, ResetPasswordForm,
                    SignupForm)


def _home_for(user) -> str:
    if user.is_admin:
        return url_for("admin.index")
    if user.is_recruiter:
        return url_for("recruiter.dashboard")
    return url_for("public.jobs")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except RateLimited as error:
            form.form_errors.append(error.message)
            status = 429
        except ValidationError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(safe_next(form.next.data, _home_for(user)))
    if status == 200 and (form.errors or form.form_errors):
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("public.home"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.register_user(form.email.data, form.password.data, form.name.data)
        except ValidationError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash("Your account is ready.", "success")
            return redirect(safe_next(form.next.data, url_for("public.jobs")))
    return render_template("auth/signup.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/signup/recruiter", methods=["GET", "POST"])
def signup_recruiter():
    if current_user.is_authenticated and current_user.membership is not None:
        return redirect(url_for("recruiter.dashboard"))
    form = RecruiterSignupForm()
    if current_user.is_authenticated:
        # An existing account only adds a company: drop the account fields.
        for name in ("name", "email", "password"):
            del form[name]
    if form.validate_on_submit():
        try:
            if current_user.is_authenticated:
                user = current_user
            else:
                user = accounts.register_user(form.email.data, form.password.data, form.name.data, role="recruiter")
            companies.create_company(user, form.company_name.data, form.website.data, form.about.data,
                                     request.files.get("logo"))
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            if not current_user.is_authenticated:
                login_user(user)
            flash("Your company is set up. Post your first job!", "success")
            return redirect(url_for("recruiter.dashboard"))
    return render_template("auth/signup_recruiter.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Join a company from an invitation link: new users sign up here, existing users log in first."""
    invite = companies.find_invitation(token)
    form = SignupForm(email=invite.email)
    if current_user.is_authenticated:
        if request.method == "POST":
            try:
                companies.accept_invitation(token, current_user)
            except Conflict as error:
                db.session.rollback()
                flash(error.message, "error")
                return render_template("auth/invitation.html", invite=invite, form=None), 409
            db.session.commit()
            flash(f"You joined {invite.company.name}.", "success")
            return redirect(url_for("recruiter.dashboard"))
        return render_template("auth/invitation.html", invite=invite, form=None)
    if form.validate_on_submit():
        try:
            # Signing up with the invited address proves it: the link came by email to it.
            invited_address = accounts.normalize_email(form.email.data) == invite.email
            user = accounts.register_user(form.email.data, form.password.data, form.name.data, role="recruiter",
                                          verify=not invited_address)
            if invited_address:
                user.verified_at = utcnow()
            companies.accept_invitation(token, user)
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome to {invite.company.name}!", "success")
            return redirect(url_for("recruiter.dashboard"))
    return render_template("auth/invitation.html", invite=invite, form=form), 422 if form.errors or form.form_errors else 200


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        user = accounts.verify_email(token)
    except ValidationError as error:
        return render_template("auth/verify_failed.html", message=error.message), 400
    db.session.commit()
    flash(f"Thanks, {user.email} is confirmed.", "success")
    return redirect(url_for("recruiter.dashboard") if user.is_recruiter else url_for("public.jobs"))


@bp.post("/verify/resend")
@login_required
def resend_verification():
    if current_user.verified_at is None:
        emails.send_verification(current_user)
        db.session.commit()
    flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("auth.account")))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("auth/forgot_password.html", form=None, sent_to=form.email.data)
    return render_template("auth/forgot_password.html", form=form, sent_to=None), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except ValidationError as error:
            db.session.rollback()
            if error.field:
                attach_error(form, error)
            else:
                return render_template("auth/verify_failed.html", message=error.message), 400
        else:
            db.session.commit()
            login_user(user)
            flash("Your password was changed.", "success")
            return redirect(_home_for(user))
    else:
        try:
            from ...services import tokens
            tokens.user_from_reset_token(token)
        except ValidationError as error:
            return render_template("auth/verify_failed.html", message=error.message), 400
    return render_template("auth/reset_password.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            accounts.change_email(current_user, form.email.data, form.password.data)
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Your email address is now {current_user.email}. We sent a confirmation link there.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 422 if form.errors or form.form_errors else 200
