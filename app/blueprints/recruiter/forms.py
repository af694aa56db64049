from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ...models import (
    CURRENCIES,
    EMPLOYMENT_TYPES,
    RECRUITER_STAGES,
    SALARY_PERIODS,
    SENIORITIES,
    STAGE_LABELS,
    WORKPLACES,
)
from ...services.applications import REJECTION_REASONS
from ...services.emails import DEFAULT_STAGE_EMAIL, STAGE_EMAILS
from ...services.jobs import MAX_DESCRIPTION, MAX_LOCATION, MAX_SALARY, MAX_TITLE
from ..forms import CompanyForm


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class JobForm(FlaskForm):
    title = StringField("Job title", validators=[DataRequired("Give the job a title."), Length(max=MAX_TITLE)])
    description = TextAreaField(
        "Description (Markdown)", validators=[DataRequired("Describe the job."), Length(max=MAX_DESCRIPTION)]
    )
    location = StringField(
        "Location",
        description="City and country, or the region a remote hire must live in.",
        validators=[Optional(), Length(max=MAX_LOCATION)],
    )
    workplace = SelectField("Workplace", choices=choices(WORKPLACES.items()))
    employment_type = SelectField("Employment type", choices=choices(EMPLOYMENT_TYPES.items()))
    seniority = SelectField("Seniority", choices=choices(SENIORITIES.items()), default="mid")
    salary_min = IntegerField("Minimum salary", validators=[Optional(), NumberRange(min=0, max=MAX_SALARY)])
    salary_max = IntegerField("Maximum salary", validators=[Optional(), NumberRange(min=0, max=MAX_SALARY)])
    salary_currency = SelectField("Currency", choices=choices((c, c) for c in CURRENCIES))
    salary_period = SelectField(
        "Salary period", choices=choices((k, v.replace("per ", "Per ")) for k, v in SALARY_PERIODS.items())
    )
    skills = StringField(
        "Skills",
        description="Separate skills with commas, e.g. Python, PostgreSQL, Flask.",
        validators=[Optional(), Length(max=1000)],
    )

    def job_data(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in (
                "title",
                "description",
                "location",
                "workplace",
                "employment_type",
                "seniority",
                "salary_min",
                "salary_max",
                "salary_currency",
                "salary_period",
                "skills",
            )
        }


class CompanyProfileForm(CompanyForm):
    pass


class InviteForm(FlaskForm):
    email = EmailField(
        "Colleague's email", validators=[DataRequired("Enter an email address."), Email("Enter a valid email address.")]
    )


class MoveForm(FlaskForm):
    status = SelectField(
        "Move to stage", choices=choices((s, STAGE_LABELS[s]) for s in RECRUITER_STAGES), validate_choice=False
    )  # the service gives the clear message for a tampered stage
    note = StringField("Note for the timeline (optional)", validators=[Optional(), Length(max=500)])
    # Used when rejecting; the service checks both (a tampered value gets its message).
    reason = SelectField(
        "Rejection reason (private to your team)",
        choices=choices([("", "No reason given"), *((r, r) for r in REJECTION_REASONS)]),
        validate_choice=False,
    )
    email = SelectField("Email to the candidate", choices=choices(STAGE_EMAILS.items()), validate_choice=False)

    def move_options(self) -> dict:
        return {"reason": self.reason.data or "", "email": self.email.data or DEFAULT_STAGE_EMAIL}


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Private note",
        validators=[DataRequired("Write something first."), Length(max=5000)],
        description="Type @ and a teammate’s name or email to send them this note by email.",
    )
