from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ...models import PLAN_CURRENCIES
from ...services.payments import METHOD_LABELS

COUNTRY_HINT = "Two letters, such as US, DE or IN. Payments from India can use UPI or net banking."


class CheckoutForm(FlaskForm):
    plan_id = RadioField("Plan", coerce=int, validators=[DataRequired("Choose a plan.")], choices=[])
    currency = SelectField("Currency", choices=[SelectChoice(c, c) for c in PLAN_CURRENCIES])
    country = StringField(
        "Billing country",
        description=COUNTRY_HINT,
        validators=[DataRequired("Enter your billing country."), Regexp(r"^[A-Za-z]{2}$", message=COUNTRY_HINT)],
    )
    method = RadioField(
        "Pay with", choices=[SelectChoice(value, label) for value, label in METHOD_LABELS.items()], default="card"
    )
    job_id = HiddenField()


class BillingDetailsForm(FlaskForm):
    country = StringField(
        "Billing country",
        description=COUNTRY_HINT,
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=COUNTRY_HINT)],
    )
    address = TextAreaField("Billing address", validators=[Optional(), Length(max=1000)])
    tax_id = StringField(
        "Tax id (VAT number or GSTIN)",
        description="Shown on your receipts when set.",
        validators=[Optional(), Length(max=40)],
    )
