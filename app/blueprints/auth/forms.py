from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional, URL

from ...services.accounts import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Email("Enter a valid email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class SignupForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Tell us your name."), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired("Enter your email address."),
                                            Email("Enter a valid email address."), Length(max=254)])
    password = PasswordField("Password", description=f"At least {MIN_PASSWORD_LENGTH} characters.",
                             validators=[DataRequired("Choose a password."),
                                         Length(min=MIN_PASSWORD_LENGTH, max=200,
                                                message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])
    next = HiddenField()


class CompanyForm(FlaskForm):
    company_name = StringField("Company name", validators=[DataRequired("Name your company."), Length(max=120)])
    website = URLField("Website", validators=[Optional(), URL(message="Enter a full address, like https://example.com."),
                                              Length(max=255)])
    about = TextAreaField("About the company", validators=[Optional(), Length(max=5000)])
    logo = FileField("Logo (PNG or JPEG, optional)")


class RecruiterSignupForm(SignupForm, CompanyForm):
    """A new account and its company in one step; the account becomes the company's owner."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Email("Enter a valid email address.")])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", description=f"At least {MIN_PASSWORD_LENGTH} characters.",
                             validators=[DataRequired("Choose a password."),
                                         Length(min=MIN_PASSWORD_LENGTH, max=200,
                                                message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email address", validators=[DataRequired("Enter your new email address."),
                                                        Email("Enter a valid email address."), Length(max=254)])
    password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
