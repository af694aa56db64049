from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...models import REPORT_REASONS


class ReportForm(FlaskForm):
    reason = SelectField(
        "What is wrong with this job?",
        choices=[SelectChoice("", "Choose a reason")] + [SelectChoice(k, v) for k, v in REPORT_REASONS.items()],
        validators=[DataRequired("Choose what is wrong with this job.")],
    )
    details = TextAreaField(
        "Details", description="Optional, except for “Something else”.", validators=[Optional(), Length(max=2000)]
    )


class NameForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=120)])


class EmailPreferencesForm(FlaskForm):
    application_updates = BooleanField("Application updates")
    job_alerts = BooleanField("Job alerts")
    product = BooleanField("Product news")


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your current password", validators=[DataRequired("Enter your current password.")])


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""
