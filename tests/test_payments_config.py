"""Payment settings are validated at start-up with everything else; unconfigured providers are not in
the chain; the mock never runs in production."""

import pytest
from conftest import app_config

from app.config import ConfigError, load_config
from app.services import payments

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "BASE_URL": "https://jobs.example.com",
    "DATABASE_URL": "postgres://u@h/db",
}


def test_malformed_keys_are_listed_with_the_other_problems():
    with pytest.raises(ConfigError) as caught:
        load_config(
            {
                "STRIPE_SECRET_KEY": "pk_live_public",
                "STRIPE_WEBHOOK_SECRET": "secret",
                "RAZORPAY_KEY_ID": "key_1",
                "RAZORPAY_KEY_SECRET": "s",
                "RAZORPAY_WEBHOOK_SECRET": "w",
                "PAYPAL_MODE": "production",
                "PAYMENT_PROVIDERS": "stripe,square",
            }
        )
    problems = "\n".join(caught.value.problems)
    assert "STRIPE_SECRET_KEY must start with sk_ or rk_" in problems
    assert "STRIPE_WEBHOOK_SECRET must start with whsec_" in problems
    assert "RAZORPAY_KEY_ID must start with rzp_" in problems
    assert "PAYPAL_MODE must be sandbox or live" in problems
    assert "unknown provider 'square'" in problems


def test_a_half_configured_provider_stops_start_up():
    with pytest.raises(ConfigError, match="paypal is half configured: also set PAYPAL_WEBHOOK_ID"):
        load_config({"PAYPAL_CLIENT_ID": "id", "PAYPAL_CLIENT_SECRET": "secret"})


def test_the_mock_provider_is_refused_in_production():
    with pytest.raises(ConfigError, match="the mock provider is for development and tests"):
        load_config({**PRODUCTION, "PAYMENT_PROVIDERS": "stripe,mock"})
    config = load_config(PRODUCTION)
    assert config["PAYMENT_PROVIDERS"] == ["stripe", "paypal", "razorpay"]
    assert config["MOCK_PAYMENTS_SECRET"] is None


def test_paypal_mode_picks_the_api_host():
    assert load_config({"PAYPAL_MODE": "live"})["PAYPAL_API_BASE"] == "https://api-m.paypal.com"
    assert load_config({})["PAYPAL_API_BASE"] == "https://api-m.sandbox.paypal.com"


def test_providers_without_settings_are_not_in_the_chain_and_the_order_is_configurable(app, app_ctx):
    assert payments.chain() == ["mock"]
    with app_config(
        app, STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x", PAYMENT_PROVIDERS=["mock", "stripe"]
    ):
        assert payments.chain() == ["mock", "stripe"]


def test_postings_are_free_unless_the_platform_turns_charging_on():
    assert load_config({})["POSTINGS_REQUIRE_PAYMENT"] is False
    assert load_config({"POSTINGS_REQUIRE_PAYMENT": "on"})["POSTINGS_REQUIRE_PAYMENT"] is True
