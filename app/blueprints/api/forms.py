from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ...services.api_tokens import EXPIRY_DAYS


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        description="What uses it, e.g. “nightly export script”.",
        validators=[DataRequired("Name the token."), Length(max=80)],
    )
    scopes = CheckboxesField("Scopes", validate_choice=False)  # the service refuses what you may not grant
    expires_in_days = SelectField(
        "Expires after", choices=[SelectChoice(str(d), f"{d} days") for d in EXPIRY_DAYS], default="90"
    )


class RevokeForm(FlaskForm):
    pass


class EndpointForm(FlaskForm):
    url = StringField(
        "Endpoint URL",
        description="Where we POST each event (https:// on a public address).",
        validators=[DataRequired("Enter the URL to send events to."), Length(max=500)],
    )
    events = CheckboxesField("Events", validate_choice=False)  # the service keeps only known events
