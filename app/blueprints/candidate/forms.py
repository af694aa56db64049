from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class ApplyForm(FlaskForm):
    # Type and size are checked by the service on the bytes themselves (not the name), so the
    # messages stay in one place for the web form and, later, the API.
    resume = FileField("Resume (PDF or Word .docx, up to 5 MB)")
    cover_letter = TextAreaField("Cover letter (optional)", validators=[Optional(), Length(max=10_000)])
