"""Payment webhooks through the gateway, signed for real: credits are granted exactly once per
payment however the deliveries come (twice, out of order, late, forged, stale), refunds and
disputes take them back, subscriptions renew and stop."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import app_config
from factories import login, make_job, make_plan, make_recruiter, make_user
from fakes_payments import (  # noqa: F401
    PAYPAL_WEBHOOK_ID,
    RAZORPAY_KEY_SECRET,
    charging,
    fake_paypal,
    fake_razorpay,
    fake_stripe,
    paypal_capture,
    paypal_event,
    razorpay_event,
    razorpay_headers,
    razorpay_payment,
    stripe_event,
    stripe_headers,
    stripe_session_completed,
)

from app.extensions import db
from app.models import AuditLog, CreditEntry, EmailMessage, Job, Order, Payment, Subscription, WebhookEvent
from app.services import credits, payments


def _post(client, provider: str, body: str, headers: dict):
    return client.post(f"/webhooks/{provider}", data=body.encode(), headers=headers, csrf=False)


def _open_order(owner, plan, currency="USD", country="US", method="card", job=None) -> Order:
    order = payments.create_order(owner.company, owner, plan.id, currency, method, country, job.id if job else None)
    payments.start_checkout(order, owner.email)
    db.session.commit()
    return order


def _balance(owner) -> int:
    db.session.expire_all()
    return credits.balance(owner.company.id)


def _grants(owner) -> list[tuple]:
    db.session.expire_all()
    return [
        (e.delta, e.reason)
        for e in db.session.scalars(
            db.select(CreditEntry).where(CreditEntry.company_id == owner.company.id).order_by(CreditEntry.id)
        )
    ]


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Webhook Co")


# --- Stripe ---------------------------------------------------------------------------------------


def test_stripe_checkout_completed_grants_the_plans_credits_once_with_a_receipt(client, owner, fake_stripe):
    order = _open_order(owner, make_plan(credits=3, posting_days=45, featured_days=7))
    body = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    response = _post(client, "stripe", body, stripe_headers(body))
    assert response.status_code == 200
    assert response.get_json()["data"] == {"accepted": 1, "duplicates": 0}
    assert _grants(owner) == [(3, "purchase")]
    payment = db.session.scalar(db.select(Payment))
    assert (payment.provider, payment.provider_payment_id, payment.amount, payment.currency) == (
        "stripe",
        "pi_1",
        4900,
        "USD",
    )
    assert payment.receipt_label == "R-000001"
    assert db.session.get(Order, order.id).status == "paid"
    [event] = db.session.scalars(db.select(WebhookEvent)).all()
    assert (event.provider, event.status, event.attempts) == ("stripe", "processed", 1)
    receipt = db.session.scalar(db.select(EmailMessage).where(EmailMessage.template == "payment_receipt"))
    assert receipt.to_address == owner.email
    assert "R-000001" in receipt.subject
    assert "USD 49.00" in receipt.text_body


def test_the_same_stripe_event_delivered_twice_grants_once(client, owner, fake_stripe):
    order = _open_order(owner, make_plan(credits=2))
    body = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    assert _post(client, "stripe", body, stripe_headers(body)).get_json()["data"]["accepted"] == 1
    again = _post(client, "stripe", body, stripe_headers(body))
    assert again.status_code == 200
    assert again.get_json()["data"] == {"accepted": 0, "duplicates": 1}
    assert _balance(owner) == 2


def test_two_events_for_one_payment_grant_once(client, owner, fake_stripe):
    """completed and async_payment_succeeded are different events about the same payment intent."""
    order = _open_order(owner, make_plan(credits=2))
    session = stripe_session_completed(order.id, order.provider_ref)
    for kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        body = stripe_event(kind, session)
        assert _post(client, "stripe", body, stripe_headers(body)).status_code == 200
    assert _grants(owner) == [(2, "purchase")]
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 1


def test_a_checkout_still_settling_grants_nothing_until_async_payment_succeeded(client, owner, fake_stripe):
    order = _open_order(owner, make_plan())
    unpaid = stripe_event(
        "checkout.session.completed", stripe_session_completed(order.id, order.provider_ref, paid=False)
    )
    _post(client, "stripe", unpaid, stripe_headers(unpaid))
    assert _balance(owner) == 0
    assert db.session.scalar(db.select(WebhookEvent)).status == "ignored"
    settled = stripe_event(
        "checkout.session.async_payment_succeeded", stripe_session_completed(order.id, order.provider_ref)
    )
    _post(client, "stripe", settled, stripe_headers(settled))
    assert _balance(owner) == 1


@pytest.mark.parametrize(
    ("case", "headers", "reason"),
    [
        ("forged", lambda body: stripe_headers(body, secret="whsec_someone_else"), "signature does not match"),
        ("stale", lambda body: stripe_headers(body, timestamp=int(time.time()) - 3600), "outside the tolerance"),
        ("unsigned", lambda body: {"Content-Type": "application/json"}, "signature does not match"),
    ],
)
def test_forged_stale_and_unsigned_stripe_deliveries_are_400_and_grant_nothing(
    client, owner, fake_stripe, case, headers, reason
):
    order = _open_order(owner, make_plan())
    body = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    response = _post(client, "stripe", body, headers(body))
    assert response.status_code == 400, case
    assert reason in response.get_json()["error"]["message"]
    assert db.session.scalar(db.select(db.func.count(WebhookEvent.id))) == 0
    assert _balance(owner) == 0


def test_a_refund_that_arrives_before_the_capture_means_no_credits(client, owner, fake_stripe):
    order = _open_order(owner, make_plan(credits=2))
    refund = stripe_event(
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_1",
            "amount": 4900,
            "amount_refunded": 4900,
            "refunded": True,
            "currency": "usd",
        },
    )
    _post(client, "stripe", refund, stripe_headers(refund))
    paid = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    _post(client, "stripe", paid, stripe_headers(paid))
    assert _balance(owner) == 0
    payment = db.session.scalar(db.select(Payment))
    assert (payment.status, payment.order_id, payment.amount) == ("refunded", order.id, 4900)


def test_a_refund_after_the_credit_was_used_leaves_a_negative_balance_the_admin_sees(
    app, client, owner, fake_stripe, charging
):
    order = _open_order(owner, make_plan(credits=1))
    paid = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    _post(client, "stripe", paid, stripe_headers(paid))
    job = make_job(owner, title="Used Credit Role")  # publishing spends the one credit
    assert _balance(owner) == 0
    refund = stripe_event(
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_1",
            "amount": 4900,
            "amount_refunded": 4900,
            "refunded": True,
            "currency": "usd",
        },
    )
    _post(client, "stripe", refund, stripe_headers(refund))
    _post(client, "stripe", refund, stripe_headers(refund))  # and its re-delivery
    assert _grants(owner) == [(1, "purchase"), (-1, "publish"), (-1, "refund")]
    assert _balance(owner) == -1
    assert db.session.get(Job, job.id).is_open  # the posting stays; the company owes a credit
    admin = make_user("admin@example.com", role="admin")
    login(client, admin)
    page = client.get("/admin/payments").text
    assert "Companies with a negative credit balance" in page
    assert "Webhook Co</a>: -1" in page


def test_a_dispute_revokes_the_credits(client, owner, fake_stripe):
    order = _open_order(owner, make_plan(credits=3))
    paid = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    _post(client, "stripe", paid, stripe_headers(paid))
    dispute = stripe_event(
        "charge.dispute.created",
        {
            "id": "dp_1",
            "object": "dispute",
            "charge": "ch_1",
            "payment_intent": "pi_1",
            "amount": 4900,
            "currency": "usd",
            "reason": "fraudulent",
        },
    )
    _post(client, "stripe", dispute, stripe_headers(dispute))
    assert _grants(owner) == [(3, "purchase"), (-3, "dispute")]
    assert db.session.scalar(db.select(Payment)).status == "disputed"


def _subscription_events(order, invoice="in_1", reason="subscription_create"):
    session = stripe_session_completed(
        order.id, order.provider_ref, mode="subscription", payment_intent=None, invoice=invoice, subscription="sub_1"
    )
    invoice_paid = {
        "id": invoice,
        "object": "invoice",
        "subscription": "sub_1",
        "customer": "cus_1",
        "amount_paid": 4900,
        "currency": "usd",
        "billing_reason": reason,
        "subscription_details": {"metadata": {"jobifies_order_id": str(order.id)}},
    }
    return session, invoice_paid


def test_a_subscription_renews_credits_each_month_and_stops_when_cancelled(client, owner, fake_stripe):
    order = _open_order(owner, make_plan(credits=5, interval="monthly"))
    session, first_invoice = _subscription_events(order)
    for kind, obj in (("invoice.paid", first_invoice), ("checkout.session.completed", session)):  # any order
        body = stripe_event(kind, obj)
        _post(client, "stripe", body, stripe_headers(body))
    assert _grants(owner) == [(5, "purchase")]
    subscription = db.session.scalar(db.select(Subscription))
    assert (subscription.provider_subscription_id, subscription.status) == ("sub_1", "active")

    _, renewal = _subscription_events(order, invoice="in_2", reason="subscription_cycle")
    renewal.pop("subscription_details")  # renewals are found through the subscription too
    body = stripe_event("invoice.paid", renewal)
    _post(client, "stripe", body, stripe_headers(body))
    assert _grants(owner) == [(5, "purchase"), (5, "renewal")]

    failed = stripe_event("invoice.payment_failed", {"id": "in_3", "object": "invoice", "subscription": "sub_1"})
    _post(client, "stripe", failed, stripe_headers(failed))
    db.session.expire_all()
    assert db.session.scalar(db.select(Subscription)).status == "past_due"
    deleted = stripe_event(
        "customer.subscription.deleted", {"id": "sub_1", "object": "subscription", "status": "canceled"}
    )
    _post(client, "stripe", deleted, stripe_headers(deleted))
    db.session.expire_all()
    subscription = db.session.scalar(db.select(Subscription))
    assert subscription.status == "canceled"
    assert _balance(owner) == 10  # no invoice, no more credits


def test_the_company_manages_its_subscription_in_the_stripe_portal(client, owner, fake_stripe):
    order = _open_order(owner, make_plan(interval="monthly"))
    session, _ = _subscription_events(order)
    body = stripe_event("checkout.session.completed", session)
    _post(client, "stripe", body, stripe_headers(body))
    login(client, owner)
    assert "Manage your subscription at Stripe" in client.get("/billing/").text
    response = client.post("/billing/portal")
    assert response.headers["Location"] == "https://billing.stripe.com/p/session/test_1"
    assert "customer=cus_1" in fake_stripe.posts("/v1/billing_portal/sessions")[0]["raw"].decode()


def test_an_admin_refund_goes_through_the_provider_and_its_webhook_confirms_it(client, owner, fake_stripe):
    order = _open_order(owner, make_plan(credits=2))
    paid = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    _post(client, "stripe", paid, stripe_headers(paid))
    payment = db.session.scalar(db.select(Payment))
    admin = make_user("admin@example.com", role="admin")
    login(client, admin)
    confirm = client.get(f"/admin/payments/{payment.id}/refund")  # the button leads to a confirmation
    assert confirm.status_code == 200
    assert 'name="note"' in confirm.text
    without_reason = client.post(f"/admin/payments/{payment.id}/refund")
    assert without_reason.status_code == 422
    assert "Give a reason" in without_reason.text
    assert fake_stripe.posts("/v1/refunds") == []  # nothing refunded without the reason
    response = client.post(f"/admin/payments/{payment.id}/refund", data={"note": "Customer asked: duplicate order"})
    assert response.status_code == 302
    entry = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "payment.refund_requested"))
    assert entry.details["reason"] == "Customer asked: duplicate order"
    [refund] = fake_stripe.posts("/v1/refunds")
    assert refund["headers"]["idempotency-key"] == f"jobifies-payment-{payment.id}-refund"
    assert "payment_intent=pi_1" in refund["raw"].decode()
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "refund_pending"
    assert _balance(owner) == 2  # until Stripe confirms
    confirmed = stripe_event(
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_1",
            "amount": 4900,
            "amount_refunded": 4900,
            "refunded": True,
            "currency": "usd",
        },
    )
    _post(client, "stripe", confirmed, stripe_headers(confirmed))
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "refunded"
    assert _balance(owner) == 0
    detail = client.get(f"/admin/orders/{order.id}").text
    assert "charge.refunded" in detail
    assert "checkout.session.completed" in detail


def test_the_webhook_that_arrives_late_is_shown_on_the_return_page(client, owner, fake_stripe):
    order = _open_order(owner, make_plan())
    login(client, owner)
    waiting = client.get(f"/billing/orders/{order.id}/return")
    assert "Waiting for Stripe to confirm the payment" in waiting.text
    assert 'hx-trigger="every 2s"' in waiting.text
    assert _balance(owner) == 0  # coming back from Stripe grants nothing
    body = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    _post(client, "stripe", body, stripe_headers(body))
    fragment = client.get(
        f"/billing/orders/{order.id}/return", headers={"HX-Request": "true", "HX-Target": "order-status"}
    )
    assert "<h1>" not in fragment.text  # the fragment alone
    assert "Payment confirmed." in fragment.text
    assert "every 2s" not in fragment.text  # polling stops


# --- Razorpay --------------------------------------------------------------------------------------


def test_razorpay_captured_and_order_paid_for_one_payment_grant_once(client, owner, fake_razorpay):
    order = _open_order(owner, make_plan(credits=2), currency="INR", country="IN", method="upi")
    payment = razorpay_payment("pay_1", order.provider_ref)
    captured = razorpay_event("payment.captured", payment=payment)
    order_paid = razorpay_event("order.paid", payment=payment, order={"id": order.provider_ref, "notes": {}})
    assert _post(client, "razorpay", captured, razorpay_headers(captured, "evt_a")).status_code == 200
    assert _post(client, "razorpay", order_paid, razorpay_headers(order_paid, "evt_b")).status_code == 200
    assert _post(client, "razorpay", captured, razorpay_headers(captured, "evt_a")).get_json()["data"] == {
        "accepted": 0,
        "duplicates": 1,
    }
    assert _grants(owner) == [(2, "purchase")]
    stored = db.session.scalar(db.select(Payment))
    assert (stored.provider_payment_id, stored.amount, stored.currency) == ("pay_1", 399900, "INR")


def test_a_failed_razorpay_payment_followed_by_a_capture_still_grants(client, owner, fake_razorpay):
    order = _open_order(owner, make_plan(), currency="INR", country="IN", method="netbanking")
    failed = razorpay_event("payment.failed", payment=razorpay_payment("pay_x", order.provider_ref, status="failed"))
    _post(client, "razorpay", failed, razorpay_headers(failed, "evt_f"))
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "failed"
    captured = razorpay_event("payment.captured", payment=razorpay_payment("pay_y", order.provider_ref))
    _post(client, "razorpay", captured, razorpay_headers(captured, "evt_c"))
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    assert _balance(owner) == 1


@pytest.mark.parametrize(
    ("case", "headers", "reason"),
    [
        ("forged", lambda body: razorpay_headers(body, "evt_1", secret="not-the-secret"), "signature does not match"),
        (
            "keyed with the key secret",
            lambda body: razorpay_headers(body, "evt_1", secret=RAZORPAY_KEY_SECRET),
            "signature does not match",
        ),
        (
            "no event id",
            lambda body: {k: v for k, v in razorpay_headers(body, "x").items() if k != "X-Razorpay-Event-Id"},
            "x-razorpay-event-id",
        ),
    ],
)
def test_forged_razorpay_deliveries_are_400(client, owner, fake_razorpay, case, headers, reason):
    order = _open_order(owner, make_plan(), currency="INR", country="IN", method="upi")
    body = razorpay_event("payment.captured", payment=razorpay_payment("pay_1", order.provider_ref))
    response = _post(client, "razorpay", body, headers(body))
    assert response.status_code == 400, case
    assert reason in response.get_json()["error"]["message"]
    assert _balance(owner) == 0


def test_the_browsers_razorpay_signature_is_checked_against_the_stored_order_id(client, owner, fake_razorpay):
    import hashlib
    import hmac

    order = _open_order(owner, make_plan(), currency="INR", country="IN", method="upi")
    login(client, owner)

    def sign(order_ref):
        return hmac.new(RAZORPAY_KEY_SECRET.encode(), f"{order_ref}|pay_9".encode(), hashlib.sha256).hexdigest()

    # A signature for some other order, with that other order's id posted: refused.
    forged = client.post(
        f"/billing/orders/{order.id}/razorpay",
        data={
            "razorpay_payment_id": "pay_9",
            "razorpay_order_id": "order_other",
            "razorpay_signature": sign("order_other"),
        },
        follow_redirects=True,
    )
    assert "We could not confirm that payment from here" in forged.text
    genuine = client.post(
        f"/billing/orders/{order.id}/razorpay",
        data={
            "razorpay_payment_id": "pay_9",
            "razorpay_order_id": order.provider_ref,
            "razorpay_signature": sign(order.provider_ref),
        },
        follow_redirects=True,
    )
    assert "Payment received. Your credits arrive as soon as Razorpay confirms it." in genuine.text
    assert _balance(owner) == 0  # only the webhook grants


def test_an_admin_refund_through_razorpay(client, owner, fake_razorpay):
    order = _open_order(owner, make_plan(credits=2), currency="INR", country="IN", method="upi")
    captured = razorpay_event("payment.captured", payment=razorpay_payment("pay_1", order.provider_ref))
    _post(client, "razorpay", captured, razorpay_headers(captured, "evt_1"))
    payment = db.session.scalar(db.select(Payment))
    login(client, make_user("admin@example.com", role="admin"))
    client.post(f"/admin/payments/{payment.id}/refund", data={"note": "Refund requested by the buyer"})
    [refund] = fake_razorpay.posts("/v1/payments/pay_1/refund")
    assert json.loads(refund["raw"])["amount"] == 399900
    processed = razorpay_event(
        "refund.processed",
        payment={**razorpay_payment("pay_1", order.provider_ref), "amount_refunded": 399900},
        refund={"id": "rfnd_1", "payment_id": "pay_1", "amount": 399900},
    )
    _post(client, "razorpay", processed, razorpay_headers(processed, "evt_2"))
    assert _grants(owner) == [(2, "purchase"), (-2, "refund")]


# --- PayPal ----------------------------------------------------------------------------------------


def test_paypal_return_captures_and_the_capture_webhook_grants(client, owner, fake_paypal):
    order = _open_order(owner, make_plan(credits=2), method="paypal")
    login(client, owner)
    page = client.get(f"/billing/orders/{order.id}/return?token={order.provider_ref}&PayerID=BUYER1")
    assert page.status_code == 200
    [capture] = fake_paypal.posts(f"/v2/checkout/orders/{order.provider_ref}/capture")
    assert capture["headers"]["paypal-request-id"] == f"jobifies-order-{order.id}-capture"
    assert _balance(owner) == 0  # the redirect is not the truth
    body = paypal_event("PAYMENT.CAPTURE.COMPLETED", paypal_capture("CAP1", order.id, order.provider_ref))
    response = _post(client, "paypal", body, fake_paypal.headers(body))
    assert response.status_code == 200
    assert _grants(owner) == [(2, "purchase")]
    again = paypal_event("PAYMENT.CAPTURE.COMPLETED", paypal_capture("CAP1", order.id, order.provider_ref))
    _post(client, "paypal", again, fake_paypal.headers(again))  # a second event id, same capture
    assert _balance(owner) == 2
    assert len([r for r in fake_paypal.requests if r["path"].startswith("/v1/notifications/certs/")]) == 1  # cached


@pytest.mark.parametrize(
    ("case", "mutate", "reason"),
    [
        ("forged", lambda fake, body: fake.headers(body.replace("CAP1", "CAP2")), "signature does not match"),
        ("other webhook id", lambda fake, body: fake.headers(body, webhook_id="WH-OTHER"), "signature does not match"),
        ("stale", lambda fake, body: fake.headers(body, when=datetime.now(UTC) - timedelta(hours=2)), "old (limit"),
        (
            "certificate elsewhere",
            lambda fake, body: {**fake.headers(body), "PAYPAL-CERT-URL": "https://evil.example.com/cert.pem"},
            "not a PayPal address",
        ),
    ],
)
def test_forged_stale_and_foreign_certificate_paypal_deliveries_are_400(
    client, owner, fake_paypal, case, mutate, reason
):
    order = _open_order(owner, make_plan(), method="paypal")
    body = paypal_event("PAYMENT.CAPTURE.COMPLETED", paypal_capture("CAP1", order.id, order.provider_ref))
    response = _post(client, "paypal", body, mutate(fake_paypal, body))
    assert response.status_code == 400, case
    assert reason in response.get_json()["error"]["message"]
    assert _balance(owner) == 0


def test_paypal_self_verification_uses_the_configured_webhook_id(app, client, owner, fake_paypal):
    order = _open_order(owner, make_plan(), method="paypal")
    body = paypal_event("PAYMENT.CAPTURE.COMPLETED", paypal_capture("CAP1", order.id, order.provider_ref))
    headers = fake_paypal.headers(body, webhook_id=PAYPAL_WEBHOOK_ID)
    with app_config(app, PAYPAL_WEBHOOK_ID="WH-ROTATED"):
        assert _post(client, "paypal", body, headers).status_code == 400


def test_a_paypal_refund_event_revokes(client, owner, fake_paypal):
    order = _open_order(owner, make_plan(credits=2), method="paypal")
    body = paypal_event("PAYMENT.CAPTURE.COMPLETED", paypal_capture("CAP1", order.id, order.provider_ref))
    _post(client, "paypal", body, fake_paypal.headers(body))
    refund = paypal_event(
        "PAYMENT.CAPTURE.REFUNDED",
        {
            "id": "REF1",
            "status": "COMPLETED",
            "amount": {"currency_code": "USD", "value": "49.00"},
            "links": [{"rel": "up", "href": f"{fake_paypal.url}/v2/payments/captures/CAP1"}],
        },
    )
    _post(client, "paypal", refund, fake_paypal.headers(refund))
    assert _grants(owner) == [(2, "purchase"), (-2, "refund")]


# --- The mock provider -------------------------------------------------------------------------------


def test_the_mock_pays_through_the_same_gateway(client, owner):
    order = _open_order(owner, make_plan(credits=2))
    assert order.provider == "mock"
    login(client, owner)
    page = client.get(f"/billing/mock-checkout/{order.provider_ref}")
    assert "mock payment provider" in page.text
    response = client.post(f"/billing/mock-checkout/{order.provider_ref}/pay")
    assert response.headers["Location"].endswith(f"/billing/orders/{order.id}/return")
    [event] = db.session.scalars(db.select(WebhookEvent)).all()
    assert (event.provider, event.event_type, event.status) == ("mock", "payment.succeeded", "processed")
    assert _balance(owner) == 2


def test_the_mock_decline_fails_the_order_and_grants_nothing(client, owner):
    order = _open_order(owner, make_plan())
    login(client, owner)
    client.post(f"/billing/mock-checkout/{order.provider_ref}/decline")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "failed"
    assert _balance(owner) == 0


def test_a_forged_mock_webhook_is_refused(client, owner):
    order = _open_order(owner, make_plan())
    body, headers = payments.gateway("mock").delivery("payment.succeeded", order.id, order.provider_ref, 4900, "USD")
    headers["Mock-Signature"] = headers["Mock-Signature"][:-4] + "0000"
    assert _post(client, "mock", body.decode(), headers).status_code == 400
    assert _balance(owner) == 0


def test_another_company_cannot_use_a_mock_checkout(client, owner):
    order = _open_order(owner, make_plan())
    login(client, make_recruiter("Intruder Co"))
    assert client.get(f"/billing/mock-checkout/{order.provider_ref}").status_code == 404
    assert client.post(f"/billing/mock-checkout/{order.provider_ref}/pay").status_code == 404
    assert _balance(owner) == 0


def test_an_expired_stripe_checkout_fails_the_order_without_credits(client, owner, fake_stripe):
    order = _open_order(owner, make_plan())
    body = stripe_event(
        "checkout.session.expired",
        {
            "id": order.provider_ref,
            "object": "checkout.session",
            "client_reference_id": str(order.id),
            "status": "expired",
        },
    )
    _post(client, "stripe", body, stripe_headers(body))
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == "failed"
    assert "the checkout expired" in order.failure_message
    assert _balance(owner) == 0
