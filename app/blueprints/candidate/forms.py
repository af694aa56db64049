from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
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
    # Offered only when the profile has a resume (offer_profile_resume); the upload is then optional.
    resume_choice = RadioField("Resume", choices=[SelectChoice("upload", "Upload a resume")], default="upload")
    cover_letter = TextAreaField("Cover letter (optional)", validators=[Optional(), Length(max=10_000)])

    def offer_profile_resume(self, document) -> None:
        """Offer "Use my profile resume (name, date)" as the default choice; without one, only the upload."""
        if document is None:
            self.resume_choice.choices = [SelectChoice("upload", "Upload a resume")]
            self.resume_choice.data = "upload"
            return
        self.resume_choice.choices = [
            SelectChoice(
                "profile", f"Use my profile resume ({document.filename}, uploaded {document.created_at:%b %-d, %Y})"
            ),
            SelectChoice("upload", "Upload a different resume"),
        ]
        if not self.is_submitted() or self.resume_choice.data not in ("profile", "upload"):
            self.resume_choice.data = "profile"
        self.resume.label.text = self.resume.label.text.replace("Resume", "Different resume", 1)

    @property
    def uses_profile_resume(self) -> bool:
        return self.resume_choice.data == "profile"
