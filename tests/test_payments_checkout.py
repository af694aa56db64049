"""Choosing a plan and opening a checkout: provider selection, the fallback chain and its audit trail,
with the real `stripe` and `razorpay` SDKs and our PayPal client talking to local fakes."""

import pytest
from conftest import app_config
from factories import login, make_job, make_plan, make_recruiter
from fakes_payments import fake_paypal, fake_razorpay, fake_stripe  # noqa: F401

from app.extensions import db
from app.models import Order, PaymentAttempt

REAL_CHAIN = ["stripe", "paypal", "razorpay"]


def _checkout(client, plan, currency="USD", country="US", method="card", job_id=""):
    return client.post(
        "/billing/checkout",
        data={"plan_id": plan.id, "currency": currency, "country": country, "method": method, "job_id": job_id},
    )


def _order() -> Order:
    db.session.expire_all()
    return db.session.scalars(db.select(Order).order_by(Order.id.desc())).first()


def _attempts(order) -> list[tuple]:
    return [
        (a.provider, a.fallback_from, a.status, a.error)
        for a in db.session.scalars(
            db.select(PaymentAttempt).where(PaymentAttempt.order_id == order.id).order_by(PaymentAttempt.id)
        )
    ]


@pytest.fixture
def buyer(client, app_ctx):
    owner = make_recruiter("Acme Payments")
    login(client, owner)
    return owner


@pytest.fixture
def all_providers(app, fake_stripe, fake_paypal, fake_razorpay):
    with app_config(app, PAYMENT_PROVIDERS=REAL_CHAIN):
        yield {"stripe": fake_stripe, "paypal": fake_paypal, "razorpay": fake_razorpay}


def test_a_card_payment_opens_stripe_checkout_with_our_order_id_and_a_stable_idempotency_key(
    client, buyer, all_providers
):
    plan = make_plan("Single posting")
    response = _checkout(client, plan)
    order = _order()
    assert response.status_code == 302
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    [session] = all_providers["stripe"].sessions()
    assert session["client_reference_id"] == str(order.id)
    assert session["idempotency-key"] == f"jobifies-order-{order.id}-checkout"
    assert session["mode"] == "payment"
    assert session["line_items[0][price_data][unit_amount]"] == "4900"
    assert session["payment_intent_data[metadata][jobifies_order_id]"] == str(order.id)
    assert session["success_url"].endswith(f"/billing/orders/{order.id}/return")
    assert (order.selected_provider, order.provider, order.fallback_from, order.status) == (
        "stripe",
        "stripe",
        None,
        "awaiting_payment",
    )
    assert _attempts(order) == [("stripe", None, "started", None)]


def test_a_monthly_plan_opens_a_stripe_subscription(client, buyer, all_providers):
    plan = make_plan("Monthly", interval="monthly", credits=5)
    _checkout(client, plan)
    [session] = all_providers["stripe"].sessions()
    assert session["mode"] == "subscription"
    assert session["line_items[0][price_data][recurring][interval]"] == "month"
    assert session["subscription_data[metadata][jobifies_order_id]"] == str(_order().id)


def test_upi_from_india_goes_to_razorpay_and_opens_checkout_js(client, buyer, all_providers):
    plan = make_plan()
    response = _checkout(client, plan, currency="INR", country="IN", method="upi")
    order = _order()
    assert order.selected_provider == order.provider == "razorpay"
    assert response.headers["Location"].endswith(f"/billing/orders/{order.id}/pay")
    [request] = all_providers["razorpay"].posts("/v1/orders")
    assert request["headers"]["authorization"].startswith("Basic ")  # key id and secret
    page = client.get(f"/billing/orders/{order.id}/pay")
    assert "https://checkout.razorpay.com" in page.headers["Content-Security-Policy"]
    assert order.provider_ref in page.text


def test_pay_with_paypal_goes_to_paypal_and_the_oauth_token_is_reused(client, buyer, all_providers):
    plan = make_plan()
    first = _checkout(client, plan, method="paypal")
    second = _checkout(client, plan, method="paypal", currency="EUR")
    assert first.headers["Location"].startswith("https://www.sandbox.paypal.com/checkoutnow?token=5O")
    assert second.status_code == 302
    fake = all_providers["paypal"]
    assert fake.tokens_issued == 1  # cached until it expires
    orders = fake.posts("/v2/checkout/orders")
    assert [r["headers"]["paypal-request-id"] for r in orders] == [
        f"jobifies-order-{o.id}-checkout" for o in db.session.scalars(db.select(Order).order_by(Order.id))
    ]


@pytest.mark.parametrize(
    ("failure", "expected_error"),
    [
        ({"status": 500}, "Stripe answered 500"),
        ({"status": 503}, "Stripe answered 503"),
        ({"delay": 3.0}, "Stripe unreachable"),  # the fake answers after the 2 s timeout
    ],
)
def test_stripe_down_falls_back_to_paypal_and_the_attempt_is_recorded(
    client, buyer, all_providers, failure, expected_error
):
    all_providers["stripe"].fail(**failure)
    response = _checkout(client, make_plan())
    order = _order()
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://www.sandbox.paypal.com/")
    assert (order.selected_provider, order.provider, order.fallback_from) == ("stripe", "paypal", "stripe")
    attempts = _attempts(order)
    assert [a[:3] for a in attempts] == [("stripe", None, "failed"), ("paypal", "stripe", "started")]
    assert expected_error in attempts[0][3]


def test_an_open_circuit_passes_the_order_on_without_calling_stripe(client, buyer, all_providers):
    all_providers["stripe"].fail(times=5, status=500)
    for _ in range(5):  # five failures open Stripe's breaker
        _checkout(client, make_plan())
    calls = len(all_providers["stripe"].requests)
    _checkout(client, make_plan())
    assert len(all_providers["stripe"].requests) == calls
    assert "circuit open" in _attempts(_order())[0][3]
    assert _order().provider == "paypal"


def test_a_currency_paypal_refuses_passes_to_razorpay(app, client, buyer, all_providers):
    with app_config(app, PAYMENT_PROVIDERS=["paypal", "razorpay"]):
        _checkout(client, make_plan(), currency="INR", country="IN", method="paypal")
    order = _order()
    assert order.provider == "razorpay"
    assert [a[:3] for a in _attempts(order)] == [("paypal", None, "failed"), ("razorpay", "paypal", "started")]
    assert "CURRENCY_NOT_SUPPORTED" in _attempts(order)[0][3]


def test_a_selected_provider_that_is_not_configured_passes_to_the_mock_with_no_keys(client, buyer):
    response = _checkout(client, make_plan(), method="paypal")
    order = _order()
    assert response.headers["Location"].startswith("http://127.0.0.1:5000/billing/mock-checkout/mock_")
    assert [a[:4] for a in _attempts(order)] == [
        ("paypal", None, "failed", "not configured"),
        ("mock", "paypal", "started", None),
    ]


def test_when_every_provider_is_down_the_order_fails_calmly_and_nothing_is_charged(client, buyer, all_providers):
    all_providers["stripe"].fail(status=500)
    all_providers["paypal"].fail(status=503)
    all_providers["razorpay"].fail(status=500)
    response = _checkout(client, make_plan())
    assert response.status_code == 503
    assert "We could not open a checkout with any of our payment providers just now. Nothing was charged." in (
        response.text
    )
    assert "Traceback" not in response.text
    order = _order()
    assert order.status == "failed"
    assert [a[:3] for a in _attempts(order)] == [
        ("stripe", None, "failed"),
        ("paypal", "stripe", "failed"),
        ("razorpay", "paypal", "failed"),
    ]
    assert order.payments == []


def test_upi_outside_india_is_refused_beside_the_field(client, buyer, all_providers):
    response = _checkout(client, make_plan(), currency="USD", country="US", method="upi")
    assert response.status_code == 422
    assert "UPI and net banking are for payments in rupees (INR) from India." in response.text
    assert _order() is None


def test_an_archived_plan_cannot_be_bought(client, buyer, all_providers):
    from app.models import utcnow

    plan = make_plan(archived_at=utcnow())
    assert _checkout(client, plan).status_code == 422
    assert _order() is None


def test_a_job_of_another_company_cannot_ride_on_an_order(client, buyer, all_providers):
    stranger = make_recruiter("Other Co")
    job = make_job(stranger, status="draft")
    assert _checkout(client, make_plan(), job_id=job.id).status_code == 404


def test_another_companys_order_pages_are_404(client, app_ctx, all_providers):
    owner = make_recruiter("First Co")
    login(client, owner)
    _checkout(client, make_plan())
    order = _order()
    other = make_recruiter("Second Co")
    client.post("/logout")
    login(client, other)
    for path in (
        f"/billing/orders/{order.id}/return",
        f"/billing/orders/{order.id}/pay",
        f"/billing/orders/{order.id}/cancelled",
    ):
        assert client.get(path).status_code == 404, path
