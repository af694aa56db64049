from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ...services.accounts import MIN_PASSWORD_LENGTH
from ..forms import CompanyForm


def _new_password(label: str):
    return PasswordField(
        label,
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        validators=[
            DataRequired("Choose a password."),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        ],
    )


def _email(label: str = "Email"):
    return EmailField(
        label,
        validators=[DataRequired("Enter your email address."), Email("Enter a valid email address."), Length(max=254)],
    )


class LoginForm(FlaskForm):
    email = _email()
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class SignupForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Tell us your name."), Length(max=120)])
    email = _email()
    password = _new_password("Password")
    next = HiddenField()


class RecruiterSignupForm(SignupForm, CompanyForm):
    """A new account and its company in one step; the account becomes the company's owner."""


class EmailOnlyForm(FlaskForm):
    """Forgot password, send the confirmation link again."""

    email = _email()


class ResetPasswordForm(FlaskForm):
    password = _new_password("New password")


class ChangeEmailForm(FlaskForm):
    email = _email("New email address")
    password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = _new_password("New password")


class ConfirmForm(FlaskForm):
    """A button-only form (confirm my email, log out other devices): only the CSRF token."""
