from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...models import MODERATION_REASONS, PLAN_CURRENCIES, PlanInterval

INTERVALS = [
    SelectChoice(PlanInterval.ONE_TIME.value, "One-time"),
    SelectChoice(PlanInterval.MONTHLY.value, "Monthly (Stripe only)"),
]


class PlanForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the plan a name."), Length(max=80)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=300)])
    posting_credits = IntegerField(
        "Posting credits", description="Jobs it publishes.", validators=[DataRequired(), NumberRange(1, 1000)]
    )
    posting_days = IntegerField(
        "Posting days", description="How long each job stays up.", validators=[DataRequired(), NumberRange(1, 365)]
    )
    featured_days = IntegerField(
        "Featured days",
        description="How long each job is featured (0: not featured).",
        default=0,
        validators=[Optional(), NumberRange(0, 365)],
    )
    interval = SelectField("Billing", choices=INTERVALS)
    price_usd = DecimalField("Price in USD", places=2, validators=[Optional(), NumberRange(0, 100_000)])
    price_eur = DecimalField("Price in EUR", places=2, validators=[Optional(), NumberRange(0, 100_000)])
    price_gbp = DecimalField("Price in GBP", places=2, validators=[Optional(), NumberRange(0, 100_000)])
    price_inr = DecimalField("Price in INR", places=2, validators=[Optional(), NumberRange(0, 10_000_000)])

    def plan_data(self) -> dict:
        prices = {}
        for currency in PLAN_CURRENCIES:
            value = getattr(self, f"price_{currency.lower()}").data
            prices[currency] = int(round(value * 100)) if value is not None else None
        return {
            "name": self.name.data,
            "description": self.description.data,
            "posting_credits": self.posting_credits.data,
            "posting_days": self.posting_days.data,
            "featured_days": self.featured_days.data or 0,
            "interval": self.interval.data,
            "prices": prices,
        }

    def fill_prices(self, plan) -> None:
        for currency in PLAN_CURRENCIES:
            amount = (plan.prices or {}).get(currency)
            getattr(self, f"price_{currency.lower()}").data = amount / 100 if amount is not None else None


class GiftForm(FlaskForm):
    credits = IntegerField("Credits", validators=[DataRequired(), NumberRange(1, 1000)])
    posting_days = IntegerField("Posting days", default=30, validators=[DataRequired(), NumberRange(1, 365)])
    featured_days = IntegerField("Featured days", default=0, validators=[Optional(), NumberRange(0, 365)])
    note = StringField("Note", validators=[Optional(), Length(max=300)])


# --- Confirmation steps (issue 14): every admin action asks first and records its reason ----------


class ModerateForm(FlaskForm):
    reason = SelectField("Reason", choices=[SelectChoice(k, v) for k, v in MODERATION_REASONS.items()])
    note = TextAreaField(
        "Details for the recruiter",
        description="They read this on their job and in the email. Required for “Other”.",
        validators=[Optional(), Length(max=2000)],
    )


class ReasonForm(FlaskForm):
    note = TextAreaField(
        "Reason",
        description="Recorded in the audit log.",
        validators=[DataRequired("Give a reason: it is recorded in the audit log."), Length(max=2000)],
    )
