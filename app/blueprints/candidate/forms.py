from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class WithResume(FlaskForm):
    """A form with a resume upload whose label states the configured size limit (MAX_RESUME_MB).

    Type and size are checked by the service on the bytes themselves (not the name), so the
    messages stay in one place for the web form and the API.
    """

    resume = FileField("Resume")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        megabytes = current_app.config["MAX_RESUME_BYTES"] // (1024 * 1024)
        self.resume.label.text = f"Resume (PDF or Word .docx, up to {megabytes} MB)"


class ApplyForm(WithResume):
    cover_letter = TextAreaField("Cover letter (optional)", validators=[Optional(), Length(max=10_000)])
