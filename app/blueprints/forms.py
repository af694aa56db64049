"""Forms more than one blueprint uses (the company form: recruiter sign-up and the company profile)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional


class CompanyForm(FlaskForm):
    company_name = StringField("Company name", validators=[DataRequired("Name your company."), Length(max=120)])
    website = URLField(
        "Website",
        validators=[Optional(), URL(message="Enter a full address, like https://example.com."), Length(max=255)],
    )
    about = TextAreaField("About the company", validators=[Optional(), Length(max=5000)])
    logo = FileField("Logo (PNG or JPEG, optional)")
