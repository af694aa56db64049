"""The connect form (its fields are the chosen ATS's credentials) and the sync settings form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ...integrations.ats import WORKDAY_FIELD_LABELS, WORKDAY_FIELDS
from ...services import ats

WORKDAY_PREFIX = "wd_"


class ConnectFormBase(FlaskForm):
    provider = HiddenField()

    def credential_values(self) -> dict:
        return {spec.name: getattr(self, spec.name).data for spec in self.specs}

    def options(self) -> dict:
        return {
            key: getattr(self, WORKDAY_PREFIX + key).data
            for key in WORKDAY_FIELDS
            if hasattr(self, WORKDAY_PREFIX + key)
        }


def connect_form(provider: str, **kwargs) -> ConnectFormBase:
    """A form asking for exactly what `provider` needs. Secrets are password fields: never shown again."""
    specs = ats.credential_fields(provider)
    attrs = {"specs": specs}
    for spec in specs:
        kind = PasswordField if spec.secret else StringField
        attrs[spec.name] = kind(spec.label, description=spec.hint, validators=[Optional(), Length(max=2000)])
    if provider == "workday":
        for key, label in WORKDAY_FIELD_LABELS.items():
            attrs[WORKDAY_PREFIX + key] = StringField(
                label, default=WORKDAY_FIELDS[key], validators=[Optional(), Length(max=200)]
            )
    form_class = type(f"Connect{provider.title().replace('_', '')}Form", (ConnectFormBase,), attrs)
    return form_class(provider=provider, **kwargs)


class SettingsForm(FlaskForm):
    sync_jobs = BooleanField("Jobs from the ATS: create, update and close jobs here")
    sync_applications = BooleanField(
        "Applications to the ATS: send each application (name, email, phone, resume, source)"
    )
    sync_candidates = BooleanField("Candidate profiles too: headline, location and links (off by default, for privacy)")
    interval_minutes = SelectField(
        "Sync automatically", choices=[SelectChoice(str(k), v) for k, v in ats.INTERVALS.items()], default="60"
    )
    stage_map = TextAreaField(
        "Stage mapping",
        description="One per line: the ATS's stage name = our stage (Applied, Screening, Interview, Offer, Hired "
        "or Rejected). A stage not listed here moves nothing; the names we met without a mapping are listed "
        "above.",
        validators=[Optional(), Length(max=20_000)],
    )

    @classmethod
    def for_connection(cls, connection, **kwargs) -> SettingsForm:
        form = cls(**kwargs)
        if not form.is_submitted():
            form.sync_jobs.data = connection.sync_jobs
            form.sync_applications.data = connection.sync_applications
            form.sync_candidates.data = connection.sync_candidates
            form.interval_minutes.data = str(connection.interval_minutes)
            form.stage_map.data = ats.format_stage_map(connection.stage_map or {})
        return form

    def settings_data(self) -> dict:
        return {
            "sync_jobs": self.sync_jobs.data,
            "sync_applications": self.sync_applications.data,
            "sync_candidates": self.sync_candidates.data,
            "interval_minutes": self.interval_minutes.data,
            "stage_map": self.stage_map.data or "",
        }
