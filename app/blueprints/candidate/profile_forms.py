from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ...services.profiles import MAX_ENTRIES  # the form offers one more slot: the empty "add" entry
from .forms import WithResume

DATE_HINT = "For example 2019-03 or 2019"


class ExperienceEntryForm(Form):
    # A sub-form (not FlaskForm): the page's one CSRF token covers it.
    title = StringField("Job title", validators=[Optional(), Length(max=200)])
    company = StringField("Company", validators=[Optional(), Length(max=200)])
    start = StringField("Started", description=DATE_HINT, validators=[Optional(), Length(max=20)])
    end = StringField("Ended", description=DATE_HINT + ", or Present", validators=[Optional(), Length(max=20)])
    description = TextAreaField("What you did there", validators=[Optional(), Length(max=4000)])
    remove = BooleanField("Remove this position")


class EducationEntryForm(Form):
    institution = StringField("School or university", validators=[Optional(), Length(max=200)])
    degree = StringField("Degree or qualification", validators=[Optional(), Length(max=200)])
    start = StringField("Started", description=DATE_HINT, validators=[Optional(), Length(max=20)])
    end = StringField("Finished", description=DATE_HINT, validators=[Optional(), Length(max=20)])
    remove = BooleanField("Remove this entry")


class ProfileForm(FlaskForm):
    headline = StringField(
        "Headline",
        description="Your role in a few words, for example “Senior Backend Engineer”",
        validators=[Optional(), Length(max=200)],
    )
    location = StringField("Location", description="City and country", validators=[Optional(), Length(max=160)])
    phone = StringField(
        "Phone",
        description="With the country code, for example +49 30 1234 5678",
        validators=[Optional(), Length(max=40)],
    )
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=5000)])
    skills = TextAreaField(
        "Skills", description="Separate skills with commas", validators=[Optional(), Length(max=4000)]
    )
    links = TextAreaField(
        "Links",
        description="Your LinkedIn, GitHub or portfolio: one web address per line",
        validators=[Optional(), Length(max=4000)],
    )
    experience = FieldList(FormField(ExperienceEntryForm), max_entries=MAX_ENTRIES + 1)
    education = FieldList(FormField(EducationEntryForm), max_entries=MAX_ENTRIES + 1)

    @classmethod
    def for_review(cls, data: dict) -> "ProfileForm":
        """A form showing `data` (services.profiles.review_data), plus one empty entry to add to each list."""
        form = cls(
            data={
                **data,
                "skills": ", ".join(data.get("skills") or []),
                "links": "\n".join(data.get("links") or []),
                "experience": list(data.get("experience") or [])[:MAX_ENTRIES],
                "education": list(data.get("education") or [])[:MAX_ENTRIES],
            }
        )
        form.experience.append_entry()
        form.education.append_entry()
        return form

    def review_data(self) -> dict:
        """What to save: the fields, with entries marked for removal left out."""

        def kept(entries):
            return [
                {k: v for k, v in entry.data.items() if k != "remove"} for entry in entries if not entry.remove.data
            ]

        return {
            "headline": self.headline.data,
            "location": self.location.data,
            "phone": self.phone.data,
            "summary": self.summary.data,
            "skills": self.skills.data,
            "links": self.links.data,
            "experience": kept(self.experience),
            "education": kept(self.education),
        }


class ResumeUploadForm(WithResume):
    """A resume uploaded only to fill the profile (checked as when applying)."""
